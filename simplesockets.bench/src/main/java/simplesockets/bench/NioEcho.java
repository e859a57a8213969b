package simplesockets.bench;

import static simplesockets.bench.LoadGen.SEQUENCE;
import static simplesockets.bench.LoadGen.SIZE;
import static simplesockets.bench.LoadGen.THREAD_END;
import static simplesockets.bench.LoadGen.message;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The closed-loop echo over NIO ({@code echo}, and Unix echo): each connection sends its message, waits
 * for the whole reply, checks it, and sends the next.
 *
 * <p>Threads: the caller connects and greets the connections, then measures and waits; {@link #SELECTORS}
 * platform threads each serve their share of the connections ({@code index % SELECTORS}) on a selector
 * of their own, so the generator neither bottlenecks nor starves connections.
 */
final class NioEcho {

    static final int SELECTORS = 2;

    private NioEcho() {
    }

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

    /**
     * The {@code echo} mode (and the Unix echo, given a {@link java.net.UnixDomainSocketAddress}): opens and greets
     * {@code connections} in waves, then runs the closed loop for {@code warmup} and {@code measure} seconds.
     */
    static String run(java.net.SocketAddress server, int connections, int warmup, int measure) throws Exception {
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
        double seconds = run.measureThenStop(warmup, measure);
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
}
