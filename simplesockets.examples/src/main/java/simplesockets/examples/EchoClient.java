package simplesockets.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import simplesockets.api.ClientOptions;
import simplesockets.api.TcpClient;

/**
 * The tutorial's client, in Java: it connects, sends each message, prints what comes back, and
 * exits. Messages come from the command line, or else from each line of standard input.
 *
 * <pre>{@code java -m simplesockets.examples/simplesockets.examples.EchoClient --port 9999 hello world}</pre>
 */
public final class EchoClient {

    private EchoClient() {
    }

    /**
     * Sends the messages and prints the replies.
     *
     * @param args {@code --host HOST --port PORT [MESSAGE...]}
     * @throws Exception if the connection fails
     */
    public static void main(String[] args) throws Exception {
        Args options = Args.parse(args);
        List<String> messages = options.words();
        if (messages.isEmpty()) {
            messages = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).lines().toList();
        }
        if (!run(options.host(), options.port(), messages, System.out)) {
            System.exit(1);
        }
    }

    /**
     * Connects, sends each message, and prints each reply as it comes back.
     *
     * @param host     the server
     * @param port     its port
     * @param messages what to send, one at a time
     * @param out      where to print the replies
     * @return {@code true} if every message came back whole
     * @throws IOException          if sending fails
     * @throws InterruptedException if interrupted while waiting for a reply
     */
    public static boolean run(String host, int port, List<String> messages, PrintStream out)
            throws IOException, InterruptedException {
        try (TcpClient client = TcpClient.create(ClientOptions.builder().host(host).port(port).build())) {
            try {
                client.connect();
            } catch (IOException e) {
                out.println("could not connect: " + e);
                return false;
            }
            for (String message : messages) {
                byte[] request = message.getBytes(StandardCharsets.UTF_8);
                client.send(request);
                // Raw TCP has no message boundaries: read until as many bytes came back as went out.
                StringBuilder reply = new StringBuilder();
                int received = 0;
                while (received < request.length) {
                    var piece = client.receive(Duration.ofSeconds(5));
                    if (piece.isEmpty()) {
                        out.println("no reply to: " + message);
                        return false;
                    }
                    received += piece.get().length;
                    reply.append(new String(piece.get(), StandardCharsets.UTF_8));
                }
                out.println(reply);
            }
            return true;
        }
    }
}
