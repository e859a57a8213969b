package simplesockets.examples;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Framing;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpServer;

/**
 * A chat server: each line one client sends goes to every other client, prefixed with the sender's
 * port. Callback style: each callback runs on the sending client's own virtual thread.
 *
 * <p>The server speaks lines ({@link Framing#lines(int)}), so {@code onReceive} gets one whole line
 * at a time, without its {@code \n} (or {@code \r\n}), however TCP cut or joined the bytes: a line
 * that arrives in parts is relayed once, whole, and two lines that arrive together are relayed as two.
 * Each {@code send} adds the {@code \n} back. A line longer than {@link #MAX_LINE_BYTES} ends its
 * sender's connection (the server records a {@code Failure.Protocol}), and nothing more than that is
 * ever held for a line still arriving; a line that fits but leaves no room for the prefix is not
 * relayed, and its sender is told so. A last line without a newline, sent just before the client
 * leaves, is relayed too.
 *
 * <p>One member that never reads cannot freeze the room. The relay runs on the sender's thread, so
 * each {@code other.send(line)} only queues the line for that member's own writer and returns at
 * once; a member whose queue passes {@code maxPendingSendBytes} (1 MiB by default) is disconnected as
 * a slow consumer ({@code SendOverflow.DISCONNECT}, the server's default), and everyone else goes on
 * chatting.
 *
 * <pre>{@code java -m simplesockets.examples/simplesockets.examples.ChatServer --port 9999}</pre>
 *
 * <p>Then, in two terminals, {@code ncat 127.0.0.1 9999}, and type.
 *
 * <p>Behind a load balancer, {@code --proxy-protocol} makes it read the PROXY protocol header (v1 or
 * v2) the balancer sends first, from the balancers named by {@code --trusted-proxy ADDRESS-OR-CIDR}
 * (this machine's loopback addresses when none is named): each line is then prefixed with the port
 * of the real client, not the balancer's.
 */
public final class ChatServer {

    /** The longest line, in bytes, the server takes from a client or sends to one (8 KiB). */
    public static final int MAX_LINE_BYTES = 8 * 1024;

    private ChatServer() {
    }

    /**
     * Starts the chat server and serves until the process is interrupted.
     *
     * <p>A bad command line prints its message and the usage to standard error and exits 2; an address
     * in use prints its message and exits 1.
     *
     * @param args {@code --host HOST --port PORT | --unix PATH, [--proxy-protocol] [--trusted-proxy ADDRESS-OR-CIDR]...}
     */
    public static void main(String[] args) {
        Args.main("chat-server", "[--host HOST] [--port PORT | --unix PATH] [--proxy-protocol]"
                + " [--trusted-proxy ADDRESS-OR-CIDR]...", args, options -> {
                    TcpServer server = start(options);
                    System.out.println("chat on " + Args.where(server));
                    // On SIGTERM or Ctrl-C: lines on their way are relayed, members hear who left, and a Unix
                    // socket's file is removed; then the process ends.
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> server.close(Duration.ofSeconds(5)),
                            "chat-server-close"));
                    Thread.currentThread().join(); // serve until the process ends
                    return 0;
                });
    }

    /**
     * Starts a chat server.
     *
     * @param host where to listen
     * @param port the port, 0 for any free one
     * @return the running server
     * @throws java.io.IOException if binding fails
     */
    public static TcpServer start(String host, int port) throws java.io.IOException {
        return start(Args.parse("--host", host, "--port", String.valueOf(port)));
    }

    /**
     * Starts a chat server.
     *
     * @param args the command line: host and port (or a Unix socket), and the PROXY protocol if asked for
     * @return the running server
     * @throws java.io.IOException if binding fails
     */
    public static TcpServer start(Args args) throws java.io.IOException {
        args.refuseWords("chat-server");
        if (args.framing().isPresent() || args.stats().isPresent()) {
            throw new IllegalArgumentException("chat-server takes no --framing (it speaks lines) and no --stats");
        }
        TcpServer[] self = new TcpServer[1];
        TcpServer server = TcpServer.create(ServerOptions.builder().host(args.host()).port(args.port())
                .unixSocket(args.unix().orElse(null))
                .proxyProtocol(args.proxy().orElse(null))
                .framing(Framing.lines(MAX_LINE_BYTES))
                .onConnect(joined -> announce(self[0], args, joined, "joined"))
                .onReceive((sender, data) -> relay(self[0], sender, data))
                .onDisconnect((left, reason) -> announce(self[0], args, left, left(reason)))
                .build());
        self[0] = server;
        try {
            server.start();
        } catch (java.io.IOException | RuntimeException e) { // a server that did not start is closed all the same
            server.close();
            throw e;
        }
        return server;
    }

    /** Who someone is in the chat: the client's port, or, over a Unix socket (no ports), {@code #} and its id. */
    private static String name(Connection connection) {
        int port = connection.remoteAddress().getPort();
        return port != 0 ? String.valueOf(port) : "#" + connection.id();
    }

    private static void relay(TcpServer server, Connection sender, byte[] data) {
        byte[] prefix = (name(sender) + ": ").getBytes(StandardCharsets.UTF_8);
        if (prefix.length + data.length > MAX_LINE_BYTES) {
            // The line fit when it came in, but not with the prefix: say so rather than drop it silently.
            tell(sender, "* not relayed: a line may have at most " + (MAX_LINE_BYTES - prefix.length) + " bytes");
            return;
        }
        byte[] line = new byte[prefix.length + data.length];
        System.arraycopy(prefix, 0, line, 0, prefix.length);
        System.arraycopy(data, 0, line, prefix.length, data.length);
        for (Connection other : server.clients()) {
            if (!other.equals(sender)) {
                try {
                    other.send(line);
                } catch (java.io.IOException e) {
                    // That client left, or was too slow and was disconnected; its own thread announces it.
                }
            }
        }
    }

    /**
     * How the room hears that someone left, by why: a {@code switch} over the sealed reason names every
     * kind, so the compiler would point here if a new kind came.
     */
    static String left(DisconnectReason reason) {
        return switch (reason) {
            case DisconnectReason.PeerClosed closed -> "left";
            case DisconnectReason.ClosedByUs us -> "left (the chat is closing)";
            case DisconnectReason.Reset reset -> "left (connection reset)";
            case DisconnectReason.TimedOut timedOut -> "left (timed out)";
            case DisconnectReason.SlowConsumer slow -> "left (too slow to read the chat)";
            case DisconnectReason.Failed failed when failed.cause() instanceof java.net.ProtocolException ->
                    "left (a line over " + MAX_LINE_BYTES + " bytes)";
            case DisconnectReason.Failed failed -> "left (" + failed.cause().getClass().getSimpleName() + ")";
        };
    }

    /**
     * Tells the room who joined or left; but not a balancer's health check, which, behind the PROXY
     * protocol, comes with a header that names no client (a v2 {@code LOCAL}, a v1 {@code UNKNOWN}).
     */
    private static void announce(TcpServer server, Args args, Connection who, String what) {
        if (args.proxy().isPresent() && who.proxyAddress().isEmpty()) {
            return;
        }
        relay(server, who, what.getBytes(StandardCharsets.UTF_8));
    }

    private static void tell(Connection who, String what) {
        try {
            who.send(what.getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            // That client left; its own thread announces it.
        }
    }
}
