package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import simplesockets.api.ServerOptions;

/**
 * Issue 12, scaled to CI: what a hostile peer could do to a server from outside, over real loopback
 * sockets, against a server in a JVM of its own ({@link AdversarialServer}) where its memory or its
 * log is the point.
 *
 * <ul>
 *   <li>Retention: 1,000 peers, one at a time, each leaving the better part of a 1 MiB frame, leave
 *       the heap of a 256 MiB server where it was.</li>
 *   <li>A total bound: 700 peers at once, each stuck in the better part of a 1 MiB frame, do not stop
 *       a 512 MiB server from serving fresh clients.</li>
 *   <li>Log flood: 2,000 peers that send 64 bytes and reset, against the README's echo callback,
 *       make fewer than 100 lines of log.</li>
 * </ul>
 */
class AdversarialSuiteTest {

    private static final int MiB = 1 << 20;
    /** What each hostile peer sends of its 1 MiB frame. */
    private static final int PARTIAL = 900 * 1024;
    /** A peer's socket waits no longer than this for anything. */
    private static final int PEER_TIMEOUT_MS = 10_000;
    /**
     * Peers connect in groups of this many, each group accepted before the next connects. The server
     * keeps the default listen backlog of 5, and a client that connects faster than the accept loop
     * takes connections overflows it: on this 2-core box one connect in seven then waited for the
     * kernel's 1 s SYN retry, and 2,000 peers took minutes. Pacing keeps the runs short; it changes
     * nothing about what each peer does.
     */
    private static final int PACE = 4;

    // ---- 1. retention ----

    /** What the retention run measured: the heap after a full GC at the warm point and at the end. */
    private record Retention(int warmUp, long warm, int peers, long end, long millis) {
        long growth() {
            return end - warm;
        }

        String figures(String verdict) {
            return String.format("retention: heap after full GC %.2f MiB after %d peers, %.2f MiB after %d peers"
                            + " (growth %.2f MiB = %+.1f%%, %d bytes per peer that left; %s); %d peers in %d ms",
                    mib(warm), warmUp, mib(end), peers, mib(growth()), 100.0 * growth() / warm,
                    growth() / (peers - warmUp), verdict, peers, millis);
        }
    }

    /**
     * 1,000 peers, one at a time, each send the header of a 1 MiB frame and 900 KiB of it, then go; the
     * server's heap is read after a full GC once warm (50 peers) and at the end; then a fresh client
     * must still be echoed. The server sets {@code onReceive} and {@code onDisconnect} but not
     * {@code onConnect}, as in the reproduction: a callback server that never polls, so no
     * event of a peer that left may keep it reachable.
     */
    private static Retention leavePartialFrames(String mode) throws Exception {
        int peers = 1_000;
        int warmUp = 50;
        byte[] partial = partialFrame();
        try (Forked server = Forked.start(mode, "-Xmx256m")) {
            InetSocketAddress address = server.address();
            long warm = 0;
            long started = System.nanoTime();
            for (int i = 1; i <= peers; i++) {
                try {
                    sendAndLeave(address, partial);
                } catch (IOException e) {
                    fail("peer " + i + " of " + peers + " failed: " + e + "; server " + server.describe(), e);
                }
                if (i == warmUp) {
                    warm = server.heap(warmUp);
                }
            }
            long end = server.heap(peers);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            byte[] echoed;
            try {
                echoed = echoFrame(address, "still here");
            } catch (IOException e) {
                fail("a fresh client was not served after " + peers + " peers: " + e + "\nserver output:\n"
                        + server.tail(), e);
                return null;
            }
            assertArrayEquals(bytes("still here"), echoed, "a fresh client's echo after " + peers + " peers");
            assertNoOutOfMemory(server, "after " + peers + " peers");
            return new Retention(warmUp, warm, peers, end, millis);
        }
    }

    /**
     * The fix itself: an ended connection holds no buffers. With default options a peer that left
     * costs only its entry in the exception list (its end of stream inside a frame is a recorded
     * failure; the list keeps 1,000), never a buffer: 16 KiB per peer is a quarter of the smallest
     * buffer a leaving peer here made the server hold (its 64 KiB read buffer; its frame was 1 MiB).
     *
     * <p>Checked against two broken engines: with the buffers kept at the end (the bodies of
     * {@code Codec.release}, {@code ReadBuffer.release} and {@code Outbound.release} emptied, the
     * bytes in flight still given back) the server died of OutOfMemoryError at about 120 peers; with
     * the two release calls in {@code Link.finish} commented out, the partial frames' bytes in flight
     * were never given back either, and the 64th peer was never read (64 MiB, the default bound).
     */
    @Test
    void peersThatLeftHoldNoBuffers() throws Exception {
        Retention r = leavePartialFrames("framed");
        long perPeer = r.growth() / (r.peers() - r.warmUp());
        String figures = r.figures("allowed: under 16 KiB per peer");
        System.out.println(figures);
        assertTrue(perPeer < 16 * 1024, figures);
    }

    /**
     * Issue 12's "done means": 1,000 sequential peers leaving partial 1 MiB frames leave the heap where
     * it started, within 10% after a full GC, in a server JVM with 256 MiB of heap. Each such peer's
     * end of stream inside a frame is a recorded failure, and the exception list keeps up to
     * {@code maxRecordedFailures} of them by design (about 0.9 KB each with its stack trace: with the
     * default 1,000 that alone is +0.8 MiB on this server's 2 MiB, see the test above). So this server
     * keeps 16, and the bound is a strict 10% of the warm heap: nothing else of a peer that left may
     * stay. Before the fix, every peer that left stayed reachable through its {@code Connected} event
     * queued for polling in callback style (+130%, about 2.8 KB each).
     */
    @Test
    void peersThatLeftLeaveTheHeapWithinTenPercent() throws Exception {
        Retention r = leavePartialFrames("framed-few-failures");
        long allowed = r.warm() / 10;
        String figures = r.figures(String.format("allowed: %.2f MiB", mib(allowed)));
        System.out.println(figures);
        assertTrue(r.growth() <= allowed, figures);
    }

    /** Sends {@code bytes}, shuts down output, and waits until the server has closed its side. */
    private static void sendAndLeave(InetSocketAddress address, byte[] bytes) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, PEER_TIMEOUT_MS);
            socket.setSoTimeout(PEER_TIMEOUT_MS);
            socket.getOutputStream().write(bytes);
            // Closing would do as well; shutting down the output and waiting for the server to close
            // keeps the peers strictly one at a time, so maxConnections could not have helped.
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            try {
                while (in.read() >= 0) {
                    // the server never answers a partial frame; drain whatever, until it closes
                }
            } catch (java.net.SocketException reset) {
                // a reset is a close too
            }
        }
    }

    // ---- 2. a total bound on bytes in flight ----

    /**
     * 700 peers at once each send the header of a 1 MiB frame and 900 KiB of it, and stay. Before the
     * fix, their partial frames had no total bound: 700 of them exhausted a 512 MiB heap and the
     * server died. Now, past maxQueuedBytesTotal (64 MiB by default) they wait, and a fresh client is
     * still served. (With {@code Budget.awaitRoom} made to return at once, the first fresh client
     * got no answer in 10 s.)
     */
    @Test
    void concurrentPartialFramesDoNotStopFreshClientsBeingServed() throws Exception {
        int count = 700; // 1,400 sockets on this box (server and peers); `ulimit -n` here is 20,000
        byte[] partial = partialFrame();
        long limit = ServerOptions.builder().build().maxQueuedBytesTotal();
        List<Socket> peers = new ArrayList<>();
        List<Thread> writers = new ArrayList<>();
        AtomicInteger writesDone = new AtomicInteger();
        try (Forked server = Forked.start("framed", "-Xmx512m")) {
            InetSocketAddress address = server.address();
            long started = System.nanoTime();
            try {
                for (int i = 1; i <= count; i++) {
                    Socket socket = new Socket();
                    peers.add(socket);
                    socket.connect(address, PEER_TIMEOUT_MS);
                    if (i % PACE == 0 || i == count) {
                        int connected = i;
                        server.statsUntil(s -> s[0] == connected, connected + " peers accepted");
                    }
                }
                long connectedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                long[] stats;
                for (Socket socket : peers) {
                    // Each write blocks on TCP backpressure once the server stops reading: that is the
                    // point. Closing the socket (below) ends it.
                    writers.add(Thread.ofVirtual().start(() -> {
                        try {
                            socket.getOutputStream().write(partial);
                            writesDone.incrementAndGet();
                        } catch (IOException closed) {
                            // closed at the end of the test
                        }
                    }));
                }
                stats = server.statsUntil(s -> s[1] >= limit, "the bytes in flight reach maxQueuedBytesTotal");
                long budgetWhenStuck = stats[1];
                long stuckMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                long worst = 0;
                int probes = 5;
                for (int i = 0; i < probes; i++) {
                    long asked = System.nanoTime();
                    byte[] echoed;
                    try {
                        echoed = echoFrame(address, "probe " + i);
                    } catch (IOException e) {
                        fail("fresh client " + i + " was not served while " + count + " peers were stuck: " + e
                                + "; server " + server.describe(), e);
                        return;
                    }
                    worst = Math.max(worst, System.nanoTime() - asked);
                    assertArrayEquals(bytes("probe " + i), echoed);
                }
                // The probes have closed; once the server has seen them go, the stuck peers are all that is left.
                long[] after = server.statsUntil(s -> s[0] == count, "the probes' connections ended");
                long heap = server.heap(0);
                String figures = String.format("total bound: %d peers stuck in partial 1 MiB frames (all connected at"
                                + " %d ms, the bound reached at %d ms; %d of their 900 KiB writes completed into socket"
                                + " buffers); bytes in flight %.1f MiB when stuck, %.1f MiB after the probes (limit %.0f"
                                + " MiB); %d of %d fresh clients served, slowest echo %d ms; server heap after full GC"
                                + " %.1f MiB of 512; connections open %d",
                        count, connectedMillis, stuckMillis, writesDone.get(), mib(budgetWhenStuck), mib(after[1]),
                        mib(limit), probes, probes, TimeUnit.NANOSECONDS.toMillis(worst), mib(heap), after[0]);
                System.out.println(figures);
                assertTrue(worst < TimeUnit.SECONDS.toNanos(3), figures);
                assertTrue(server.isAlive(), "the server process died: " + figures);
                assertNoOutOfMemory(server, figures);
            } finally {
                for (Socket socket : peers) {
                    socket.close();
                }
                for (Thread writer : writers) {
                    writer.join(Duration.ofSeconds(10));
                }
            }
        }
    }

    // ---- 3. log flood ----

    /**
     * 2,000 peers each send 64 bytes and reset, against the README's echo callback. Before the fix,
     * each made the callback's send fail, logged at WARN with a full stack trace: 2,000 such peers
     * wrote 51,974 lines. Now a send to a peer that left is debug, and callback warnings are at most
     * one per kind every ten seconds. (With both undone, this run logged 55,071 lines; with either one
     * alone, 0 or 29.)
     */
    @Test
    void resettingPeersDoNotFloodTheLog() throws Exception {
        int count = 2_000;
        byte[] data = new byte[64];
        long[] stats;
        List<String> logged;
        long millis;
        String kinds;
        try (Forked server = Forked.start("echo", "-Xmx256m")) {
            InetSocketAddress address = server.address();
            long started = System.nanoTime();
            for (int i = 1; i <= count; i++) {
                try (Socket socket = new Socket()) {
                    socket.connect(address, PEER_TIMEOUT_MS);
                    socket.getOutputStream().write(data);
                    socket.setSoLinger(true, 0); // close sends a reset
                }
                if (i % PACE == 0) {
                    // Connections are accepted in order: this echo proves the peers before it were
                    // accepted, so the default backlog of 5 never overflows (see PACE).
                    try (Socket pacer = new Socket()) {
                        pacer.connect(address, PEER_TIMEOUT_MS);
                        pacer.setSoTimeout(PEER_TIMEOUT_MS);
                        pacer.getOutputStream().write('p');
                        assertEquals('p', pacer.getInputStream().read(), "the pacer's echo after " + i + " peers");
                    }
                }
            }
            millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            // A fresh client is accepted after every peer before it, and is echoed.
            try (Socket socket = new Socket()) {
                socket.connect(address, PEER_TIMEOUT_MS);
                socket.setSoTimeout(PEER_TIMEOUT_MS);
                socket.getOutputStream().write(bytes("hello"));
                assertArrayEquals(bytes("hello"), socket.getInputStream().readNBytes(5));
            }
            stats = server.statsUntil(s -> s[0] == 0, "every connection ended");
            kinds = server.failures();
            server.quit();
            logged = server.logLines();
        }
        long warnings = logged.stream().filter(line -> line.contains("WARN")).count();
        long stackFrames = logged.stream().filter(line -> line.trim().startsWith("at ")).count();
        String figures = String.format("log flood: %d peers sent 64 bytes and reset, in %d ms; %d failures recorded (kept:"
                + " %s); %d lines logged (%d WARN, %d stack-trace frames)", count, millis, stats[3], kinds, logged.size(),
                warnings, stackFrames);
        System.out.println(figures);
        logged.stream().limit(5).forEach(line -> System.out.println("  log: " + line));
        assertTrue(logged.size() < 100, figures + "\nfirst lines:\n" + String.join("\n", logged.subList(0,
                Math.min(40, logged.size()))));
    }

    // ---- helpers ----

    /** The 4-byte header of a 1 MiB frame, then 900 KiB of it. */
    private static byte[] partialFrame() {
        byte[] bytes = new byte[4 + PARTIAL];
        bytes[0] = (byte) (MiB >>> 24);
        bytes[1] = (byte) (MiB >>> 16);
        bytes[2] = (byte) (MiB >>> 8);
        bytes[3] = (byte) MiB;
        for (int i = 4; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    /** Sends one small complete length-prefixed frame on a fresh connection and reads the echo. */
    private static byte[] echoFrame(InetSocketAddress address, String text) throws IOException {
        byte[] data = bytes(text);
        try (Socket socket = new Socket()) {
            socket.connect(address, PEER_TIMEOUT_MS);
            socket.setSoTimeout(PEER_TIMEOUT_MS);
            byte[] frame = new byte[4 + data.length];
            frame[3] = (byte) data.length;
            System.arraycopy(data, 0, frame, 4, data.length);
            socket.getOutputStream().write(frame); // one write: header and body arrive together
            byte[] header = socket.getInputStream().readNBytes(4);
            assertArrayEquals(new byte[] {0, 0, 0, (byte) data.length}, header, "the echo's header");
            return socket.getInputStream().readNBytes(data.length);
        }
    }

    private static void assertNoOutOfMemory(Forked server, String figures) {
        List<String> bad = server.logLines().stream().filter(line -> line.contains("OutOfMemoryError")).toList();
        assertTrue(bad.isEmpty(), "the server ran out of memory: " + bad + "\n" + figures);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static double mib(long bytes) {
        return bytes / (double) MiB;
    }

    /**
     * An {@link AdversarialServer} in a JVM of its own, the same java and class path as this test. Its
     * protocol lines are answers; every other line it writes, on stdout or stderr, is kept as its log.
     */
    static final class Forked implements AutoCloseable {

        private static final Duration ANSWER = Duration.ofSeconds(40);

        private final Process process;
        private final PrintStream commands;
        private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        private final List<String> log = new ArrayList<>();
        private final Thread outReader;
        private final Thread errReader;
        private final int port;

        private Forked(Process process) throws InterruptedException {
            this.process = process;
            this.commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
            this.outReader = pump(process.getInputStream(), true);
            this.errReader = pump(process.getErrorStream(), false);
            this.port = Integer.parseInt(answer("port").split(" ")[1]);
        }

        static Forked start(String mode, String heap) throws IOException, InterruptedException {
            String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
            Process process = new ProcessBuilder(java, heap,
                    // slf4j-simple's own default; the test resources lower it to error for this JVM
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                    "-cp", System.getProperty("java.class.path"), AdversarialServer.class.getName(), mode).start();
            try {
                return new Forked(process);
            } catch (RuntimeException | Error | InterruptedException e) {
                process.destroyForcibly();
                throw e;
            }
        }

        private Thread pump(InputStream stream, boolean answering) {
            Thread thread = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        if (answering && line.startsWith(AdversarialServer.PREFIX)) {
                            answers.add(line.substring(AdversarialServer.PREFIX.length()));
                        } else {
                            synchronized (log) {
                                log.add(line);
                            }
                        }
                    }
                } catch (IOException e) {
                    // the process went away
                }
            }, "forked-server-" + (answering ? "out" : "err"));
            thread.setDaemon(true);
            thread.start();
            return thread;
        }

        InetSocketAddress address() {
            return new InetSocketAddress("127.0.0.1", port);
        }

        boolean isAlive() {
            return process.isAlive();
        }

        /** Every line the server wrote that was not an answer; all of them once it has quit. */
        List<String> logLines() {
            synchronized (log) {
                return List.copyOf(log);
            }
        }

        /** Whether it is alive, its clients, bytes in flight and disconnects if it answers, and its last lines. */
        String describe() {
            String stats = "";
            if (process.isAlive()) {
                commands.println("stats");
                try {
                    String line = answers.poll(5, TimeUnit.SECONDS);
                    stats = line == null ? " (no answer to stats)" : " (" + line + ": clients, bytes in flight, disconnects,"
                            + " failures)";
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return (process.isAlive() ? "alive" : "dead") + stats + "; its output:\n" + tail();
        }

        String tail() {
            List<String> lines = logLines();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        }

        private String answer(String word) throws InterruptedException {
            long deadline = System.nanoTime() + ANSWER.toNanos();
            while (true) {
                String line = answers.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    fail("no '" + word + "' answer from the server within " + ANSWER.toSeconds() + " s (alive: "
                            + process.isAlive() + ")\nserver output:\n" + tail());
                }
                if (line.startsWith(word + " ") || line.equals(word)) {
                    return line;
                }
            }
        }

        private long[] ask(String command, String word) throws InterruptedException {
            commands.println(command);
            String[] words = answer(word).split(" ");
            long[] numbers = new long[words.length - 1];
            for (int i = 1; i < words.length; i++) {
                numbers[i - 1] = Long.parseLong(words[i]);
            }
            return numbers;
        }

        /** The used heap after a full GC, once {@code disconnects} connections have ended. */
        long heap(int disconnects) throws InterruptedException {
            long[] answer = ask("heap " + disconnects, "heap");
            assertTrue(answer[1] >= disconnects, "only " + answer[1] + " of " + disconnects + " connections ended");
            return answer[0];
        }

        /** Clients, bytes in flight, disconnects, failures recorded. */
        long[] stats() throws InterruptedException {
            return ask("stats", "stats");
        }

        /** The recorded failures kept, by kind, and how many were dropped. */
        String failures() throws InterruptedException {
            commands.println("failures");
            return answer("failures").substring("failures ".length());
        }

        /** Asks for stats until they satisfy the condition, for at most 30 s. */
        long[] statsUntil(Predicate<long[]> condition, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long[] stats;
            while (!condition.test(stats = stats())) {
                if (System.nanoTime() > deadline) {
                    fail("not within 30 s: " + what + "; stats " + java.util.Arrays.toString(stats)
                            + "\nserver output:\n" + tail());
                }
                Thread.sleep(20); // between questions: a poll on the condition, not a wait for it
            }
            return stats;
        }

        /** Closes the server, waits for the process to exit and for all its output to be read. */
        void quit() throws InterruptedException {
            commands.println("quit");
            answer("bye");
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the server process did not exit");
            outReader.join(Duration.ofSeconds(10));
            errReader.join(Duration.ofSeconds(10));
        }

        @Override
        public void close() throws InterruptedException {
            try {
                if (process.isAlive()) {
                    commands.println("quit");
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } finally {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                commands.close();
            }
        }
    }
}
