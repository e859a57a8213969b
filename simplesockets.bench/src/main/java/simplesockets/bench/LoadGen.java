package simplesockets.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.HdrHistogram.Histogram;

/**
 * The load generator, in its own process. Modes (each prints one {@code result key=value ...} line):
 * <ul>
 *   <li>{@code echo PORT CONNECTIONS WARMUP_S MEASURE_S}: closed-loop 64-byte request/response over NIO
 *       with two selector threads (so the generator neither bottlenecks nor starves connections);</li>
 *   <li>{@code blocking PORT CONNECTIONS WARMUP_S MEASURE_S [TRUSTSTORE]}: the same with a virtual thread
 *       and a blocking socket per connection, over TLS when a trust store is given;</li>
 *   <li>{@code bulk PORT BYTES}: one connection streams BYTES one way, then waits for the server to close;</li>
 *   <li>{@code bulkecho PORT BYTES}: one connection streams BYTES through an echo server and reads them back;</li>
 *   <li>{@code idle PORT CONNECTIONS}: opens idle connections, prints {@code connected}, closes them at end of stdin;</li>
 *   <li>{@code connrate PORT SECONDS CONCURRENCY}: connect, one echo, close, as fast as it goes.</li>
 * </ul>
 *
 * <p>It checks what comes back, so that a server that garbles, drops or closes cannot look fast. A message
 * starts with a 4-byte big-endian length of 60 (so that the same bytes also work as a length-prefixed frame),
 * then the connection's index (an int) and a sequence number (a long) that grows with every message sent on
 * that connection, then a fixed pattern; every reply must equal, byte for byte, the message last sent on its
 * connection. A bulk stream's byte at offset {@code k} is {@code (byte) (k % 251)}, and the bytes echoed back
 * are compared with it at their offset. The comparisons are vectorized ({@code Arrays.mismatch},
 * {@code ByteBuffer.mismatch}) and allocate nothing, so checking does not make the generator the bottleneck.
 *
 * <p>Keys besides the figures ({@code messages} and the latencies count only correct replies in the
 * measured time; the keys below count over the whole run, warm-up included):
 * <ul>
 *   <li>{@code bad_echoes} (echo, blocking, Unix echo, bulkecho, connrate): replies that differ from what was
 *       sent; in bulkecho, reads whose bytes differ from the stream's at their offset. A connection whose
 *       first echo (the greeting that proves it is served, echo mode) is wrong or missing is instead closed
 *       and counted in {@code connect_errors}, and takes no part in the run;</li>
 *   <li>{@code closed} (echo, blocking, Unix echo, bulk, bulkecho): connections the server closed, or that
 *       failed with an I/O error, during the run (in blocking mode, a reply that did not come within
 *       {@link #STALL} too); in bulk and bulkecho {@code 1} if the stream ended (or
 *       failed) before everything was sent or came back;</li>
 *   <li>{@code gen_errors} (all but idle): the generator's own failures, any other exception of one of its
 *       threads (printed to stderr once), and in bulk and bulkecho a run that passed its deadline (then the
 *       figures are those of the bytes that made it); a run with {@code gen_errors > 0} measured nothing
 *       trustworthy;</li>
 *   <li>{@code stalled} (echo, Unix echo): open connections whose request, sent before the measured window
 *       began, was still unanswered at its end: a server that drops a request stalls that connection's
 *       closed loop for good, which the other counts would show only as unfairness (blocking mode prints
 *       0 here: a reply that does not come within {@link #STALL} ends its connection, counted as closed);</li>
 *   <li>{@code errors} (connrate): connections that failed (connect, I/O error, time-out, or closed before
 *       their echo); {@code connections} counts only correct ones, and {@code conns_per_s} divides them by
 *       the time actually measured.</li>
 * </ul>
 * In bulk and bulkecho {@code mb_per_s} divides the bytes that made it (all of them, in a good run) by the
 * time measured; {@code bytes} stays the size asked for.
 */
public final class LoadGen {

    static final int SIZE = 64;
    static final int SELECTORS = 2;
    /** Where the sequence number sits in a message, after the length and the connection's index. */
    static final int SEQUENCE = 8;
    /** A bulk stream's byte at offset {@code k} is {@code (byte) (k % PERIOD)}: a prime, so it drifts across any power of two. */
    static final int PERIOD = 251;
    /** The bulk modes' writes and reads. */
    static final int CHUNK = 1024 * 1024;

    private LoadGen() {
    }

    /** The first message of connection 0 (sequence 0): a valid length-prefixed frame of 60 bytes. */
    static byte[] message() {
        return message(0);
    }

    /** The message of connection {@code index} with sequence number 0; put the next ones at {@link #SEQUENCE}. */
    static byte[] message(int index) {
        byte[] m = new byte[SIZE];
        for (int i = 16; i < SIZE; i++) {
            m[i] = (byte) i;
        }
        ByteBuffer.wrap(m).putInt(SIZE - 4).putInt(index).putLong(0);
        return m;
    }

    public static void main(String[] args) throws Exception {
        if (args[1].startsWith("unix:")) { // a Unix domain socket: the echo only
            java.net.SocketAddress file = java.net.UnixDomainSocketAddress.of(args[1].substring(5));
            System.out.println("result " + nioEcho(file, Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4])));
            System.out.flush();
            System.exit(0);
        }
        InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1]));
        String result = switch (args[0]) {
            case "echo" -> nioEcho(server, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "blocking" -> blockingEcho(server, Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), args.length > 5 ? args[5] : null);
            case "bulk" -> bulk(server, Long.parseLong(args[2]), false);
            case "bulkecho" -> bulk(server, Long.parseLong(args[2]), true);
            case "idle" -> idle(server, Integer.parseInt(args[2]));
            case "connrate" -> connectionRate(server, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException(args[0]);
        };
        System.out.println("result " + result);
        System.out.flush();
        System.exit(0);
    }

    /** What went wrong in a run, counted by all of its threads; see the class comment for the keys. */
    static class Tally {
        final AtomicLong badEchoes = new AtomicLong();
        final AtomicLong closed = new AtomicLong();
        final AtomicLong genErrors = new AtomicLong();
        /** Connections whose request went unanswered through the whole measured window (echo and Unix echo). */
        final AtomicLong stalled = new AtomicLong();
        private final AtomicBoolean printed = new AtomicBoolean();

        /** Counts one of the generator's own failures; the first is printed to stderr. */
        void genError(Throwable e) {
            genErrors.incrementAndGet();
            if (printed.compareAndSet(false, true)) {
                System.err.println("load generator error (further ones only counted in gen_errors):");
                e.printStackTrace();
            }
        }

        String keys() {
            return " bad_echoes=" + badEchoes.get() + " closed=" + closed.get() + " gen_errors=" + genErrors.get()
                    + " stalled=" + stalled.get();
        }
    }

    /** Per-run measurement state shared by the selector threads. */
    static final class Run extends Tally {
        final AtomicLongArray counts;
        /** Connection {@code i} is served by the generator's thread {@code i % threads}. */
        final int threads;
        volatile boolean measuring;
        volatile boolean stop;
        long started;

        Run(int connections, int threads) {
            counts = new AtomicLongArray(connections);
            this.threads = threads;
        }

        /**
         * The result line's figures. Fairness is the least-served connection's count over the most-served
         * one's among the connections of one of the generator's threads, the worst of its threads: the
         * threads themselves run at rates the OS decides (in many rounds one sends on its connections 15 to
         * 20% more often than the other, whatever the server), which is not the server's unfairness. The
         * ratio over all connections is {@code fairness_all}. Then the {@link Tally}'s keys.
         */
        String summarize(List<Histogram> histograms, double seconds) {
            Histogram all = new Histogram(3_600_000_000L, 3);
            histograms.forEach(all::add);
            long[] min = new long[threads];
            long[] max = new long[threads];
            Arrays.fill(min, Long.MAX_VALUE);
            long total = 0;
            long[] sorted = new long[counts.length()];
            for (int i = 0; i < sorted.length; i++) {
                long c = counts.get(i);
                min[i % threads] = Math.min(min[i % threads], c);
                max[i % threads] = Math.max(max[i % threads], c);
                total += c;
                sorted[i] = c;
            }
            double fairness = 1;
            for (int t = 0; t < threads && t < sorted.length; t++) {
                fairness = Math.min(fairness, max[t] == 0 ? 0 : (double) min[t] / max[t]);
            }
            Arrays.sort(sorted);
            long lowest = sorted[0];
            long highest = sorted[sorted.length - 1];
            return String.format(java.util.Locale.ROOT,
                    "messages=%d msgs_per_s=%.0f p50_us=%.1f p99_us=%.1f p999_us=%.1f fairness=%.3f fairness_all=%.3f"
                            + " count_min=%d count_p1=%d count_p50=%d count_p99=%d count_max=%d",
                    total, total / seconds, all.getValueAtPercentile(50) / 1000.0, all.getValueAtPercentile(99) / 1000.0,
                    all.getValueAtPercentile(99.9) / 1000.0, fairness, highest == 0 ? 0 : (double) lowest / highest,
                    lowest, sorted[sorted.length / 100], sorted[sorted.length / 2], sorted[sorted.length * 99 / 100], highest)
                    + keys();
        }
    }

    /** Warm up, then measure; tells the harness when measuring starts and ends, for its CPU readings. */
    static void measure(Run run, int warmup, int measure) throws Exception {
        Thread.sleep(warmup * 1000L);
        System.out.println("measuring");
        System.out.flush();
        run.started = System.nanoTime();
        run.measuring = true;
        Thread.sleep(measure * 1000L);
        run.measuring = false;
        System.out.println("measured");
        System.out.flush();
    }

    /** How long a generator's thread may take to end once asked to. */
    static final Duration THREAD_END = Duration.ofSeconds(30);

    private static final class Conn {
        final int index;
        final SocketChannel channel;
        /** The message last sent (or being sent): {@link #out}'s array. */
        final byte[] sent;
        final ByteBuffer out;
        final byte[] back = new byte[SIZE];
        final ByteBuffer in = ByteBuffer.wrap(back);
        long sequence;
        long sentAt;

        Conn(int index, SocketChannel channel) {
            this.index = index;
            this.channel = channel;
            sent = message(index);
            out = ByteBuffer.wrap(sent);
        }
    }

    static String nioEcho(java.net.SocketAddress server, int connections, int warmup, int measure) throws Exception {
        boolean unix = server instanceof java.net.UnixDomainSocketAddress;
        Run run = new Run(connections, SELECTORS);
        List<List<Conn>> groups = new ArrayList<>();
        for (int s = 0; s < SELECTORS; s++) {
            groups.add(new ArrayList<>());
        }
        int connectErrors = 0;
        List<Conn> wave = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            SocketChannel channel = unix ? SocketChannel.open(java.net.StandardProtocolFamily.UNIX) : SocketChannel.open();
            try {
                if (!unix) {
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
                channel.connect(server);
                wave.add(new Conn(i, channel));
            } catch (IOException e) {
                connectErrors++; // counted, and the run goes on with the others
                channel.close();
            }
            if (wave.size() == WAVE || i == connections - 1) {
                connectErrors += greet(wave);
                for (Conn c : wave) {
                    c.channel.configureBlocking(false);
                    groups.get(c.index % SELECTORS).add(c);
                }
                wave.clear();
            }
        }
        List<Histogram> histograms = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (List<Conn> group : groups) {
            Histogram histogram = new Histogram(3_600_000_000L, 3);
            histograms.add(histogram);
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    select(group, run, histogram);
                } catch (Throwable e) {
                    run.genError(e);
                }
            }));
        }
        measure(run, warmup, measure);
        long started = run.started;
        double seconds = (System.nanoTime() - started) / 1e9;
        run.stop = true;
        for (Thread t : threads) {
            if (!t.join(THREAD_END)) {
                run.genError(new IllegalStateException("a selector thread did not end within " + THREAD_END));
            }
        }
        return run.summarize(histograms, seconds) + " connect_errors=" + connectErrors;
    }

    /**
     * Connections are opened in waves of this many, and each wave is answered once before the next
     * opens: a connect completes in the kernel before the server accepts it, so opening 10,000 in a row
     * can pass the kernel's limit on a listen queue (somaxconn, 4096 here) for any server, Netty too.
     */
    static final int WAVE = 1000;

    /** How long a connection's first echo may take before the connection counts as a connect error. */
    static final Duration GREETING_WAIT = Duration.ofSeconds(10);

    /**
     * Fills {@code buffer} from {@code channel}, which it makes non-blocking, waiting on a selector of its
     * own until {@code deadline} ({@link System#nanoTime()}): a server that accepts and never answers
     * fails the read with a {@link java.net.SocketTimeoutException} instead of holding the generator.
     */
    static void readWithin(SocketChannel channel, ByteBuffer buffer, long deadline) throws IOException {
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer);
                if (n < 0) {
                    throw new java.io.EOFException("closed before its first echo");
                }
                if (n == 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new java.net.SocketTimeoutException("no first echo within " + GREETING_WAIT);
                    }
                    selector.select(Math.max(1, left / 1_000_000));
                    selector.selectedKeys().clear();
                }
            }
        }
    }

    /**
     * One echo on each connection of a wave (its message with sequence 0), which proves it accepted and
     * served; a connection whose echo fails, does not come within {@link #GREETING_WAIT}, or comes back
     * different from what was sent, is closed, taken out of the wave and counted as a connect error.
     *
     * @return the connections that failed
     */
    private static int greet(List<Conn> wave) throws IOException {
        int failed = 0;
        for (Iterator<Conn> it = wave.iterator(); it.hasNext(); ) {
            Conn c = it.next();
            try {
                c.out.clear();
                while (c.out.hasRemaining()) {
                    c.channel.write(c.out);
                }
                c.in.clear();
                readWithin(c.channel, c.in, System.nanoTime() + GREETING_WAIT.toNanos());
                c.in.clear();
                if (Arrays.mismatch(c.back, c.sent) >= 0) {
                    throw new IOException("its first echo differs from what was sent");
                }
            } catch (IOException e) {
                failed++;
                c.channel.close();
                it.remove();
            }
        }
        return failed;
    }

    /**
     * One selector thread's loop over its connections until the run stops. A connection the server
     * closes, or that fails, is closed and counted in {@code closed}; any other failure on a connection
     * closes it and counts in {@code gen_errors}; a failure of the selector itself counts in
     * {@code gen_errors} and ends the loop (its connections are answered no more).
     */
    private static void select(List<Conn> group, Run run, Histogram histogram) throws IOException {
        try (Selector selector = Selector.open()) {
            for (Conn c : group) {
                try {
                    c.channel.register(selector, SelectionKey.OP_READ, c);
                    send(c);
                    if (c.out.hasRemaining()) {
                        c.channel.keyFor(selector).interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    }
                } catch (IOException e) {
                    drop(c, run.closed);
                }
            }
            while (!run.stop) {
                try {
                    selector.select(100);
                } catch (IOException | RuntimeException e) {
                    run.genError(e);
                    break;
                }
                for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    Conn c = (Conn) key.attachment();
                    try {
                        ready(key, c, run, histogram);
                    } catch (IOException e) {
                        drop(c, run.closed);
                    } catch (RuntimeException e) {
                        run.genError(e);
                        drop(c, null);
                    }
                }
            }
        } finally {
            for (Conn c : group) {
                // A request sent before the measured window began and not answered by its end: the server
                // dropped it (a closed loop waits for good), where a served one answers within milliseconds.
                if (run.stop && c.channel.isOpen() && c.sentAt - run.started < 0) {
                    run.stalled.incrementAndGet();
                }
                try {
                    c.channel.close();
                } catch (IOException e) {
                    // closing at the end
                }
            }
        }
    }

    /** Handles one connection's readiness: finishes a write, reads, and on a whole reply checks it and sends the next. */
    private static void ready(SelectionKey key, Conn c, Run run, Histogram histogram) throws IOException {
        if (key.isWritable()) {
            c.channel.write(c.out);
            if (!c.out.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ);
            }
        }
        if (key.isValid() && key.isReadable()) {
            if (c.channel.read(c.in) < 0) {
                throw new java.io.EOFException("closed by the server");
            }
            if (!c.in.hasRemaining()) {
                c.in.clear();
                if (c.out.hasRemaining()) {
                    // A whole reply before the server can have had the whole message: wrong, whatever it holds.
                    // The write goes on (OP_WRITE is on), and the next 64 bytes read answer it.
                    run.badEchoes.incrementAndGet();
                    return;
                }
                if (Arrays.mismatch(c.back, c.sent) >= 0) {
                    run.badEchoes.incrementAndGet();
                } else if (run.measuring) {
                    histogram.recordValue(Math.min(System.nanoTime() - c.sentAt, 3_600_000_000L));
                    run.counts.incrementAndGet(c.index);
                }
                send(c);
                if (c.out.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                }
            }
        }
    }

    /** Closes a connection that failed, its key cancelled with it, and counts it in {@code closed} if given. */
    private static void drop(Conn c, AtomicLong closed) {
        if (c.channel.isOpen() && closed != null) {
            closed.incrementAndGet();
        }
        try {
            c.channel.close();
        } catch (IOException e) {
            // it failed already
        }
    }

    /** Sends the connection's next message: the same bytes with the next sequence number. */
    private static void send(Conn c) throws IOException {
        c.out.putLong(SEQUENCE, ++c.sequence);
        c.out.clear();
        c.sentAt = System.nanoTime();
        c.channel.write(c.out);
    }

    static String blockingEcho(InetSocketAddress server, int connections, int warmup, int measure, String trustStore)
            throws Exception {
        SSLContext tls = null;
        if (trustStore != null) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(Path.of(trustStore))) {
                trust.load(in, "changeit".toCharArray());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
        }
        Run run = new Run(connections, 1);
        List<Histogram> histograms = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(server);
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket, "127.0.0.1", server.getPort(), true);
                ssl.startHandshake();
                socket = ssl;
            }
            socket.setSoTimeout((int) STALL.toMillis()); // a server that stops answering ends the connection
            Histogram histogram = new Histogram(3_600_000_000L, 3);
            histograms.add(histogram);
            Socket s = socket;
            int index = i;
            threads.add(Thread.ofVirtual().start(() -> {
                byte[] m = message(index);
                ByteBuffer sequence = ByteBuffer.wrap(m);
                byte[] back = new byte[SIZE];
                try (s; OutputStream out = s.getOutputStream(); InputStream in = s.getInputStream()) {
                    for (long n = 1; !run.stop; n++) {
                        sequence.putLong(SEQUENCE, n);
                        long sent = System.nanoTime();
                        out.write(m);
                        int got = 0;
                        while (got < SIZE) {
                            int r = in.read(back, got, SIZE - got);
                            if (r < 0) {
                                throw new java.io.EOFException("closed by the server");
                            }
                            got += r;
                        }
                        if (Arrays.mismatch(back, m) >= 0) {
                            run.badEchoes.incrementAndGet();
                        } else if (run.measuring) {
                            synchronized (histogram) {
                                histogram.recordValue(Math.min(System.nanoTime() - sent, 3_600_000_000L));
                            }
                            run.counts.incrementAndGet(index);
                        }
                    }
                } catch (IOException e) {
                    if (!run.stop) {
                        run.closed.incrementAndGet();
                    }
                } catch (Throwable e) {
                    run.genError(e);
                }
            }));
        }
        measure(run, warmup, measure);
        long started = run.started;
        double seconds = (System.nanoTime() - started) / 1e9;
        run.stop = true;
        long deadline = System.nanoTime() + STALL.plus(THREAD_END).toNanos();
        for (Thread t : threads) {
            if (!t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                run.genError(new IllegalStateException("a connection's thread did not end within " + STALL.plus(THREAD_END)));
                break;
            }
        }
        return run.summarize(histograms, seconds);
    }

    /**
     * How long a blocking connection waits for its reply before it counts as closed ({@code closed}): a
     * server that stops answering ends the run's wait instead of holding it.
     */
    static final Duration STALL = Duration.ofSeconds(30);

    /** How long a bulk run of {@code total} bytes may take: a minute, and a second more for every 5 MB. */
    static Duration bulkLimit(long total) {
        return Duration.ofSeconds(60 + total / 5_000_000);
    }

    /** A direct buffer of {@code CHUNK + PERIOD} bytes whose byte {@code i} is {@code (byte) (i % PERIOD)}. */
    static ByteBuffer pattern() {
        ByteBuffer pattern = ByteBuffer.allocateDirect(CHUNK + PERIOD);
        for (int i = 0; i < pattern.capacity(); i++) {
            pattern.put(i, (byte) (i % PERIOD));
        }
        return pattern;
    }

    static String bulk(InetSocketAddress server, long bytes, boolean echo) throws Exception {
        return bulk(server, bytes, echo, bulkLimit(bytes + bytes / 4));
    }

    /**
     * Streams {@code bytes} one way (or through an echo server and back) over one connection, after a
     * quarter as many untimed bytes, so that every server is measured warm (JIT-compiled). Channels with
     * direct buffers, so the generator copies nothing and is not the bottleneck. The stream's byte at
     * offset {@code k} is {@code (byte) (k % PERIOD)}, written from {@link #pattern()} at the stream's phase, and
     * an echo is compared with it at its offset. Past {@code limit} the connection is closed, which ends
     * the run with {@code gen_errors=1} and the figures of the bytes that made it.
     */
    static String bulk(InetSocketAddress server, long bytes, boolean echo, Duration limit) throws Exception {
        Tally tally = new Tally();
        long warmup = bytes / 4;
        long total = warmup + bytes;
        try (SocketChannel channel = SocketChannel.open()) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(server);
            ByteBuffer pattern = pattern();
            ByteBuffer chunk = pattern.duplicate();
            AtomicLong received = new AtomicLong();
            AtomicLong echoedAt = new AtomicLong();
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicBoolean timedOut = new AtomicBoolean();
            long deadline = System.nanoTime() + limit.toNanos();
            Thread reader = Thread.ofPlatform().start(() -> {
                ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
                ByteBuffer expected = pattern.duplicate();
                long at = 0; // the stream offset of buffer's first byte
                try {
                    for (int n = channel.read(buffer); n >= 0; n = channel.read(buffer.clear())) {
                        if (!echo) {
                            continue; // a sink sends nothing back; what it might is not checked
                        }
                        int phase = (int) (at % PERIOD);
                        expected.clear().position(phase).limit(phase + n);
                        if (buffer.flip().mismatch(expected) >= 0) {
                            tally.badEchoes.incrementAndGet();
                        }
                        at += n;
                        received.set(at);
                        if (at >= total) {
                            echoedAt.set(System.nanoTime());
                            return;
                        }
                    }
                    echoedAt.set(System.nanoTime()); // a sink closed: it has read everything, unless...
                    if (echo || writing.get()) { // ... it closed before the end; an echo closed before the end
                        tally.closed.set(1);
                    }
                } catch (IOException e) {
                    echoedAt.set(System.nanoTime());
                    if (!timedOut.get()) {
                        tally.closed.set(1);
                    }
                } catch (Throwable e) {
                    echoedAt.set(System.nanoTime());
                    tally.genError(e);
                }
            });
            // Past the deadline, closing the channel ends a write or read that waits for a stalled server.
            Thread watchdog = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(limit);
                    timedOut.set(true);
                    channel.close();
                } catch (InterruptedException e) {
                    // the run ended in time
                } catch (IOException e) {
                    tally.genError(e);
                }
            });
            long started = 0;
            long sent = 0;
            try {
                while (sent < total) {
                    if (sent >= warmup && started == 0) {
                        System.out.println("measuring");
                        System.out.flush();
                        started = System.nanoTime();
                    }
                    int phase = (int) (sent % PERIOD);
                    chunk.clear().position(phase).limit(phase + (int) Math.min(CHUNK, (sent < warmup ? warmup : total) - sent));
                    while (chunk.hasRemaining()) {
                        sent += channel.write(chunk);
                    }
                }
                writing.set(false);
                if (!echo) {
                    channel.shutdownOutput(); // the sink closes once it has read everything
                }
            } catch (IOException e) {
                if (!timedOut.get()) {
                    tally.closed.set(1);
                }
            }
            if (!reader.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())).plus(THREAD_END))) {
                timedOut.set(true);
                channel.close();
                reader.join(THREAD_END);
            }
            watchdog.interrupt();
            if (timedOut.get()) {
                tally.genError(new java.util.concurrent.TimeoutException("bulk run passed its limit of " + limit
                        + " with " + sent + " bytes sent" + (echo ? " and " + received.get() + " echoed" : "")));
                tally.closed.set(0); // closed by the generator, not the server
            }
            long ended = echoedAt.get() != 0 ? echoedAt.get() : System.nanoTime();
            if (started == 0) { // it failed during the warm-up: nothing measured
                System.out.println("measuring");
                started = ended;
            }
            System.out.println("measured");
            System.out.flush();
            double seconds = (ended - started) / 1e9;
            long echoed = echo ? Math.max(0, Math.min(received.get(), total) - warmup) : 0;
            long delivered = echo ? echoed : Math.max(0, sent - warmup);
            return String.format(java.util.Locale.ROOT, "bytes=%d seconds=%.3f mb_per_s=%.1f echoed=%d",
                    bytes, seconds, seconds > 0 ? delivered / seconds / 1e6 : 0, echoed)
                    + (echo ? " bad_echoes=" + tally.badEchoes.get() : "")
                    + " closed=" + tally.closed.get() + " gen_errors=" + tally.genErrors.get();
        }
    }

    static String idle(InetSocketAddress server, int connections) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Socket s = new Socket();
            s.connect(server);
            sockets.add(s);
        }
        System.out.println("connected " + connections);
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        for (Socket s : sockets) {
            s.close();
        }
        return "connections=" + connections;
    }

    /** How long connrate waits for a connect or an echo before counting the connection failed. */
    static final int CONNRATE_TIMEOUT_MS = 10_000;

    static String connectionRate(InetSocketAddress server, int seconds, int concurrency) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Tally tally = new Tally();
        long started = System.nanoTime();
        long deadline = started + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            int index = t;
            threads.add(Thread.ofVirtual().start(() -> {
                byte[] m = message(index);
                ByteBuffer sequence = ByteBuffer.wrap(m);
                byte[] back = new byte[SIZE];
                try {
                    for (long n = 1; System.nanoTime() < deadline; n++) {
                        sequence.putLong(SEQUENCE, n);
                        try (Socket s = new Socket()) {
                            s.setTcpNoDelay(true);
                            s.setSoTimeout(CONNRATE_TIMEOUT_MS);
                            s.connect(server, CONNRATE_TIMEOUT_MS);
                            s.getOutputStream().write(m);
                            if (s.getInputStream().readNBytes(back, 0, SIZE) < SIZE) {
                                errors.incrementAndGet(); // closed before its echo
                            } else if (Arrays.mismatch(back, m) >= 0) {
                                tally.badEchoes.incrementAndGet();
                            } else {
                                done.incrementAndGet();
                            }
                        } catch (IOException e) {
                            errors.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    tally.genError(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        return String.format(java.util.Locale.ROOT, "connections=%d conns_per_s=%.0f errors=%d bad_echoes=%d gen_errors=%d",
                done.get(), done.get() / elapsed, errors.get(), tally.badEchoes.get(), tally.genErrors.get());
    }
}
