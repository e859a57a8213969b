package simplesockets.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.TcpServer;

/** The echo server's {@code --stats SECONDS}: a line of the server's stats, that often, over real sockets. */
@Timeout(60)
class EchoServerStatsTest {

    /**
     * The echo server's loop takes only data, so its connects and disconnects go to callbacks: after
     * clients came and went, no event waits in the queue and none was dropped. Before, each left a
     * {@code Connected} and a {@code Disconnected} that nobody took, until 10,000 of them, holding their
     * ended connections, and then {@code droppedEvents} climbed in every stats line.
     */
    @Test
    void clientsThatComeAndGoLeaveNoEventBehind() throws Exception {
        try (TcpServer server = EchoServer.start(Args.parse("--host", "127.0.0.1", "--port", "0"),
                new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))) {
            Thread loop = ServingLoop.start(server, Duration.ZERO, System.out);
            try {
                for (int i = 0; i < 3; i++) {
                    try (Socket client = new Socket("127.0.0.1", server.localAddress().orElseThrow().getPort())) {
                        client.setSoTimeout(5_000);
                        client.getOutputStream().write("hi".getBytes(StandardCharsets.UTF_8));
                        assertArrayEquals("hi".getBytes(StandardCharsets.UTF_8), client.getInputStream().readNBytes(2));
                    }
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (server.stats().connectionsClosed() < 3 && System.nanoTime() < deadline) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // the ends are reported
                }
                assertEquals(3, server.stats().connectionsClosed());
                assertTrue(server.pollEvent().isEmpty(), "no event waits for a loop that never takes it");
                assertEquals(0, server.stats().droppedEvents());
            } finally {
                ServingLoop.stop(loop);
            }
        }
    }

    @Test
    void statsSecondsIsReadFromTheCommandLine() {
        assertEquals(Duration.ZERO, EchoServer.statsEvery(Args.parse("--port", "0")), "off unless asked");
        assertEquals(Duration.ofSeconds(5), EchoServer.statsEvery(Args.parse("--stats", "5", "--port", "0")));
        for (List<String> bad : List.of(List.of("--stats"), List.of("--stats", "0"), List.of("--stats", "x"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EchoServer.statsEvery(Args.parse(bad.toArray(String[]::new))));
            assertTrue(e.getMessage().contains("--stats"), e.getMessage());
        }
    }

    @Test
    void theServerPrintsALineOfStatsEverySoOften() throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        PrintStream out = new PrintStream(new OutputStream() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public synchronized void write(int b) {
                if (b == '\n') {
                    lines.add(line.toString());
                    line.setLength(0);
                } else {
                    line.append((char) b);
                }
            }
        }, true, StandardCharsets.US_ASCII);
        try (TcpServer server = EchoServer.start("127.0.0.1", 0, out)) {
            assertTrue(lines.take().startsWith("listening on "));
            Thread loop = ServingLoop.start(server, Duration.ofMillis(100), out);
            try (Socket peer = new Socket("127.0.0.1", server.localAddress().orElseThrow().getPort())) {
                peer.setSoTimeout(5_000);
                peer.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), peer.getInputStream().readNBytes(5));
                // A line comes every 100 ms; one soon shows the echo, on one line.
                String seen = null;
                for (int i = 0; i < 100 && seen == null; i++) {
                    String line = lines.poll(5, TimeUnit.SECONDS);
                    assertNotNull(line, "no stats line within 5 s");
                    assertTrue(line.startsWith("stats ServerStats[connectionsOpen="), line);
                    if (line.contains(" bytesIn=5 bytesOut=5 messagesIn=1 messagesOut=1 ")) {
                        seen = line;
                    }
                }
                assertNotNull(seen, "no line showed the echo");
                assertTrue(seen.contains("connectionsOpen=1 connectionsAccepted=1"), seen);
            } finally {
                loop.interrupt();
                assertTrue(loop.join(Duration.ofSeconds(5)));
            }
        }
    }
}
