package simplesockets.testkit;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import simplesockets.impl.transport.PeerResetException;

/**
 * One direction of an in-memory connection: a bounded queue of written segments plus an
 * end-of-stream marker, with the faults of {@link Fault} built in, and a bounded record of every
 * write for {@link Wire#take}.
 *
 * <p>A full pipe blocks its writer, as a full TCP window does; an empty (or stalled, or delayed) one
 * blocks its reader. All waits are on one lock's conditions: a test's waits ({@link RawPeer}, {@link Wire})
 * with deadlines; the engine's writes, as on a socket, until room comes or a close or reset ends them.
 */
final class Pipe {


    private static final class Segment {
        final byte[] data;
        int offset;
        final long readyAt;

        Segment(byte[] data, long readyAt) {
            this.data = data;
            this.readyAt = readyAt;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private final int capacity;
    private int buffered;
    /** Every write, as {@link Wire#take} hands it out. */
    private final WireRecord record;
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
    /** Reads waiting now for bytes to take, having seen the pipe as it is since its last change; guarded by the lock. */
    private int waitingReaders;
    /** Changes that wake waiting reads: a read counted as waiting before the latest is no longer counted. */
    private long changes;
    /** A write is putting its bytes in: the next one waits its turn, so that writes never mix (a socket's write lock). */
    private boolean writing;
    /**
     * Once the reader's input is ending ({@link #endInput()}): the bytes that had arrived then and are
     * not yet taken, which reads return before end of stream; -1 before. Guarded by the lock.
     */
    private long leftAtEnd = -1;
    private int fragment;
    private long delayNanos;

    /** Pipes made so far: the order in which two pipes' locks are taken together. */
    private static final java.util.concurrent.atomic.AtomicLong MADE = new java.util.concurrent.atomic.AtomicLong();
    private final long order = MADE.incrementAndGet();

    /** The time a delay is counted on: a network's manual clock, or {@code null} for real time. */
    private final simplesockets.impl.time.Clock clock;

    Pipe(int capacity) {
        this(capacity, null);
    }

    Pipe(int capacity, simplesockets.impl.time.Clock clock) {
        this(capacity, clock, true);
    }

    /** @param recorded whether writes are recorded for {@link Wire#take}: not where no one can take them */
    Pipe(int capacity, simplesockets.impl.time.Clock clock, boolean recorded) {
        this.capacity = capacity;
        this.clock = clock;
        this.record = recorded ? new WireRecord() : null;
    }

    /** Now, on the time delays are counted on. */
    private long now() {
        return clock == null ? System.nanoTime() : clock.nanoTime();
    }

    /**
     * Blocks until bytes can be read, end of stream, or the timeout ({@code 0} for none).
     *
     * @return bytes read, or -1 at end of stream
     */
    int read(byte[] buffer, int offset, int length, long timeoutNanos) throws IOException {
        return read(buffer, offset, length, timeoutNanos, false);
    }

    /**
     * {@link #read(byte[], int, int, long)}; once the input is ending, it returns what had arrived then,
     * and then end of stream, unless {@code rest} asks it to wait for more (the rest of a message begun).
     */
    int read(byte[] buffer, int offset, int length, long timeoutNanos, boolean rest) throws IOException {
        lock.lock();
        try {
            long deadline = System.nanoTime() + timeoutNanos;
            while (true) {
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
                    int n = take(buffer, offset, length, now);
                    changed();
                    return n;
                }
                if (readerShutdown || head == null && !stalled && (ended || peerGone)) {
                    return -1; // bytes stalled or delayed have not arrived: shutting the input down ends the read too
                }
                long wait = Long.MAX_VALUE;
                if (!stalled && head != null && clock == null) { // on a manual clock, its step wakes the read
                    wait = head.readyAt - now;
                }
                if (timeoutNanos > 0) {
                    long left = deadline - System.nanoTime(); // a read's own timeout is real time
                    if (left <= 0) {
                        throw new SocketTimeoutException("Read timed out");
                    }
                    wait = Math.min(wait, left);
                }
                long seen = changes;
                waitingReaders++;
                changed.signalAll(); // for awaitReaderWaiting
                try {
                    if (wait == Long.MAX_VALUE) {
                        changed.await();
                    } else {
                        changed.awaitNanos(wait);
                    }
                } finally {
                    if (changes == seen) { // else a change already stopped counting it
                        waitingReaders--;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("read interrupted");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes what has arrived, as a socket's read does: from as many writes as are here and fit, at most
     * {@code length} bytes (fewer under {@link Fault.Fragment}, or once the input is ending). Under the
     * lock, with the first segment arrived.
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

    /** The pipe changed: wakes every wait on it; reads waiting until now are no longer counted as waiting. Under the lock. */
    private void changed() {
        changes++;
        waitingReaders = 0;
        changed.signalAll();
    }

    /**
     * Waits until a read of this pipe waits for bytes to take.
     *
     * @return whether one did within the timeout
     */
    boolean awaitReaderWaiting(Duration timeout) throws InterruptedException {
        return awaitUntil(() -> waitingReaders > 0, timeout);
    }

    /** The longest wait the testkit makes: about 73 years, so a deadline of now plus it never overflows. */
    private static final long LONGEST_WAIT_NANOS = Long.MAX_VALUE / 4;

    /**
     * A test's timeout in nanoseconds, at most {@link #LONGEST_WAIT_NANOS}: a {@code Duration} too long for
     * a {@code long} of nanoseconds ({@code ChronoUnit.FOREVER}'s, say) waits for good instead of throwing.
     */
    static long nanos(Duration timeout) {
        return timeout.compareTo(Duration.ofNanos(LONGEST_WAIT_NANOS)) > 0 ? LONGEST_WAIT_NANOS : timeout.toNanos();
    }

    /**
     * Waits until the reader's input begins to end ({@link #endInput()}).
     *
     * @return whether it did within the timeout
     */
    boolean awaitInputEnding(Duration timeout) throws InterruptedException {
        return awaitUntil(() -> leftAtEnd >= 0, timeout);
    }

    /** Waits until {@code done}, asked under the lock, holds, at most {@code timeout}; returns whether it does. */
    private boolean awaitUntil(java.util.function.BooleanSupplier done, Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos(timeout);
            while (!done.getAsBoolean()) {
                if (left <= 0) {
                    return false;
                }
                left = changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records the write, then blocks until every byte is in the pipe. Writes from several threads take
     * turns, each whole, as on a socket.
     */
    void write(byte[] buffer, int offset, int length) throws IOException {
        write(buffer, offset, length, 0);
    }

    /**
     * {@link #write(byte[], int, int)}, waiting for its turn and for room at most {@code timeoutNanos}
     * ({@code 0} for no limit) in all.
     *
     * @throws SocketTimeoutException if the time ran out; the bytes already in the pipe stay there
     */
    void write(byte[] buffer, int offset, int length, long timeoutNanos) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        lock.lock();
        try {
            while (writing) {
                awaitChangeForWrite(deadline, timeoutNanos, 0, length);
            }
            writing = true;
            try {
                put(buffer, offset, length, deadline, timeoutNanos);
            } finally {
                writing = false;
                changed.signalAll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("write interrupted");
        } finally {
            lock.unlock();
        }
    }

    /** Waits for a change, within the write's time if it has a limit. Under the lock. */
    private void awaitChangeForWrite(long deadline, long timeoutNanos, int written, int length)
            throws InterruptedException, SocketTimeoutException {
        if (timeoutNanos == 0) {
            changed.await();
            return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("Write timed out: " + written + " of " + length + " bytes written;"
                    + " the other end does not read, or this direction is stalled");
        }
        changed.awaitNanos(left);
    }

    /** The body of {@link #write}, in its turn, under the lock. */
    private void put(byte[] buffer, int offset, int length, long deadline, long timeoutNanos)
            throws IOException, InterruptedException {
        if ((readerClosed || peerGone) && !reset && !writtenAfterClose) {
            writtenAfterClose = true; // as TCP: taken, and dropped; only a later write meets the reset
            record(buffer, offset, length);
            return;
        }
        check();
        record(buffer, offset, length);
        int written = 0;
        while (written < length) {
            while (buffered >= capacity && !readerClosed && !ended && !reset && !peerGone) {
                awaitChangeForWrite(deadline, timeoutNanos, written, length);
            }
            if (peerGone && !reset && !writtenAfterClose) {
                writtenAfterClose = true; // closed under a write: the rest is taken and dropped, as above
                return;
            }
            check();
            int n = Math.min(length - written, capacity - buffered);
            long readyAt = now() + delayNanos;
            segments.addLast(new Segment(Arrays.copyOfRange(buffer, offset + written, offset + written + n), readyAt));
            if (clock != null && delayNanos > 0) { // the step to the bytes' time wakes the reader, even if the clock moved since
                clock.scheduleAt(readyAt, () -> update(() -> { }));
            }
            buffered += n;
            written += n;
            changed();
        }
    }

    private void record(byte[] buffer, int offset, int length) {
        if (record != null) {
            record.add(Arrays.copyOfRange(buffer, offset, offset + length));
        }
    }

    private void check() throws IOException {
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

    /** Takes the oldest recorded write, waiting up to the timeout ({@link WireRecord#take}). */
    Optional<byte[]> take(Duration timeout) throws InterruptedException {
        return record == null ? Optional.empty() : record.take(timeout);
    }

    /**
     * Whether bytes that arrived wait in the pipe unread: not those a stall or a delay holds back, which a
     * kernel would not have yet (so a close with only those is an orderly one, as over TCP).
     */
    boolean hasUnread() {
        return locked(() -> stalled ? 0 : arrived()) > 0;
    }

    long droppedRecords() {
        return record == null ? 0 : record.dropped();
    }

    /** The writer ends this direction; bytes in flight can still be read. */
    void end() {
        update(() -> ended = true);
    }

    /**
     * The reader's input begins to end (a graceful close): later reads take the bytes that have arrived
     * now (not those a stall or a delay withholds), then return end of stream, unless asked for the rest
     * of a message.
     */
    void endInput() {
        update(() -> {
            if (leftAtEnd < 0) {
                leftAtEnd = stalled ? 0 : arrived();
            }
        });
    }

    /** The bytes that have arrived: not those a {@link Fault.Delay} still holds back. Under the lock. */
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

    /**
     * Whether the reader's input is ending and the rest of a message may still come: not once the
     * stream itself ended (the writer's end, a reset, a close, the input shut down) with nothing left.
     */
    boolean restMayCome() {
        lock.lock();
        try {
            boolean streamOver = reset || readerClosed || readerShutdown || (ended || peerGone) && segments.isEmpty();
            return leftAtEnd >= 0 && !streamOver;
        } finally {
            lock.unlock();
        }
    }

    /** The reader shuts down its input: once what is buffered is read, reads return end of stream. */
    void shutdownReader() {
        update(() -> readerShutdown = true);
    }

    /** The reader closes its end: its reads fail, and so do writes into it. */
    void closeReader() {
        update(() -> readerClosed = true);
    }

    /**
     * Resets both directions at once, under both locks, so that neither side can react to its half of
     * the reset (and close its end) before the other half is in place. The locks are taken in the pipes'
     * order of making, whichever end calls, so that both ends closing at once cannot deadlock.
     */
    static void resetBoth(Pipe first, Pipe second) {
        both(first, second, Pipe::resetLocked);
    }

    /** Closes the connection under both ends at once ({@link Fault.Close}). */
    static void endBoth(Pipe first, Pipe second) {
        both(first, second, p -> p.peerGone = true);
    }

    private static void both(Pipe one, Pipe other, java.util.function.Consumer<Pipe> change) {
        Pipe first = one.order < other.order ? one : other;
        Pipe second = first == one ? other : one;
        first.lock.lock();
        try {
            second.lock.lock();
            try {
                change.accept(first);
                change.accept(second);
                first.changed();
                second.changed();
            } finally {
                second.lock.unlock();
            }
        } finally {
            first.lock.unlock();
        }
    }

    private void resetLocked() {
        reset = true;
        segments.clear();
        buffered = 0;
    }

    void stall(boolean on) {
        update(() -> stalled = on);
    }

    void fragment(int bytes) {
        update(() -> fragment = bytes);
    }

    void delay(Duration delay) {
        update(() -> delayNanos = delay.toNanos());
    }

    private void update(Runnable change) {
        lock.lock();
        try {
            change.run();
            changed();
        } finally {
            lock.unlock();
        }
    }

    private long locked(java.util.function.LongSupplier read) {
        lock.lock();
        try {
            return read.getAsLong();
        } finally {
            lock.unlock();
        }
    }
}
