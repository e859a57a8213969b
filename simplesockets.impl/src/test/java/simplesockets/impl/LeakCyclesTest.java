package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.loopback;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import simplesockets.api.TcpServer;

/**
 * Leaks: many connect/close cycles against one server, then {@code close()}. Afterwards the threads
 * named ours and the process's open file descriptors are back to where they started.
 */
@Timeout(300)
class LeakCyclesTest {

    private static final int CYCLES = Integer.getInteger("simplesockets.leak.cycles", 10_000);
    private static final Pattern NAME = Pattern.compile("\"name\"\\s*:\\s*\"(simplesockets-[^\"]*)\"");

    @TempDir
    Path dumps;

    private int ourThreads(String file) throws IOException {
        Path dump = dumps.resolve(file);
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .dumpThreads(dump.toAbsolutePath().toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        Matcher m = NAME.matcher(Files.readString(dump));
        int count = 0;
        while (m.find()) {
            count++;
        }
        return count;
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void connectCloseCyclesLeaveNoThreadAndNoDescriptorBehind() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc");
        // Warm up first: the JDK opens its virtual-thread I/O pollers (epoll and wake-up descriptors) once,
        // on first use, for the life of the process. The baseline is taken after that.
        runCycles(200);
        ourThreads("warmup.json");
        int threadsBefore = ourThreads("before.json");
        long fdsBefore = openFds();
        long started = System.nanoTime();
        runCycles(CYCLES);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        int threadsAfter = ourThreads("after.json");
        long fdsAfter = openFds();
        System.out.printf("leak cycles: %d connect/close cycles in %d ms; our threads %d -> %d; open fds %d -> %d%n",
                CYCLES, tookMillis, threadsBefore, threadsAfter, fdsBefore, fdsAfter);
        assertEquals(threadsBefore, threadsAfter, "threads named ours");
        assertEquals(fdsBefore, fdsAfter, "open file descriptors");
    }

    private static void runCycles(int cycles) throws Exception {
        try (TcpServer server = TcpServer.create(loopback().backlog(512).onReceive((c, d) -> c.send(d)).build())) {
            server.start();
            for (int i = 0; i < cycles; i++) {
                try (Socket peer = new Socket()) {
                    peer.connect(server.localAddress().orElseThrow(), 5_000);
                    if (i % 10 == 0) { // every tenth also exchanges data before it leaves
                        peer.setSoTimeout(5_000);
                        peer.getOutputStream().write(1);
                        assertEquals(1, peer.getInputStream().read());
                    }
                }
            }
            // Connections close on their own threads: wait (bounded) until all have gone.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!server.clients().isEmpty() && System.nanoTime() < deadline) {
                server.awaitEvent(Duration.ofMillis(10));
            }
            assertTrue(server.clients().isEmpty(), server.clients().size() + " connections still open");
        }
    }
}
