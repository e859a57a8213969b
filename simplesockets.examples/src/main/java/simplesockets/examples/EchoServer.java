package simplesockets.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpServer;

/**
 * The tutorial's echo server, in Java: it polls for received data, as the seed's
 * {@code while True: if Server.event.new_data: ...} loop did, and sends each piece back.
 *
 * <pre>{@code java -m simplesockets.examples/simplesockets.examples.EchoServer --port 9999}</pre>
 *
 * <p>Raw framing, so any raw TCP peer can talk to it: {@code echo hello | ncat 127.0.0.1 9999}.
 *
 * <p>With {@code --stats SECONDS} it also prints a line of the server's {@link TcpServer#stats()} that
 * often: {@code stats ServerStats[connectionsOpen=1 connectionsAccepted=3 ...]}.
 */
public final class EchoServer {

    private EchoServer() {
    }

    /**
     * Starts the server and serves until the process is interrupted.
     *
     * @param args {@code --host HOST --port PORT [--stats SECONDS]}; port 0 picks a free port
     * @throws Exception if binding fails
     */
    public static void main(String[] args) throws Exception {
        Args options = Args.parse(args);
        Duration statsEvery = statsEvery(options.words());
        try (TcpServer server = start(options.host(), options.port(), System.out)) {
            serve(server, statsEvery, System.out);
        }
    }

    /**
     * The {@code --stats SECONDS} option among the words of the command line.
     *
     * @param words the words that are not {@code --host} or {@code --port}
     * @return how often to print the stats, {@link Duration#ZERO} for never (no {@code --stats})
     * @throws IllegalArgumentException if {@code --stats} lacks a positive whole number of seconds
     */
    public static Duration statsEvery(List<String> words) {
        int at = words.indexOf("--stats");
        if (at < 0) {
            return Duration.ZERO;
        }
        try {
            int seconds = Integer.parseInt(at + 1 < words.size() ? words.get(at + 1) : "");
            if (seconds > 0) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // told below
        }
        throw new IllegalArgumentException("--stats needs a whole number of seconds, at least 1");
    }

    /**
     * Echoes until the thread is interrupted; every {@code statsEvery}, prints {@code stats } and the
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
        while (!Thread.currentThread().isInterrupted()) {
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
        TcpServer server = TcpServer.create(ServerOptions.builder().host(host).port(port).build());
        server.start();
        java.net.InetSocketAddress bound = server.localAddress().orElseThrow(); // bound by start()
        out.println("listening on " + bound.getHostString() + ":" + bound.getPort());
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
}
