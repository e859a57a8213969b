package simplesockets.impl;

import java.io.IOException;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Transport;

/**
 * One connection's writes to its transport, timed for the write timeout ({@link Timeouts}) and counted
 * in its {@link Meter}. Every
 * write goes in pieces of at most {@link #PIECE}, each timed from its own start, so that the timeout
 * bounds a wait for a peer that does not read, never a large send to a peer that reads it slowly (the
 * JDK writes a socket in pieces of this order anyway). The caller holds its connection's write lock.
 */
final class TimedWrites {

    /** The most one transport write takes. */
    static final int PIECE = 64 * 1024;

    private final Transport transport;
    private final Clock clock;
    private final Meter meter;
    /** When the piece in progress began ({@link Clock#nanoTime()}, made odd), or 0 when none is. */
    private volatile long started;
    /** When the last piece was written ({@link Clock#nanoTime()}, made odd), or 0 before any was. */
    private volatile long written;
    /** Pieces written so far: progress, however large the send they belong to. */
    private volatile long pieces;

    /** @param meter counts the bytes written, as they cross (before TLS encryption) */
    TimedWrites(Transport transport, Clock clock, Meter meter) {
        this.transport = transport;
        this.clock = clock;
        this.meter = meter;
    }

    /** Writes every byte, blocking while the peer does not read. */
    void write(byte[] bytes, int offset, int length) throws IOException {
        int end = offset + length;
        int at = offset;
        do {
            int n = Math.min(PIECE, end - at);
            started = clock.nanoTime() | 1;
            try {
                transport.write(bytes, at, n);
                written = clock.nanoTime() | 1;
                pieces++; // only the holder of the write lock writes it, and the meter's count too
                meter.wrote(n);
            } finally {
                started = 0;
            }
            at += n;
        } while (at < end);
    }

    /**
     * How long the piece in progress has been blocked; any thread.
     *
     * @param now {@link Clock#nanoTime()}
     * @return nanoseconds, or 0 when no write is in progress
     */
    long blockedNanos(long now) {
        long begun = started;
        return begun == 0 ? 0 : now - begun;
    }

    /**
     * How long nothing has been sent: 0 while a write is in progress, else the time since the last one
     * ended ({@code Long.MAX_VALUE} before any); any thread, for the idle timeout.
     *
     * @param now {@link Clock#nanoTime()}
     */
    long quietNanos(long now) {
        if (started != 0) { // read first: a piece that ends sets its time before it clears this
            return 0;
        }
        long last = written;
        return last == 0 ? Long.MAX_VALUE : now - last;
    }

    /** The pieces (of at most {@link #PIECE}) written so far; any thread. */
    long pieces() {
        return pieces;
    }
}
