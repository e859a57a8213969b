package simplesockets.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real HAProxy, started with a generated configuration on 127.0.0.1, in front of two echo-server
 * processes (from the runtime image, {@code --framing length}) that speak the PROXY protocol; HAProxy sends version 2
 * ({@code send-proxy-v2}), and its health checks a {@code LOCAL} header.
 *
 * <ul>
 *   <li>Each server sees each client's real address: every connection that was answered appears in a
 *       server's {@code client ADDRESS via PROXY} lines with the client's own port, and a proxy port of
 *       HAProxy's.</li>
 *   <li>A rolling restart loses no message: 100 clients send checksummed requests and check every
 *       answer, while server A is drained (SIGTERM: {@code close(grace)}) and HAProxy sends the new
 *       connections to B, and then A is started again and takes connections again. A request is sent
 *       again only when its connection ended before any byte of its answer came back.</li>
 *   <li>Clients that were mid-request on A get their answers before A closes: no answer is ever cut
 *       short, and A's drain reports that it cut off no connection.</li>
 * </ul>
 *
 * <p>Skipped without {@code haproxy} (Debian package {@code haproxy}), unless
 * {@code SIMPLESOCKETS_REQUIRE_TOOLS} is set, which makes it fail instead.
 */
@Timeout(120)
class HaproxyIT {

    private static final Path IMAGE = Path.of(System.getProperty("image.dir"));
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int CLIENTS = 100;
    /** Each client opens a new connection after this many answers, so new connections keep coming. */
    private static final int REQUESTS_PER_CONNECTION = 20;
    private static final Pattern CLIENT_LINE = Pattern.compile("client 127\\.0\\.0\\.1:(\\d+) via 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    /** The local ports of the connections that looked whether HAProxy listens: HAProxy forwards them too. */
    private final Set<Integer> probes = ConcurrentHashMap.newKeySet();

    /** A process whose output lines are kept, and can be waited for. */
    static final class Watched implements AutoCloseable {
        final String name;
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private volatile boolean outputEnded;

        Watched(String name, List<String> command, Path stderr) throws IOException {
            this.name = name;
            this.process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            Thread.ofVirtual().name(name + "-out").start(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        lines.add(line);
                        signal();
                    }
                } catch (IOException e) {
                    // the process ended
                }
                outputEnded = true;
                signal();
            });
        }

        private void signal() {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Waits for a line that matches, failing the test after {@link #WAIT} or once the output ended without one. */
        String await(Predicate<String> wanted, String what) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            lock.lock();
            try {
                while (true) {
                    for (String line : lines) {
                        if (wanted.test(line)) {
                            return line;
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || outputEnded) {
                        throw new AssertionError(name + ": no line " + what + " (alive: " + process.isAlive() + "): " + lines);
                    }
                    changed.awaitNanos(left);
                }
            } finally {
                lock.unlock();
            }
        }

        /** The client ports (the real addresses) this server was told about. */
        Set<Integer> clientPorts() {
            Set<Integer> ports = ConcurrentHashMap.newKeySet();
            for (String line : lines) {
                Matcher m = CLIENT_LINE.matcher(line);
                if (m.matches()) {
                    // Not a check that the two ports differ: Linux may give HAProxy's connection to the server
                    // the same local port as a client's to HAProxy (other destination). The test checks instead
                    // that each port told is one a client connected from.
                    ports.add(Integer.parseInt(m.group(1)));
                }
            }
            return ports;
        }

        /**
         * SIGTERM, then a bounded wait for the exit. Through the process handle: {@code Process.destroy()}
         * would also close our end of its output, and lose what it prints while it drains.
         */
        boolean terminate() throws InterruptedException {
            process.toHandle().destroy();
            return process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive() && !terminate()) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private Watched echoServer(String name, int port) throws Exception {
        // The JVM itself (not the image's sh launcher), so that SIGTERM reaches its shutdown hook.
        Watched server = new Watched(name, List.of(IMAGE.resolve("bin").resolve("java").toString(), "-m",
                "simplesockets.examples/simplesockets.examples.EchoServer", "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--proxy-protocol", "--framing", "length"), dir.resolve(name + ".err"));
        server.await(l -> l.startsWith("listening on 127.0.0.1:"), "listening");
        return server;
    }

    private static int portOf(Watched server) {
        String line = server.lines.getFirst();
        return Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
    }

    /**
     * HAProxy in the foreground on a free port of 127.0.0.1 (HAProxy cannot bind port 0: a free port is
     * found by binding one and closing it, and another is tried if HAProxy lost the race for it).
     */
    private Watched haproxy(String binary, int a, int b, int[] front) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                front[0] = probe.getLocalPort();
            }
            Path config = dir.resolve("haproxy-" + attempt + ".cfg");
            Files.writeString(config, """
                    global
                        maxconn 4000
                    defaults
                        mode tcp
                        timeout connect 2s
                        timeout client 30s
                        timeout server 30s
                        retries 3
                        option redispatch 1
                    frontend front
                        bind 127.0.0.1:%d
                        default_backend echo
                    backend echo
                        balance roundrobin
                        server a 127.0.0.1:%d send-proxy-v2 check inter 100ms fall 1 rise 1
                        server b 127.0.0.1:%d send-proxy-v2 check inter 100ms fall 1 rise 1
                    """.formatted(front[0], a, b));
            Path stderr = dir.resolve("haproxy-" + attempt + ".err");
            Watched haproxy = new Watched("haproxy", List.of(binary, "-f", config.toString(), "-db"), stderr);
            if (listening(haproxy, front[0], probes)) {
                return haproxy;
            }
            haproxy.close();
            String errors = Files.readString(stderr);
            if (attempt == 5 || !errors.contains("cannot bind")) {
                throw new AssertionError("haproxy did not start: " + errors);
            }
        }
    }

    /** Whether the port accepts connections before the process dies or {@link #WAIT} passes. */
    private static boolean listening(Watched process, int port, Set<Integer> probes) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
                probes.add(probe.getLocalPort());
                return true;
            } catch (IOException refused) {
                if (process.process.waitFor(20, TimeUnit.MILLISECONDS)) { // not up yet: wait on the process, briefly
                    return false;
                }
            }
        }
        return false;
    }

    /** Everything the clients saw, and a way to wait until each has had enough answers. */
    static final class Traffic {
        final AtomicBoolean stop = new AtomicBoolean();
        final long[] answers = new long[CLIENTS];
        final AtomicLong resent = new AtomicLong();
        final AtomicLong cutShort = new AtomicLong();
        final AtomicLong corrupt = new AtomicLong();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        /** The local ports of the connections that got at least one answer: the clients' real addresses. */
        final Set<Integer> answeredPorts = ConcurrentHashMap.newKeySet();
        /** The local port of every connection a client made to HAProxy. */
        final Set<Integer> connectedPorts = ConcurrentHashMap.newKeySet();
        /** From when server A was seen draining: the ports answers came on, one entry per answer. */
        final List<Integer> portsOfAnswersWhileDraining = new CopyOnWriteArrayList<>();
        volatile boolean draining;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition progress = lock.newCondition();

        void answered(int client, int port) {
            answeredPorts.add(port);
            if (draining) {
                portsOfAnswersWhileDraining.add(port);
            }
            lock.lock();
            try {
                answers[client]++;
                progress.signalAll();
            } finally {
                lock.unlock();
            }
        }

        long[] snapshot() {
            lock.lock();
            try {
                return answers.clone();
            } finally {
                lock.unlock();
            }
        }

        /** Waits until every client has {@code more} answers past {@code since}. */
        void awaitEach(long[] since, int more, String what) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            lock.lock();
            try {
                while (true) {
                    int behind = 0;
                    for (int i = 0; i < CLIENTS; i++) {
                        if (answers[i] < since[i] + more) {
                            behind++;
                        }
                    }
                    if (behind == 0) {
                        return;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || !failures.isEmpty()) {
                        throw new AssertionError(what + ": " + behind + " client(s) behind; failures: " + failures);
                    }
                    progress.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * One client: a checksummed request (client, sequence number, random payload, CRC-32 of all that),
     * then exactly its echo, checked; a new connection every {@link #REQUESTS_PER_CONNECTION} answers.
     * A request whose connection ends before a byte of its answer is sent again on a new connection; an
     * answer cut short or changed is counted as a failure.
     */
    private static void client(int id, int front, Traffic traffic) {
        SplittableRandom random = new SplittableRandom(id);
        Socket socket = null;
        int onThisConnection = 0;
        try {
            for (long seq = 0; !traffic.stop.get(); seq++) {
                byte[] request = request(id, seq, random);
                for (int attempt = 0; ; attempt++) {
                    if (attempt == 50) {
                        throw new AssertionError("client " + id + ": request " + seq + " unanswered after 50 connections");
                    }
                    if (socket == null) {
                        socket = connect(front);
                        traffic.connectedPorts.add(socket.getLocalPort());
                        onThisConnection = 0;
                    }
                    byte[] answer = new byte[request.length];
                    int got = exchange(socket, request, answer);
                    if (got == request.length) {
                        if (!java.util.Arrays.equals(request, answer) || !checksumHolds(answer)) {
                            traffic.corrupt.incrementAndGet();
                            throw new AssertionError("client " + id + ": a wrong answer to request " + seq);
                        }
                        break;
                    }
                    socket.close();
                    socket = null;
                    if (got > 0) {
                        traffic.cutShort.incrementAndGet(); // must not happen: a drain finishes a frame begun
                    }
                    traffic.resent.incrementAndGet();
                }
                traffic.answered(id, socket.getLocalPort());
                if (++onThisConnection == REQUESTS_PER_CONNECTION) {
                    socket.close();
                    socket = null;
                }
            }
        } catch (Throwable t) {
            traffic.failures.add(t);
        } finally {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing
                }
            }
        }
    }

    private static Socket connect(int front) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), front), 5_000);
                socket.setSoTimeout(10_000);
                socket.setTcpNoDelay(true);
                return socket;
            } catch (ConnectException e) {
                socket.close();
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /** Sends the request and reads its answer into {@code answer}; returns how many bytes of it came before the end. */
    private static int exchange(Socket socket, byte[] request, byte[] answer) {
        int got = 0;
        try {
            OutputStream out = socket.getOutputStream();
            out.write(request);
            InputStream in = socket.getInputStream();
            while (got < answer.length) {
                int n = in.read(answer, got, answer.length - got);
                if (n < 0) {
                    break;
                }
                got += n;
            }
        } catch (IOException e) {
            // reset or closed: what came before counts
        }
        return got;
    }

    private static byte[] request(int id, long seq, SplittableRandom random) {
        // A frame of the echo servers' length-prefixed framing, of up to about 530 bytes: more than the first
        // adaptive read (256), so HAProxy may forward it in parts and a drain may begin between them; the
        // draining server knows a frame has begun and waits for its rest.
        byte[] payload = new byte[16 + random.nextInt(480)];
        random.nextBytes(payload);
        int body = 4 + 8 + 4 + payload.length + 8;
        ByteBuffer request = ByteBuffer.allocate(4 + body);
        request.putInt(body).putInt(id).putLong(seq).putInt(payload.length).put(payload);
        CRC32 crc = new CRC32();
        crc.update(request.array(), 0, request.position());
        request.putLong(crc.getValue());
        return request.array();
    }

    private static boolean checksumHolds(byte[] message) {
        CRC32 crc = new CRC32();
        crc.update(message, 0, message.length - 8);
        return crc.getValue() == ByteBuffer.wrap(message, message.length - 8, 8).getLong();
    }

    @Test
    void realAddressesAndARollingRestartThatLosesNothing() throws Exception {
        String binary = Tools.find("haproxy");
        Traffic traffic = new Traffic();
        List<Thread> clients = new ArrayList<>();
        Watched a = echoServer("a", 0);
        int portA = portOf(a);
        Watched a2 = null;
        int[] front = new int[1];
        try (Watched b = echoServer("b", 0); Watched haproxy = haproxy(binary, portA, portOf(b), front)) {
            for (int i = 0; i < CLIENTS; i++) {
                int id = i;
                clients.add(Thread.ofVirtual().name("client-" + i).start(() -> client(id, front[0], traffic)));
            }
            traffic.awaitEach(new long[CLIENTS], 3, "every client answered three times through both servers");
            assertTrue(!a.clientPorts().isEmpty() && !b.clientPorts().isEmpty(),
                    "round robin sent clients to both: a " + a.clientPorts().size() + ", b " + b.clientPorts().size());

            // Drain A: it stops accepting at once (HAProxy redispatches new connections to B), answers what
            // its clients sent, and closes each connection when it is done.
            long[] beforeDrain = traffic.snapshot();
            a.process.toHandle().destroy(); // SIGTERM
            a.await(l -> l.equals("draining"), "draining");
            traffic.draining = true;
            assertTrue(a.terminate(), "a exited after its drain");
            traffic.draining = false;
            String closed = a.await(l -> l.startsWith("closed: "), "closed");
            assertEquals("closed: 0 connection(s) cut off", closed, "a's drain cut nobody off");
            traffic.awaitEach(beforeDrain, 5, "every client answered by b while a is down");

            // Bring A back on its port; HAProxy's checks see it up, and new connections go to it again.
            long[] beforeReturn = traffic.snapshot();
            a2 = echoServer("a2", portA);
            a2.await(l -> CLIENT_LINE.matcher(l).matches(), "a client on the restarted a");
            traffic.awaitEach(beforeReturn, 2 * REQUESTS_PER_CONNECTION, "every client answered after a came back");

            traffic.stop.set(true);
            for (Thread client : clients) {
                assertTrue(client.join(WAIT), client.getName() + " ended");
            }
            assertTrue(traffic.failures.isEmpty(), "client failures: " + traffic.failures);
            assertEquals(0, traffic.cutShort.get(), "answers cut short by A's drain");
            assertEquals(0, traffic.corrupt.get(), "answers changed");

            // Every connection that was answered was told to a server by its real address, the client's port.
            Set<Integer> told = ConcurrentHashMap.newKeySet();
            told.addAll(a.clientPorts());
            told.addAll(b.clientPorts());
            told.addAll(a2.clientPorts());
            Set<Integer> untold = ConcurrentHashMap.newKeySet();
            untold.addAll(traffic.answeredPorts);
            untold.removeAll(told);
            assertTrue(untold.isEmpty(), "connections no server saw the real address of: " + untold);
            Set<Integer> unknown = ConcurrentHashMap.newKeySet();
            unknown.addAll(told);
            unknown.removeAll(traffic.connectedPorts);
            unknown.removeAll(probes);
            assertTrue(unknown.isEmpty(), "addresses told that no client connected from (the proxy's?): " + unknown);
            long total = java.util.Arrays.stream(traffic.snapshot()).sum();
            long answeredByDrainingA = traffic.portsOfAnswersWhileDraining.stream().filter(a.clientPorts()::contains).count();
            System.out.printf("haproxy: %d answers to %d clients over %d connections (a %d, b %d, a again %d);"
                    + " a answered %d request(s) while it drained; %d request(s) sent again after their connection"
                    + " to a draining a ended unanswered%n", total, CLIENTS, traffic.answeredPorts.size(),
                    a.clientPorts().size(), b.clientPorts().size(), a2.clientPorts().size(), answeredByDrainingA,
                    traffic.resent.get());
        } finally {
            traffic.stop.set(true);
            for (Thread client : clients) {
                client.join(WAIT);
            }
            a.close();
            if (a2 != null) {
                a2.close();
            }
        }
    }
}
