package simplesockets.testkit;

import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import simplesockets.impl.transport.PeerResetException;

/**
 * The bytes in transit in one direction of an in-memory connection, and the rules TCP keeps for them:
 * what a read takes and when there is nothing yet, which write is taken and dropped or refused, when a
 * writer has no room, and when the stream is over; with the faults of {@link Fault} that change them.
 *
 * <p>Not thread-safe: {@link Pipe} guards it with its lock and does the waiting.
 */
final class PipeState {

    /** {@link #tryRead}'s answer when nothing can be read yet: the read waits ({@link #readWait()}). */
    static final int NOT_YET = -2;

    private static final class Segment {
        final byte[] data;
        int offset;
        final long readyAt;

        Segment(byte[] data, long readyAt) {
            this.data = data;
            this.readyAt = readyAt;
        }
    }

    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private final int capacity;
    private int buffered;
    /** The writing side ended this direction. */
    private boolean ended;
    /**
     * The connection was closed under both ends ({@link Fault.Close}): reads end after what is in flight;
     * the first write after it is taken and dropped, as TCP takes a write to a peer that has closed, and
     * later ones fail as a broken pipe (the peer's reset has answered the first).
     */
    private boolean peerGone;
    /** The reading side closed: reads fail; the first write after it is taken and dropped (as TCP), later ones fail as a broken pipe. */
    private boolean readerClosed;
    /** Whether a write came after the reader or the peer closed: TCP takes the first (the peer's reset answers it), not the next. */
    private boolean writtenAfterClose;
    /** The reading side shut down its input: reads return end of stream once nothing is buffered. */
    private boolean readerShutdown;
    private boolean reset;
    private boolean stalled;
    /**
     * Once the reader's input is ending ({@link #endInput()}): the bytes that had arrived then and are
     * not yet taken, which reads return before end of stream; -1 before.
     */
    private long leftAtEnd = -1;
    private int fragment;
    private long delayNanos;

    /** The time a delay is counted on: a network's manual clock, or {@code null} for real time. */
    private final simplesockets.impl.time.Clock clock;

    PipeState(int capacity, simplesockets.impl.time.Clock clock) {
        this.capacity = capacity;
        this.clock = clock;
    }

    /** Now, on the time delays are counted on. */
    private long now() {
        return clock == null ? System.nanoTime() : clock.nanoTime();
    }

    /**
     * A read's try at the bytes: what has arrived, or end of stream. Once the input is ending, it returns
     * what had arrived then, and then end of stream, unless {@code rest} asks it to wait for more (the
     * rest of a message begun).
     *
     * @return bytes read, -1 at end of stream, or {@link #NOT_YET} when the read must wait
     */
    int tryRead(byte[] buffer, int offset, int length, boolean rest) throws IOException {
        if (readerClosed) {
            throw new SocketException("Socket closed");
        }
        if (reset) {
            throw new PeerResetException("Connection reset");
        }
        if (leftAtEnd == 0 && !rest) {
            return -1; // what had arrived when the input began to end is taken
        }
        long now = now();
        Segment head = segments.peekFirst();
        boolean ready = !stalled && head != null && head.readyAt - now <= 0;
        if (ready) {
            return take(buffer, offset, length, now);
        }
        if (readerShutdown || head == null && !stalled && (ended || peerGone)) {
            return -1; // bytes stalled or delayed have not arrived: shutting the input down ends the read too
        }
        return NOT_YET;
    }

    /**
     * How long a read that found nothing yet waits at most before it looks again: until the first bytes'
     * time, on real time; else {@code Long.MAX_VALUE}, until a change (on a manual clock, its step wakes
     * the read).
     */
    long readWait() {
        Segment head = segments.peekFirst();
        if (!stalled && head != null && clock == null) {
            return head.readyAt - now();
        }
        return Long.MAX_VALUE;
    }

    /**
     * Takes what has arrived, as a socket's read does: from as many writes as are here and fit, at most
     * {@code length} bytes (fewer under {@link Fault.Fragment}, or once the input is ending). With the
     * first segment arrived.
     */
    private int take(byte[] buffer, int offset, int length, long now) {
        int limit = fragment > 0 ? Math.min(length, fragment) : length;
        if (leftAtEnd > 0) {
            limit = (int) Math.min(limit, leftAtEnd);
        }
        int n = 0;
        for (Segment s = segments.peekFirst(); s != null && n < limit && s.readyAt - now <= 0; s = segments.peekFirst()) {
            int k = Math.min(limit - n, s.data.length - s.offset);
            System.arraycopy(s.data, s.offset, buffer, offset + n, k);
            s.offset += k;
            n += k;
            if (s.offset < s.data.length) {
                break;
            }
            segments.pollFirst();
        }
        if (leftAtEnd > 0) {
            leftAtEnd -= n;
        }
        buffered -= n;
        return n;
    }

    /**
     * Whether a write about to begin is the one TCP takes, and drops, after the reader or the peer closed
     * (the peer's reset answers it); if so, it counts as that write, so that the next one fails.
     */
    boolean dropsWrite() {
        if ((readerClosed || peerGone) && !reset && !writtenAfterClose) {
            writtenAfterClose = true; // as TCP: taken, and dropped; only a later write meets the reset
            return true;
        }
        return false;
    }

    /**
     * Whether the rest of a write under way is taken and dropped, the connection closed under it
     * ({@link Fault.Close}); if so, it counts as the write TCP takes, as in {@link #dropsWrite()}.
     */
    boolean dropsRest() {
        if (peerGone && !reset && !writtenAfterClose) {
            writtenAfterClose = true; // closed under a write: the rest is taken and dropped, as above
            return true;
        }
        return false;
    }

    /** Fails a write the pipe no longer takes: reset, the reader or the peer gone, or the output shut down. */
    void check() throws IOException {
        if (reset) {
            throw new PeerResetException("Connection reset");
        }
        if (readerClosed || peerGone) {
            throw new PeerResetException("Broken pipe");
        }
        if (ended) {
            throw new SocketException("Socket output is shut down");
        }
    }

    /** Whether a writer waits for room: the pipe is full, and nothing has ended it. */
    boolean full() {
        return buffered >= capacity && !readerClosed && !ended && !reset && !peerGone;
    }

    /** The bytes a write can put in now. */
    int room() {
        return capacity - buffered;
    }

    /**
     * Puts {@code length} bytes in (a copy), to arrive after the {@link Fault.Delay} set.
     *
     * @return the time they arrive, on the time delays are counted on
     */
    long add(byte[] buffer, int offset, int length) {
        long readyAt = now() + delayNanos;
        segments.addLast(new Segment(Arrays.copyOfRange(buffer, offset, offset + length), readyAt));
        buffered += length;
        return readyAt;
    }

    /** Whether bytes put in now arrive later ({@link Fault.Delay}). */
    boolean delayed() {
        return delayNanos > 0;
    }

    /**
     * The bytes that arrived and wait unread: not those a stall or a delay holds back, which a kernel
     * would not have yet.
     */
    long unread() {
        return stalled ? 0 : arrived();
    }

    /** The bytes that have arrived: not those a {@link Fault.Delay} still holds back. */
    private long arrived() {
        long now = now();
        long ready = 0;
        for (Segment segment : segments) {
            if (segment.readyAt - now > 0) {
                break; // in order: the later ones are held back at least as long
            }
            ready += segment.data.length - segment.offset;
        }
        return ready;
    }

    /** The reader's input begins to end: later reads take the bytes {@linkplain #unread() unread} now. */
    void endInput() {
        if (leftAtEnd < 0) {
            leftAtEnd = unread();
        }
    }

    /** Whether the reader's input began to end ({@link #endInput()}). */
    boolean inputEnding() {
        return leftAtEnd >= 0;
    }

    /**
     * Whether the reader's input is ending and the rest of a message may still come: not once the
     * stream itself ended (the writer's end, a reset, a close, the input shut down) with nothing left.
     */
    boolean restMayCome() {
        boolean streamOver = reset || readerClosed || readerShutdown || (ended || peerGone) && segments.isEmpty();
        return leftAtEnd >= 0 && !streamOver;
    }

    /** The writer ends this direction. */
    void end() {
        ended = true;
    }

    /** The connection is closed under both ends ({@link Fault.Close}). */
    void closeUnder() {
        peerGone = true;
    }

    /** The reader shuts down its input. */
    void shutdownReader() {
        readerShutdown = true;
    }

    /** The reader closes its end. */
    void closeReader() {
        readerClosed = true;
    }

    /** The connection is reset: what is in flight is gone. */
    void reset() {
        reset = true;
        segments.clear();
        buffered = 0;
    }

    void stall(boolean on) {
        stalled = on;
    }

    void fragment(int bytes) {
        fragment = bytes;
    }

    void delay(Duration delay) {
        delayNanos = delay.toNanos();
    }
}
