package simplesockets.bench;

import java.io.BufferedReader;
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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
 * Messages start with a 4-byte length of 60 so that the same bytes also work as a length-prefixed frame.
 */
public final class LoadGen {

    static final int SIZE = 64;
    static final int SELECTORS = 2;

    private LoadGen() {
    }

    static byte[] message() {
        byte[] m = new byte[SIZE];
        ByteBuffer.wrap(m).putInt(SIZE - 4);
        for (int i = 4; i < SIZE; i++) {
            m[i] = (byte) i;
        }
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

    /** Per-run measurement state shared by the selector threads. */
    static final class Run {
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
         * ratio over all connections is {@code fairness_all}.
         */
        String summarize(List<Histogram> histograms, double seconds) {
            Histogram all = new Histogram(3_600_000_000L, 3);
            histograms.forEach(all::add);
            long[] min = new long[threads];
            long[] max = new long[threads];
            java.util.Arrays.fill(min, Long.MAX_VALUE);
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
            java.util.Arrays.sort(sorted);
            long lowest = sorted[0];
            long highest = sorted[sorted.length - 1];
            return String.format(java.util.Locale.ROOT,
                    "messages=%d msgs_per_s=%.0f p50_us=%.1f p99_us=%.1f p999_us=%.1f fairness=%.3f fairness_all=%.3f"
                            + " count_min=%d count_p1=%d count_p50=%d count_p99=%d count_max=%d",
                    total, total / seconds, all.getValueAtPercentile(50) / 1000.0, all.getValueAtPercentile(99) / 1000.0,
                    all.getValueAtPercentile(99.9) / 1000.0, fairness, highest == 0 ? 0 : (double) lowest / highest,
                    lowest, sorted[sorted.length / 100], sorted[sorted.length / 2], sorted[sorted.length * 99 / 100], highest);
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

    private static final class Conn {
        final int index;
        final SocketChannel channel;
        final ByteBuffer out = ByteBuffer.wrap(message());
        final ByteBuffer in = ByteBuffer.allocate(SIZE);
        long sentAt;

        Conn(int index, SocketChannel channel) {
            this.index = index;
            this.channel = channel;
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
            } catch (java.io.IOException e) {
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
            threads.add(Thread.ofPlatform().start(() -> select(group, run, histogram)));
        }
        measure(run, warmup, measure);
        long started = run.started;
        double seconds = (System.nanoTime() - started) / 1e9;
        run.stop = true;
        for (Thread t : threads) {
            t.join();
        }
        return run.summarize(histograms, seconds) + " connect_errors=" + connectErrors;
    }

    /**
     * Connections are opened in waves of this many, and each wave is answered once before the next
     * opens: a connect completes in the kernel before the server accepts it, so opening 10,000 in a row
     * can pass the kernel's limit on a listen queue (somaxconn, 4096 here) for any server, Netty too.
     */
    static final int WAVE = 1000;

    /**
     * One blocking echo on each connection of a wave, which proves it accepted and served; a
     * connection that fails it is closed, taken out of the wave and counted as a connect error.
     *
     * @return the connections that failed
     */
    private static int greet(List<Conn> wave) throws java.io.IOException {
        int failed = 0;
        for (java.util.Iterator<Conn> it = wave.iterator(); it.hasNext(); ) {
            Conn c = it.next();
            try {
                c.out.clear();
                while (c.out.hasRemaining()) {
                    c.channel.write(c.out);
                }
                c.in.clear();
                while (c.in.hasRemaining()) {
                    if (c.channel.read(c.in) < 0) {
                        throw new java.io.EOFException("closed before its first echo");
                    }
                }
                c.in.clear();
            } catch (java.io.IOException e) {
                failed++;
                c.channel.close();
                it.remove();
            }
        }
        return failed;
    }

    private static void select(List<Conn> group, Run run, Histogram histogram) {
        try (Selector selector = Selector.open()) {
            for (Conn c : group) {
                c.channel.register(selector, SelectionKey.OP_READ, c);
                send(c);
            }
            while (!run.stop) {
                selector.select(100);
                for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    Conn c = (Conn) key.attachment();
                    if (key.isWritable()) {
                        c.channel.write(c.out);
                        if (!c.out.hasRemaining()) {
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    }
                    if (key.isValid() && key.isReadable()) {
                        if (c.channel.read(c.in) < 0) {
                            key.cancel();
                            continue;
                        }
                        if (!c.in.hasRemaining()) {
                            if (run.measuring) {
                                histogram.recordValue(Math.min(System.nanoTime() - c.sentAt, 3_600_000_000L));
                                run.counts.incrementAndGet(c.index);
                            }
                            c.in.clear();
                            send(c);
                            if (c.out.hasRemaining()) {
                                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                            }
                        }
                    }
                }
            }
            for (Conn c : group) {
                c.channel.close();
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static void send(Conn c) throws java.io.IOException {
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
            Histogram histogram = new Histogram(3_600_000_000L, 3);
            histograms.add(histogram);
            Socket s = socket;
            int index = i;
            threads.add(Thread.ofVirtual().start(() -> {
                byte[] m = message();
                byte[] back = new byte[SIZE];
                try (s; OutputStream out = s.getOutputStream(); InputStream in = s.getInputStream()) {
                    while (!run.stop) {
                        long sent = System.nanoTime();
                        out.write(m);
                        int got = 0;
                        while (got < SIZE) {
                            int n = in.read(back, got, SIZE - got);
                            if (n < 0) {
                                return;
                            }
                            got += n;
                        }
                        if (run.measuring) {
                            synchronized (histogram) {
                                histogram.recordValue(Math.min(System.nanoTime() - sent, 3_600_000_000L));
                            }
                            run.counts.incrementAndGet(index);
                        }
                    }
                } catch (Exception e) {
                    // closed at the end
                }
            }));
        }
        measure(run, warmup, measure);
        long started = run.started;
        double seconds = (System.nanoTime() - started) / 1e9;
        run.stop = true;
        for (Thread t : threads) {
            t.join(5_000);
        }
        return run.summarize(histograms, seconds);
    }

    /**
     * Streams {@code bytes} one way (or through an echo server and back) over one connection, after a
     * quarter as many untimed bytes, so that every server is measured warm (JIT-compiled). Channels with direct buffers, so the generator copies nothing
     * and is not the bottleneck.
     */
    static String bulk(InetSocketAddress server, long bytes, boolean echo) throws Exception {
        try (SocketChannel channel = SocketChannel.open()) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(server);
            long warmup = bytes / 4;
            long total = warmup + bytes;
            ByteBuffer chunk = ByteBuffer.allocateDirect(1024 * 1024);
            AtomicLong received = new AtomicLong();
            AtomicLong echoedAt = new AtomicLong();
            Thread reader = Thread.ofPlatform().start(() -> {
                ByteBuffer buffer = ByteBuffer.allocateDirect(1024 * 1024);
                try {
                    for (int n = channel.read(buffer); n >= 0; n = channel.read(buffer.clear())) {
                        if (echo && received.addAndGet(n) >= total) {
                            echoedAt.set(System.nanoTime());
                            return;
                        }
                    }
                    echoedAt.set(System.nanoTime()); // the sink closed: it has read everything
                } catch (Exception e) {
                    // closed
                }
            });
            long started = 0;
            for (long sent = 0; sent < total; ) {
                if (sent >= warmup && started == 0) {
                    System.out.println("measuring");
                    System.out.flush();
                    started = System.nanoTime();
                }
                chunk.clear().limit((int) Math.min(chunk.capacity(), (sent < warmup ? warmup : total) - sent));
                while (chunk.hasRemaining()) {
                    sent += channel.write(chunk);
                }
            }
            if (!echo) {
                channel.shutdownOutput(); // the sink closes once it has read everything
            }
            reader.join();
            System.out.println("measured");
            System.out.flush();
            double seconds = (echoedAt.get() - started) / 1e9;
            return String.format(java.util.Locale.ROOT, "bytes=%d seconds=%.3f mb_per_s=%.1f echoed=%d",
                    bytes, seconds, bytes / seconds / 1e6, echo ? received.get() - warmup : 0);
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

    static String connectionRate(InetSocketAddress server, int seconds, int concurrency) throws Exception {
        AtomicLong done = new AtomicLong();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                byte[] m = message();
                byte[] back = new byte[SIZE];
                while (System.nanoTime() < deadline) {
                    try (Socket s = new Socket()) {
                        s.setTcpNoDelay(true);
                        s.connect(server);
                        s.getOutputStream().write(m);
                        s.getInputStream().readNBytes(back, 0, SIZE);
                        done.incrementAndGet();
                    } catch (Exception e) {
                        // count only successes
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return String.format(java.util.Locale.ROOT, "connections=%d conns_per_s=%.0f", done.get(), done.get() / (double) seconds);
    }
}
