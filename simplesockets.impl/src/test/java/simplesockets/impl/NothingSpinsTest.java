package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.connect;
import static simplesockets.impl.Peers.loopback;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.ClientOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;

/**
 * Every part that waits parks, so that a process whose servers and clients all wait burns next to no
 * CPU. The seed spun at 100% of a core on a peer's end of stream (defect 1) and in {@code await_event}
 * (defect 8); {@code SeedDefectsTest} checks those two places. This looks at the whole process while
 * every kind of wait is under way at once: idle connections, a reader held back by a full queue, a
 * half-closed peer's connection waiting for its data to be drained, a pulling client's reader that
 * nobody waits for, a client receiving in the background, and a polling loop's timed waits. A thread
 * spinning in any of them costs a whole core's time over the window; the bound is half of that (idle,
 * the process burns 20 to 210 ms of it in 2 s here: the rest is the JIT's and the collector's).
 */
@Timeout(60)
class NothingSpinsTest {

    /** How long the process's CPU time is read over. */
    private static final Duration WINDOW = Duration.ofSeconds(2);

    @Test
    void aProcessWhoseServersAndClientsAllWaitBurnsNextToNoCpu() throws Exception {
        List<AutoCloseable> open = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try (TcpServer polled = TcpServer.create(loopback().halfCloseGrace(Duration.ofMinutes(1)).build());
                TcpServer echo = TcpServer.create(loopback().onReceive((c, d) -> c.send(d)).build())) {
            try {
                polled.start();
                echo.start();
                for (int i = 0; i < 50; i++) {
                    open.add(connect(polled.localAddress().orElseThrow())); // idle
                }
                Socket flooding = connect(polled.localAddress().orElseThrow());
                open.add(flooding);
                byte[] chunk = new byte[64 * 1024];
                Thread filler = Thread.ofVirtual().start(() -> { // until the kernel's buffers are full too
                    try {
                        while (true) {
                            flooding.getOutputStream().write(chunk);
                        }
                    } catch (IOException closed) {
                        // the test ends
                    }
                });
                threads.add(filler);
                Socket halfClosed = connect(polled.localAddress().orElseThrow());
                open.add(halfClosed);
                halfClosed.getOutputStream().write(Peers.bytes("the last request"));
                halfClosed.shutdownOutput();
                TcpClient pulling = TcpClient.create(ClientOptions.builder().address(echo.localAddress().orElseThrow()).build());
                open.add(pulling);
                pulling.connect();
                TcpClient pushed = TcpClient.create(ClientOptions.builder().address(echo.localAddress().orElseThrow())
                        .autoReceive(true).onReceive(d -> { }).build());
                open.add(pushed);
                pushed.connect();
                pushed.send(Peers.bytes("one round trip"));
                // A polling loop's timed waits, on a server whose data goes to its callback: nothing comes.
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        while (!Thread.currentThread().isInterrupted()) {
                            echo.awaitReceived(Duration.ofMillis(100));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
                // Settled: every connection is served, and the flood fills the kernel's buffers (its writer waits).
                Peers.awaitCondition(() -> polled.clients().size() == 52 && filler.getState() == Thread.State.WAITING
                        && polled.stats().bytesIn() > 0, Peers.WAIT, () -> "not settled: " + polled.stats());
                var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long cpuBefore = os.getProcessCpuTime();
                long started = System.nanoTime();
                Thread.sleep(WINDOW); // the window measured, not a synchronization
                long cpuMillis = TimeUnit.NANOSECONDS.toMillis(os.getProcessCpuTime() - cpuBefore);
                long wallMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertTrue(cpuMillis < wallMillis / 2, "the whole process burnt " + cpuMillis + " ms of CPU in "
                        + wallMillis + " ms while everything waited");
            } finally {
                threads.forEach(Thread::interrupt);
                for (AutoCloseable c : open) {
                    c.close(); // the flood's socket too, which ends its writer
                }
                for (Thread t : threads) {
                    t.join(Peers.WAIT);
                }
            }
        }
    }
}
