package simplesockets.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
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
 */
public final class EchoServer {

    private EchoServer() {
    }

    /**
     * Starts the server and serves until the process is interrupted.
     *
     * @param args {@code --host HOST --port PORT}; port 0 picks a free port
     * @throws Exception if binding fails
     */
    public static void main(String[] args) throws Exception {
        Args options = Args.parse(args);
        try (TcpServer server = start(options.host(), options.port(), System.out)) {
            while (!Thread.currentThread().isInterrupted()) {
                echoOnce(server, Duration.ofSeconds(1));
            }
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
