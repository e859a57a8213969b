package simplesockets.testkit;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One direction of an in-memory connection: the waits of its reader and writer around the bytes in
 * transit ({@link PipeState}: bounded, with an end of stream and the faults of {@link Fault}), and a
 * bounded record of every write for {@link Wire#take}.
 *
 * <p>A full pipe blocks its writer, as a full TCP window does; an empty (or stalled, or delayed) one
 * blocks its reader. All waits are on one lock's conditions: a test's waits ({@link RawPeer}, {@link Wire})
 * with deadlines; the engine's writes, as on a socket, until room comes or a close or reset ends them.
 * The bytes and their rules are a {@link PipeState}, which the lock guards; this does the waiting.
 * Thread-safe.
 */
final class Pipe {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** The bytes in flight and the rules for them; guarded by the lock. */
    private final PipeState state;
    /** Every write, as {@link Wire#take} hands it out. */
    private final WireRecord record;
    /** Reads waiting now for bytes to take, having seen the pipe as it is since its last change; guarded by the lock. */
    private int waitingReaders;
    /** Changes that wake waiting reads: a read counted as waiting before the latest is no longer counted. */
    private long changes;
    /** A write is putting its bytes in: the next one waits its turn, so that writes never mix (a socket's write lock). */
    private boolean writing;

    /** Pipes made so far: the order in which two pipes' locks are taken together. */
    private static final java.util.concurrent.atomic.AtomicLong MADE = new java.util.concurrent.atomic.AtomicLong();
    private final long order = MADE.incrementAndGet();

    /** The manual clock whose step wakes a read of delayed bytes, or {@code null} for real time. */
    private final simplesockets.impl.time.Clock clock;

    Pipe(int capacity) {
        this(capacity, null);
    }

    Pipe(int capacity, simplesockets.impl.time.Clock clock) {
        this(capacity, clock, true);
    }

    /** @param recorded whether writes are recorded for {@link Wire#take}: not where no one can take them */
    Pipe(int capacity, simplesockets.impl.time.Clock clock, boolean recorded) {
        this.state = new PipeState(capacity, clock);
        this.clock = clock;
        this.record = recorded ? new WireRecord() : null;
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
                int n = state.tryRead(buffer, offset, length, rest);
                if (n != PipeState.NOT_YET) {
                    if (n >= 0) {
                        changed(); // bytes taken: room for the writer
                    }
                    return n;
                }
                long wait = state.readWait();
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

    /**
     * Waits until the reader's input begins to end ({@link #endInput()}).
     *
     * @return whether it did within the timeout
     */
    boolean awaitInputEnding(Duration timeout) throws InterruptedException {
        return awaitUntil(state::inputEnding, timeout);
    }

    /** Waits until {@code done}, asked under the lock, holds, at most {@code timeout}; returns whether it does. */
    private boolean awaitUntil(java.util.function.BooleanSupplier done, Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long left = Waits.nanos(timeout);
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
        if (state.dropsWrite()) {
            record(buffer, offset, length);
            return;
        }
        state.check();
        record(buffer, offset, length);
        int written = 0;
        while (written < length) {
            while (state.full()) {
                awaitChangeForWrite(deadline, timeoutNanos, written, length);
            }
            if (state.dropsRest()) {
                return;
            }
            state.check();
            int n = Math.min(length - written, state.room());
            long readyAt = state.add(buffer, offset + written, n);
            if (clock != null && state.delayed()) { // the step to the bytes' time wakes the reader, even if the clock moved since
                clock.scheduleAt(readyAt, () -> update(() -> { }));
            }
            written += n;
            changed();
        }
    }

    private void record(byte[] buffer, int offset, int length) {
        if (record != null) {
            record.add(Arrays.copyOfRange(buffer, offset, offset + length));
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
        return locked(state::unread) > 0;
    }

    long droppedRecords() {
        return record == null ? 0 : record.dropped();
    }

    /** The writer ends this direction; bytes in flight can still be read. */
    void end() {
        update(state::end);
    }

    /**
     * The reader's input begins to end (a graceful close): later reads take the bytes that have arrived
     * now (not those a stall or a delay withholds), then return end of stream, unless asked for the rest
     * of a message.
     */
    void endInput() {
        update(state::endInput);
    }

    /**
     * Whether the reader's input is ending and the rest of a message may still come: not once the
     * stream itself ended (the writer's end, a reset, a close, the input shut down) with nothing left.
     */
    boolean restMayCome() {
        lock.lock();
        try {
            return state.restMayCome();
        } finally {
            lock.unlock();
        }
    }

    /** The reader shuts down its input: once what is buffered is read, reads return end of stream. */
    void shutdownReader() {
        update(state::shutdownReader);
    }

    /** The reader closes its end: its reads fail, and so do writes into it. */
    void closeReader() {
        update(state::closeReader);
    }

    /**
     * Resets both directions at once, under both locks, so that neither side can react to its half of
     * the reset (and close its end) before the other half is in place. The locks are taken in the pipes'
     * order of making, whichever end calls, so that both ends closing at once cannot deadlock.
     */
    static void resetBoth(Pipe first, Pipe second) {
        both(first, second, p -> p.state.reset());
    }

    /** Closes the connection under both ends at once ({@link Fault.Close}). */
    static void endBoth(Pipe first, Pipe second) {
        both(first, second, p -> p.state.closeUnder());
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

    void stall(boolean on) {
        update(() -> state.stall(on));
    }

    void fragment(int bytes) {
        update(() -> state.fragment(bytes));
    }

    void delay(Duration delay) {
        update(() -> state.delay(delay));
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
