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
     * <p>Exits 0 when every message came back, 1 when one did not (no connection, no reply, a message the
     * framing cannot carry; the reason on standard error), 2 for a bad command line.
     *
     * @param args {@code --host HOST --port PORT | --unix PATH, [--framing raw|length|lines] [--] [MESSAGE...]}
     */
    public static void main(String[] args) {
        Args.main("echo-client", USAGE, args, EchoClient::sendAll);
    }

    /**
     * The client's program: sends the command line's messages, or else each line of standard input.
     *
     * @param options the parsed command line
     * @return 0 if every message came back whole, else 1
     * @throws IOException          if sending fails
     * @throws InterruptedException if interrupted while waiting for a reply
     */
    static int sendAll(Args options) throws IOException, InterruptedException {
        ClientOptions client = options(options);
        Iterable<String> messages = options.messages();
        if (options.messages().isEmpty()) { // each line as it is typed (or piped), sent and answered before the next
            messages = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).lines()::iterator;
        }
        return run(client, messages, System.out, System.err) ? 0 : 1;
    }

    /** The options, for the usage line. */
    static final String USAGE = "[--host HOST] [--port PORT | --unix PATH] [--framing raw|length|lines] [--] [MESSAGE...]";

    /**
     * The client's options for a command line: where the server is (host and port, or a Unix socket)
     * and its framing.
     *
     * @param args the parsed command line
     * @return the options
     * @throws IllegalArgumentException if {@code --framing} names no such framing, or a server's option
     *                                  ({@code --proxy-protocol}, {@code --trusted-proxy}, {@code --stats}) was given
     */
    public static ClientOptions options(Args args) {
        args.refuseServerOptions("echo-client");
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
        return run(options, messages, out, out);
    }

    /**
     * {@link #run(ClientOptions, Iterable, PrintStream)}, with what went wrong printed apart from the replies.
     *
     * @param options  where the server is, and the framing
     * @param messages what to send, one at a time
     * @param out      where to print the replies
     * @param err      where to print why it stopped early: no connection, no reply, or a message the framing
     *                 cannot carry (a line break in a line, say)
     * @return {@code true} if every message came back whole
     * @throws IOException          if sending fails
     * @throws InterruptedException if interrupted while waiting for a reply
     */
    public static boolean run(ClientOptions options, Iterable<String> messages, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        try (TcpClient client = TcpClient.create(options)) {
            try {
                client.connect();
            } catch (IOException e) {
                err.println("could not connect: " + e);
                return false;
            }
            for (String message : messages) {
                byte[] request = message.getBytes(StandardCharsets.UTF_8);
                try {
                    client.send(request);
                } catch (java.net.ProtocolException e) { // the framing cannot carry it: nothing was sent
                    err.println("cannot send " + (message.length() > 40 ? message.substring(0, 40) + "..." : message)
                            + ": " + e.getMessage());
                    return false;
                }
                // Raw TCP has no message boundaries: read until as many bytes came back as went out, and
                // decode them once, since a character may be split between two pieces.
                ByteArrayOutputStream reply = new ByteArrayOutputStream();
                while (reply.size() < request.length) {
                    var piece = client.receive(Duration.ofSeconds(5));
                    if (piece.isEmpty()) {
                        err.println("no reply to: " + message);
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
