package simplesockets.impl;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.PeerResetException;
import simplesockets.impl.transport.Transport;

/**
 * One connection's read side: transport reads into an adaptive {@link ReadBuffer}, cut into pieces by
 * the {@link Codec}. Used by the engine's read loop and by a handler's {@code read()}; one reader at a
 * time (a lock), which is always the connection's own thread in practice.
 *
 * <p>After a read that found data without waiting, the reader yields its carrier ({@link Turns}), so
 * that connections whose peers answer at once cannot starve the others. The time the read in progress
 * started is published for the idle timeout.
 */
final class Reader implements Budget.Builder {

    private final Transport transport;
    private final Codec codec;
    private final Clock clock;
    private final ReadBuffer reads;
    private final Turns turns = Turns.yielding();
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean endOfStream;
    /** Set once the buffers were let go: reads return end of stream. */
    private boolean released;
    /** Whether the read in progress waits for the rest of a message begun: a drain leaves it be. */
    private volatile boolean readInsideMessage;
    /** The reset a read met, or null: whoever is shown it as a JDK type, its connection ended by that reset. */
    private volatile PeerResetException resetSeen;
    /** When the read in progress began ({@link Clock#nanoTime()}, made odd), or 0 when none is. */
    private volatile long readStarted;

    private final Budget budget;
    private final BooleanSupplier ended;
    private final Meter meter;

    /**
     * @param budget the bytes in flight: while it is spent, a reader building a frame waits
     * @param meter  counts the bytes read, the pieces handed out, and the waits for the budget or for polling
     * @param ended  whether the connection ended, which ends such a wait
     */
    Reader(Transport transport, Codec codec, Clock clock, int largestPiece, Budget budget, Meter meter,
            BooleanSupplier ended) {
        this.meter = meter;
        this.transport = transport;
        this.codec = codec;
        this.clock = clock;
        this.reads = new ReadBuffer(largestPiece);
        this.budget = budget;
        this.ended = ended;
    }

    /**
     * The next complete piece, reading the transport as needed.
     *
     * @return the piece, or empty at end of stream, or once the connection ended (a piece read after that,
     *         while its last sends still went out, is dropped, and not counted as received)
     * @throws IOException if reading fails or the peer broke the framing (after the pieces before
     *                     the violation were handed out)
     */
    Optional<byte[]> next() throws IOException {
        lock.lock();
        try {
            meter.resumed(); // reading on ends a wait for polling (EventState's read permit)
            while (true) {
                byte[] piece = codec.next();
                if (piece != null && ended.getAsBoolean()) {
                    budget.done(this);
                    return Optional.empty();
                }
                if (piece != null) {
                    handedOut();
                    return Optional.of(piece);
                }
                codec.check();
                if (endOfStream || released) {
                    return Optional.empty();
                }
                if (codec.allocated() > 0) {
                    awaitBudget();
                }
                byte[] buffer = reads.array();
                long started = System.nanoTime(); // for taking turns: a scheduling matter, not a timeout
                readStarted = clock.nanoTime() | 1;
                readInsideMessage = codec.midMessage();
                if (readInsideMessage) {
                    transport.awaitRest(); // once the input is ending, this read waits for the rest, within the grace
                }
                int n;
                try {
                    n = transport.read(buffer, 0, buffer.length);
                } catch (PeerResetException e) {
                    resetSeen = e;
                    throw e;
                } finally {
                    readStarted = 0;
                }
                if (n < 0 && codec.midMessage() && transport.awaitRest()) {
                    continue; // a graceful close began inside a message: its rest may be a moment away
                }
                if (n < 0) {
                    endOfStream = true;
                    codec.check();
                    codec.endOfStream();
                    continue; // a piece the end completed (a last line without its newline) comes first
                }
                if (n > 0) {
                    meter.read(n); // counted here, as the bytes cross (after TLS decryption): the reader's own count
                    turns.afterRead(System.nanoTime() - started, n == buffer.length);
                }
                reads.filled(n, codec.feed(buffer, n));
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lets go of the read buffer and any partial frame: the connection ended. Only its own thread
     * calls this, once its loop or handler returned.
     */
    void release() {
        lock.lock();
        try {
            released = true;
            codec.release();
            reads.release();
            budget.done(this);
        } finally {
            lock.unlock();
        }
    }

    /** A piece was handed out: its frame is done, so the reader gives back the budget's pass if it held it. */
    private void handedOut() {
        meter.received();
        budget.done(this);
    }

    /** Waits while the bytes in flight are at their bound, unless this reader holds or takes the pass. */
    private void awaitBudget() throws InterruptedIOException {
        if (!budget.spent()) {
            return;
        }
        boolean[] stalled = new boolean[1];
        try {
            budget.awaitRoom(this, ended, () -> {
                stalled[0] = true; // another holds the pass: this reader waits
                meter.stalled(Meter.Bound.BYTES_IN_FLIGHT);
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the bytes in flight were at their bound");
        } finally {
            if (stalled[0]) {
                meter.resumed();
            }
        }
    }

    /**
     * The next piece already decoded from the last read, without reading; {@code null} when none is, or once
     * the connection ended (as {@link #next()} drops it).
     */
    byte[] nextDecoded() {
        lock.lock();
        try {
            byte[] piece = codec.next();
            if (piece != null && ended.getAsBoolean()) {
                budget.done(this);
                return null;
            }
            if (piece != null) {
                handedOut();
            }
            return piece;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether the read in progress (if any) waits for the rest of a message it began, which a graceful
     * close lets it finish within its grace; any thread.
     */
    boolean readingInsideMessage() {
        return readInsideMessage;
    }

    /** Whether the last read handed out more pieces than have been taken. */
    boolean hasMore() {
        return codec.hasNext();
    }

    /** Whether the peer broke the framing: a protocol violation was read. On the connection's own thread. */
    boolean framingBroken() {
        try {
            codec.check();
            return false;
        } catch (java.net.ProtocolException e) {
            return true;
        }
    }

    /** The reset a read met, or {@code null}. */
    PeerResetException resetSeen() {
        return resetSeen;
    }

    /** Whether a read has returned end of stream. */
    boolean sawEndOfStream() {
        return endOfStream;
    }

    /** The size of the next read; read without the lock, which a blocked read holds. */
    int readSize() {
        return reads.size();
    }

    /** Now, on the owner's clock: for the budget's pass. */
    @Override
    public long nanoTime() {
        return clock.nanoTime();
    }

    /**
     * How long the read in progress has waited.
     *
     * @param now {@link Clock#nanoTime()}
     * @return nanoseconds, or 0 when no read is in progress
     */
    long readWaitingNanos(long now) {
        long started = readStarted;
        return started == 0 ? 0 : now - started;
    }
}
