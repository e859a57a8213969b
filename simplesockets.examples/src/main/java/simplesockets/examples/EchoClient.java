package simplesockets.examples;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import simplesockets.api.ClientOptions;
import simplesockets.api.TcpClient;

/**
 * The tutorial's client, in Java: it connects, sends each message, prints what comes back, and
 * exits. Messages come from the command line, or else from each line of standard input. It takes the
 * options the echo server takes for where it is and how it frames: {@code --host}, {@code --port} or
 * {@code --unix PATH}, and {@code --framing raw|length|lines}.
 *
 * <pre>{@code java -m simplesockets.examples/simplesockets.examples.EchoClient --port 9999 hello world}</pre>
 */
public final class EchoClient {

    private EchoClient() {
    }

    /**
     * Sends the messages and prints the replies.
     *
     * @param args {@code --host HOST --port PORT | --unix PATH, [--framing raw|length|lines] [--] [MESSAGE...]}
     * @throws Exception if the connection fails
     */
    public static void main(String[] args) throws Exception {
        Args options = Args.parse(args);
        Iterable<String> messages = options.messages();
        if (options.messages().isEmpty()) { // each line as it is typed (or piped), sent and answered before the next
            messages = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).lines()::iterator;
        }
        if (!run(options(options), messages, System.out)) {
            System.exit(1);
        }
    }

    /**
     * The client's options for a command line: where the server is (host and port, or a Unix socket)
     * and its framing.
     *
     * @param args the parsed command line
     * @return the options
     * @throws IllegalArgumentException if {@code --framing} names no such framing
     */
    public static ClientOptions options(Args args) {
        return ClientOptions.builder().host(args.host()).port(args.port()).unixSocket(args.unix().orElse(null))
                .framing(EchoServer.framing(args)).build();
    }

    /**
     * Connects, sends each message, and prints each reply as it comes back.
     *
     * @param host     the server
     * @param port     its port
     * @param messages what to send, one at a time, each taken only once the reply to the one before came back
     * @param out      where to print the replies
     * @return {@code true} if every message came back whole
     * @throws IOException          if sending fails
     * @throws InterruptedException if interrupted while waiting for a reply
     */
    public static boolean run(String host, int port, Iterable<String> messages, PrintStream out)
            throws IOException, InterruptedException {
        return run(ClientOptions.builder().host(host).port(port).build(), messages, out);
    }

    /**
     * {@link #run(String, int, Iterable, PrintStream)} with the client's options given whole.
     *
     * @param options  where the server is, and the framing
     * @param messages what to send, one at a time
     * @param out      where to print the replies
     * @return {@code true} if every message came back whole
     * @throws IOException          if sending fails
     * @throws InterruptedException if interrupted while waiting for a reply
     */
    public static boolean run(ClientOptions options, Iterable<String> messages, PrintStream out)
            throws IOException, InterruptedException {
        try (TcpClient client = TcpClient.create(options)) {
            try {
                client.connect();
            } catch (IOException e) {
                out.println("could not connect: " + e);
                return false;
            }
            for (String message : messages) {
                byte[] request = message.getBytes(StandardCharsets.UTF_8);
                client.send(request);
                // Raw TCP has no message boundaries: read until as many bytes came back as went out, and
                // decode them once, since a character may be split between two pieces.
                ByteArrayOutputStream reply = new ByteArrayOutputStream();
                while (reply.size() < request.length) {
                    var piece = client.receive(Duration.ofSeconds(5));
                    if (piece.isEmpty()) {
                        out.println("no reply to: " + message);
                        return false;
                    }
                    reply.writeBytes(piece.get());
                }
                out.println(reply.toString(StandardCharsets.UTF_8));
            }
            return true;
        }
    }
}
