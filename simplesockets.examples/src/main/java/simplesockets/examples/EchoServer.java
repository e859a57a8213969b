package simplesockets.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import simplesockets.api.Framing;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.ServerState;
import simplesockets.api.TcpServer;

/**
 * The tutorial's echo server, in Java: it polls for received data, as the seed's
 * {@code while True: if Server.event.new_data: ...} loop did, and sends each piece back.
 *
 * <pre>{@code java -m simplesockets.examples/simplesockets.examples.EchoServer --port 9999}</pre>
 *
 * <p>Raw framing, so any raw TCP peer can talk to it: {@code echo hello | ncat 127.0.0.1 9999}. With
 * {@code --framing length} it echoes frames of a 4-byte big-endian length and up to 1 MiB of data, and
 * with {@code --framing lines} lines of up to 64 KiB: then a drain knows where a message ends, and waits
 * for the rest of one that had begun to arrive.
 *
 * <p>Behind a load balancer, {@code --proxy-protocol} makes it read the PROXY protocol header (v1 or
 * v2, whichever comes) that HAProxy, nginx or a cloud balancer sends first, from the balancers named by
 * {@code --trusted-proxy ADDRESS-OR-CIDR} (this machine's loopback addresses when none is named). It
 * prints {@code client ADDRESS via PROXY} for each client a header named:
 * {@code printf 'PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\nhello' | ncat 127.0.0.1 9999} gets
 * {@code hello} back, and the server prints {@code client 203.0.113.7:5555 via 127.0.0.1:...}.
 *
 * <p>On SIGTERM (or Ctrl-C) it drains, as a rolling restart needs: it stops accepting at once, answers
 * what its clients sent, closes each connection when that is done (for at most {@link #DRAIN_GRACE}),
 * prints {@code closed: N connection(s) cut off}, and exits.
 *
 * <p>With {@code --stats SECONDS} it also prints a line of the server's {@link TcpServer#stats()} that
 * often: {@code stats ServerStats[connectionsOpen=1 connectionsAccepted=3 ...]}.
 */
public final class EchoServer {

    /** How long a drain on SIGTERM may take before the connections still busy are cut off. */
    public static final Duration DRAIN_GRACE = Duration.ofSeconds(10);

    private EchoServer() {
    }

    /**
     * Starts the server and serves until the process is told to stop (SIGTERM or Ctrl-C), then drains.
     *
     * <p>A bad command line prints its message and the usage to standard error and exits 2; an address
     * in use prints its message and exits 1. After a drain on SIGTERM or Ctrl-C, the JVM exits with 143
     * or 130 (128 plus the signal), as any Java program a signal ends.
     *
     * @param args {@code --host HOST --port PORT | --unix PATH, [--proxy-protocol]
     *             [--trusted-proxy ADDRESS-OR-CIDR]... [--stats SECONDS] [--framing raw|length|lines]};
     *             port 0 picks a free port
     */
    public static void main(String[] args) {
        Args.main("echo-server", USAGE, args, EchoServer::serveUntilStopped);
    }

    /**
     * The server's program: starts it, drains it on SIGTERM or Ctrl-C, and serves until then.
     *
     * @param options the parsed command line
     * @return 0, once the drain is over
     * @throws IOException          if binding fails
     * @throws InterruptedException if interrupted while serving
     */
    static int serveUntilStopped(Args options) throws IOException, InterruptedException {
        Duration statsEvery = statsEvery(options);
        try (TcpServer server = start(options, System.out)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> drain(server, System.out), "echo-server-drain"));
            serve(server, statsEvery, System.out); // the poll loop answers until the drain is over
        }
        return 0;
    }

    /** The options, for the usage line. */
    static final String USAGE = "[--host HOST] [--port PORT | --unix PATH] [--proxy-protocol]"
            + " [--trusted-proxy ADDRESS-OR-CIDR]... [--framing raw|length|lines] [--stats SECONDS]";

    /**
     * The {@code --framing raw|length|lines} option.
     *
     * @param args the command line
     * @return raw framing without the option; {@link Framing#lengthPrefixed} up to 1 MiB for {@code length};
     *         {@link Framing#lines} up to 64 KiB for {@code lines}
     * @throws IllegalArgumentException if {@code --framing} names no such framing
     */
    public static Framing framing(Args args) {
        String kind = args.framing().orElse("raw");
        return switch (kind) {
            case "raw" -> Framing.RAW;
            case "length" -> Framing.lengthPrefixed(1 << 20);
            case "lines" -> Framing.lines(64 * 1024);
            default -> throw new IllegalArgumentException("--framing needs raw, length or lines, not '" + kind + "'");
        };
    }

    /**
     * The {@code --stats SECONDS} option.
     *
     * @param args the command line
     * @return how often to print the stats, {@link Duration#ZERO} for never (no {@code --stats})
     * @throws IllegalArgumentException if {@code --stats} is not a positive whole number of seconds
     */
    public static Duration statsEvery(Args args) {
        if (args.stats().isEmpty()) {
            return Duration.ZERO;
        }
        try {
            int seconds = Integer.parseInt(args.stats().get());
            if (seconds > 0) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // told below
        }
        throw new IllegalArgumentException("--stats needs a whole number of seconds, at least 1, not '"
                + args.stats().get() + "'");
    }

    /**
     * Echoes until the server is closed (or the thread interrupted); every {@code statsEvery}, prints {@code stats } and the
     * server's {@link TcpServer#stats()} on one line.
     *
     * @param server     the server
     * @param statsEvery how often to print the stats; {@link Duration#ZERO} for never
     * @param out        where to print them
     * @throws InterruptedException if interrupted while waiting
     */
    public static void serve(TcpServer server, Duration statsEvery, PrintStream out) throws InterruptedException {
        long every = statsEvery.toNanos();
        long next = System.nanoTime() + every;
        while (server.state() != ServerState.CLOSED && !Thread.currentThread().isInterrupted()) {
            Duration wait = Duration.ofSeconds(1);
            if (every > 0) {
                long left = next - System.nanoTime();
                if (left <= 0) {
                    out.println("stats " + server.stats());
                    out.flush();
                    next += every * (1 - left / every); // skips the prints a long pause missed
                    left = next - System.nanoTime();
                }
                wait = Duration.ofNanos(Math.max(1, Math.min(wait.toNanos(), left)));
            }
            echoOnce(server, wait);
        }
    }

    /**
     * Binds, starts accepting, and prints {@code listening on HOST:PORT} (the real port).
     *
     * @param host where to listen
     * @param port the port, 0 for any free one
     * @param out  where to print the line
     * @return the running server; close it to stop
     * @throws IOException if binding fails
     */
    public static TcpServer start(String host, int port, PrintStream out) throws IOException {
        return start(Args.parse("--host", host, "--port", String.valueOf(port)), out);
    }

    /**
     * Binds, starts accepting, and prints {@code listening on HOST:PORT} (the real port), or
     * {@code listening on unix:PATH} with {@code --unix PATH}; with the
     * PROXY protocol, also {@code client ADDRESS via PROXY} for each client a header named.
     *
     * @param args the command line: host and port (or a Unix socket), and the PROXY protocol if asked for
     * @param out  where to print
     * @return the running server; close it to stop
     * @throws IOException if binding fails
     */
    public static TcpServer start(Args args, PrintStream out) throws IOException {
        // Connects and disconnects go to callbacks (which print nothing, but for the PROXY protocol's
        // "via" line), so the polling queue holds only data: the loop takes only data, and events it never
        // took would pile up to maxQueuedEvents, holding ended connections, and then count as dropped.
        args.refuseWords("echo-server");
        Framing framing = framing(args);
        ServerOptions.Builder options = ServerOptions.builder().host(args.host()).port(args.port())
                .unixSocket(args.unix().orElse(null)).framing(framing)
                // A send larger than the bound is taken only while nothing else is pending: room for a few
                // of the largest frames, so a client that pipelines them is slowed, not cut off.
                .maxPendingSendBytes(framing instanceof Framing.LengthPrefixed ? 4 << 20 : 1 << 20)
                .onConnect(c -> { })
                .onDisconnect((c, why) -> { });
        args.proxy().ifPresent(proxy -> options.proxyProtocol(proxy)
                .onConnect(c -> c.proxyAddress().ifPresent(via -> out.println("client " + text(c.remoteAddress())
                        + " via " + text(via)))));
        TcpServer server = TcpServer.create(options.build());
        try {
            server.start();
        } catch (IOException | RuntimeException e) { // a server that did not start is closed all the same
            server.close();
            throw e;
        }
        out.println("listening on " + Args.where(server));
        out.flush();
        return server;
    }

    /**
     * Waits up to {@code timeout} for data, and sends every piece back to whoever sent it.
     *
     * @param server  the server
     * @param timeout the longest wait
     * @throws InterruptedException if interrupted while waiting
     */
    public static void echoOnce(TcpServer server, Duration timeout) throws InterruptedException {
        for (ServerEvent.Received received : server.awaitReceived(timeout)) {
            try {
                server.send(received.connection(), received.data());
            } catch (IOException e) {
                // The client left before its echo: nothing to do but go on with the others.
            }
        }
    }

    /**
     * Drains the server: stops accepting, lets every connection finish what it has (the poll loop keeps
     * answering meanwhile), and closes it, within {@link #DRAIN_GRACE}.
     *
     * @param server the server
     * @param out    where to print {@code draining} and {@code closed: N connection(s) cut off}
     */
    public static void drain(TcpServer server, PrintStream out) {
        out.println("draining");
        int cutOff = server.close(DRAIN_GRACE);
        out.println("closed: " + cutOff + " connection(s) cut off");
        out.flush();
    }

    private static String text(InetSocketAddress address) {
        if (address.isUnresolved()) { // a Unix domain socket's peer shows its socket file's path
            return "unix:" + address.getHostString();
        }
        String host = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
