package simplesockets.bench;

import static simplesockets.bench.LoadGen.THREAD_END;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bulk modes ({@code bulk}, {@code bulkecho}): one connection streams a patterned run of bytes one way,
 * or through an echo server and back, where the echo is checked at its offsets, under a deadline.
 *
 * <p>Threads: the caller writes; a platform thread reads (and checks the echo); a virtual watchdog closes
 * the connection past the deadline.
 */
final class Bulk {

    /** A bulk stream's byte at offset {@code k} is {@code (byte) (k % PERIOD)}: a prime, so it drifts across any power of two. */
    static final int PERIOD = 251;
    /** The bulk modes' writes and reads. */
    static final int CHUNK = 1024 * 1024;

    private Bulk() {
    }

    /** How long a bulk run of {@code total} bytes may take: a minute, and a second more for every 5 MB. */
    static Duration limit(long total) {
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

    static String run(InetSocketAddress server, long bytes, boolean echo) throws Exception {
        return run(server, bytes, echo, limit(bytes + bytes / 4));
    }

    /**
     * Streams {@code bytes} one way (or through an echo server and back) over one connection, after a
     * quarter as many untimed bytes, so that every server is measured warm (JIT-compiled). Channels with
     * direct buffers, so the generator copies nothing and is not the bottleneck. The stream's byte at
     * offset {@code k} is {@code (byte) (k % PERIOD)}, written from {@link #pattern()} at the stream's phase, and
     * an echo is compared with it at its offset. Past {@code limit} the connection is closed, which ends
     * the run with {@code gen_errors=1} and the figures of the bytes that made it.
     */
    static String run(InetSocketAddress server, long bytes, boolean echo, Duration limit) throws Exception {
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
}
