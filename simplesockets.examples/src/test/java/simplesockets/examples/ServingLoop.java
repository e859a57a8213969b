package simplesockets.examples;

import java.io.PrintStream;
import java.time.Duration;
import simplesockets.api.TcpServer;

/** The example's own poll loop ({@link EchoServer#serve}), run by a test on a virtual thread of its own. */
final class ServingLoop {

    private ServingLoop() {
    }

    /**
     * Starts the loop; it answers until the server closes or the thread is interrupted.
     *
     * @param statsEvery how often it prints stats; {@link Duration#ZERO} for never
     */
    static Thread start(TcpServer server, Duration statsEvery, PrintStream out) {
        return Thread.ofVirtual().start(() -> {
            try {
                EchoServer.serve(server, statsEvery, out);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Stops the loop and waits for it, at most 2 s. */
    static void stop(Thread loop) throws InterruptedException {
        loop.interrupt();
        loop.join(Duration.ofSeconds(2));
    }
}
