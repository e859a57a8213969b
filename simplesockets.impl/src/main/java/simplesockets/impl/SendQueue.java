package simplesockets.impl;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import simplesockets.api.SendOverflow;
import simplesockets.impl.time.Clock;

/**
 * One connection's bounded queue of sends made on threads other than its own, waiting for its writer
 * ({@link Outbound}). It counts the bytes pending (queued, or taken and not yet written), applies
 * {@link SendOverflow} past the bound, hands the writer batches gathered up to {@link #MAX_GATHER}, and
 * holds back the connection's reader while replies pile up ({@link #awaitRoomToRead}).
 */
final class SendQueue {

    /** The most bytes of queued sends written in one go. */
    static final int MAX_GATHER = Cork.MAX;
    /** What a queued send costs beyond its bytes (its array and its slot), counted against the bounds. */
    static final int ENTRY_OVERHEAD = 32;

    /**
     * A writer that completes no batch for this long is stalled: its peer does not read. The reader stops
     * waiting for it, so that the queue's overflow rule applies to that peer.
     */
    static final Duration STALL = Duration.ofSeconds(1);

    /** Whether a send was dropped (the queue closed on it) or its write failed: not everything was written. Guarded by the lock. */
    private boolean lost;
    private final ReentrantLock lock = new ReentrantLock();
    /** Senders waiting for room, flush waiters and a reader held back wait here; signalled as bytes go out. */
    private final Condition changed = lock.newCondition();
    private final Outbound.Ends ends;
    private final Clock clock;
    private final int maxPending;
    private final SendOverflow overflow;
    /** Charged with the queued bytes until they are written. */
    private final Budget budget;
    /** Made on the first queued send, so a connection that only answers on its own thread has none. */
    private ArrayDeque<byte[]> queue;
    /** Whether the queue may hold bytes: the owner's thread then writes them before its own send. */
    private volatile boolean queued;
    /** Queued bytes and bytes taken but not yet written; written under the lock, read without it too. */
    private volatile long pending;
    /** Sends in the queue, each costing {@link #ENTRY_OVERHEAD} more than its bytes; under the lock. */
    private int entries;
    /** Whether a writer thread runs (or is being started). */
    private boolean writing;
    private boolean closed;
    /** Whether new sends are refused while the queued ones still go out (a user's disconnect). */
    private boolean refusing;
    /** Batches written so far: the writer's progress. */
    private int written;
    /** The progress count at which the writer was found stalled; reading is not held back until it moves. */
    private int stalledAt = -1;
    /** What runs once the writer stops, if one runs: a disconnect's waking of the reader. */
    private Runnable whenStopped;
    private final WriterThread writer = new WriterThread();

    SendQueue(Outbound.Ends ends, Clock clock, int maxPending, SendOverflow overflow, Budget budget) {
        this.ends = ends;
        this.clock = clock;
        this.maxPending = maxPending;
        this.overflow = overflow;
        this.budget = budget;
    }

    /** The thread that writes this queue, while one runs. */
    WriterThread writer() {
        return writer;
    }

    /**
     * Queues framed bytes, waiting for room under {@link SendOverflow#WAIT}.
     *
     * @return whether the caller must start a writer
     * @throws IOException past the bound under {@link SendOverflow#DISCONNECT}, or once closed
     */
    boolean offer(byte[] bytes) throws IOException {
        lock.lock();
        try {
            long cost = pending + (long) entries * ENTRY_OVERHEAD; // empty sends are not free
            while (!closed && !refusing && cost > 0 && cost + bytes.length + ENTRY_OVERHEAD > maxPending) {
                if (overflow == SendOverflow.DISCONNECT) {
                    lock.unlock();
                    try {
                        throw ends.overflowed(maxPending);
                    } finally {
                        lock.lock();
                    }
                }
                try {
                    changed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for room to send; nothing of it was queued");
                }
                cost = pending + (long) entries * ENTRY_OVERHEAD;
            }
            if (closed || refusing) {
                throw ends.closed();
            }
            if (queue == null) {
                queue = new ArrayDeque<>(4);
            }
            queue.addLast(bytes);
            queued = true;
            entries++;
            pending += bytes.length;
            budget.charge(bytes.length + ENTRY_OVERHEAD);
            if (writing) {
                return false;
            }
            writing = true;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the queue may hold bytes; read without the lock. */
    boolean mayHoldBytes() {
        return queued;
    }

    /**
     * Counts a batch as written (or failed) and takes the next one, in one step: the caller holds the
     * write lock, so batches are taken and written in order whoever writes them.
     *
     * @param done    the batch just written or failed, or {@code null}
     * @param stopped {@code null} unless the caller is the writer thread, which stops when this returns
     *                {@code null} (in the same step, so that a send queued after it starts a new writer); it
     *                then finds there what was to run once it stopped ({@link #whenStopped}), to run once it
     *                let go of the write lock: on its own stack, where a next writer cannot take it
     * @return the next batch, or {@code null} once the queue is empty (or closed)
     */
    byte[] next(byte[] done, Runnable[] stopped) {
        lock.lock();
        try {
            if (done != null) {
                pending -= done.length;
                budget.release(done.length);
                written++;
                changed.signalAll();
            }
            if (queue == null || queue.isEmpty() || closed) {
                queued = false;
                if (stopped != null) {
                    writing = false;
                    changed.signalAll();
                    stopped[0] = whenStopped;
                    whenStopped = null;
                }
                return null;
            }
            byte[] first = queue.pollFirst();
            int took = gathering.takeMore(queue, first); // out of the queue: their bytes stay pending until written
            boolean more = took > 1;
            entries -= took;
            budget.release((long) took * ENTRY_OVERHEAD);
            if (!more) {
                return first;
            }
        } finally {
            lock.unlock();
        }
        return gathering.joined(); // copied outside the lock, so senders queue meanwhile
    }

    /** Counts a batch whose write failed as done; nothing more of the queue is taken. */
    void failed(byte[] batch) {
        changing(() -> {
            lost = true;
            pending -= batch.length;
            budget.release(batch.length);
        });
    }

    /** The writer's batch in the making; only the writer (under the write lock) uses it. */
    private final Gathering gathering = new Gathering(MAX_GATHER);

    /** The writer could not be started (the owner is closing), or its write failed: nothing more is written. */
    void writerRefused() {
        close();
        Runnable[] stopped = {null};
        changing(() -> {
            writing = false;
            stopped[0] = whenStopped;
            whenStopped = null;
        });
        if (stopped[0] != null) {
            stopped[0].run();
        }
    }

    /** Runs {@code then} once no writer runs: now, on this thread, if none does; else on the writer's, as it stops. */
    void whenStopped(Runnable then) {
        lock.lock();
        try {
            if (writing) {
                whenStopped = then;
                return;
            }
        } finally {
            lock.unlock();
        }
        then.run();
    }

    /**
     * Holds back the reader of a connection whose replies are sent from other threads (the polling
     * style) while they pile up: while sends are pending and, with the bytes received and not yet taken,
     * come to half of the bound or more, it waits until they are under a quarter, as long as the writer
     * keeps completing batches. With {@link Outbound#readCredit} this keeps an echo of what was read under the
     * bound, so a peer that sends faster than it reads what comes back is slowed by TCP flow control
     * instead of being disconnected as a slow consumer. A writer that completes nothing for
     * {@link #STALL} has a peer that does not read: the reader then reads on, and the bound's
     * {@link SendOverflow} rule applies to that peer.
     *
     * @param received the connection's received bytes not yet taken
     * @param waits    told once, before the reader first waits
     * @return {@code false} once the queue is closed (the connection is ending)
     */
    boolean awaitRoomToRead(IntSupplier received, Runnable waits) throws InterruptedException {
        if (pending == 0 || pending + received.getAsInt() < maxPending / 2) {
            return true; // the common case: nothing queued, no lock taken
        }
        Clock.Timer timer = null;
        lock.lock();
        try {
            int check = 0;
            int seen = written;
            while (!closed && written != stalledAt && pending > 0 && pending + received.getAsInt() >= maxPending / 4) {
                if (check == 0) {
                    waits.run(); // the reader is held back: a stall, for its stats
                }
                if (check == 0 || stallFired == check && written != seen) {
                    seen = written; // a first check, or progress since the last one: check again after STALL
                    int next = ++stallChecks;
                    check = next;
                    timer = clock.schedule(STALL, () -> checkStall(next));
                } else if (stallFired == check) {
                    stalledAt = written; // no batch completed in a whole STALL: read on
                    break;
                }
                changed.await();
            }
            return !closed;
        } finally {
            lock.unlock();
            if (timer != null) {
                timer.cancel();
            }
        }
    }

    /** The stall checks started, and the last one whose time came; guarded by the lock. */
    private int stallChecks;
    private int stallFired;

    private void checkStall(int check) {
        changing(() -> stallFired = check);
    }

    /** Makes {@code change} under the lock and wakes everyone waiting. */
    private void changing(Runnable change) {
        lock.lock();
        try {
            change.run();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every queued send is written and the writer has stopped, for at most {@code max},
     * or until {@link #close()}.
     *
     * @param max the longest wait, or {@code null} to wait until written or closed
     * @return whether everything was written
     */
    boolean awaitFlushed(Duration max) throws InterruptedException {
        boolean[] expired = new boolean[1];
        Clock.Timer timer = max == null ? null : clock.schedule(max, () -> changing(() -> expired[0] = true));
        lock.lock();
        try {
            while (writing && !closed && !expired[0]) {
                changed.await();
            }
            return !writing && !lost;
        } finally {
            lock.unlock();
            if (timer != null) {
                timer.cancel();
            }
        }
    }

    /**
     * Waits until no writer runs, for at most {@code max}; once the queue is closed, a running writer
     * stops at its next batch (the transport's close fails a write in progress).
     *
     * @return whether no writer runs
     */
    boolean awaitWriterStopped(Duration max) throws InterruptedException {
        long left = max.toNanos();
        lock.lock();
        try {
            while (writing && left > 0) {
                left = changed.awaitNanos(left);
            }
            return !writing;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refuses sends from now on, while those queued still go out: a user's disconnect. Senders waiting
     * for room ({@link SendOverflow#WAIT}) are told at once that the connection closed.
     */
    void refuseNew() {
        changing(() -> refusing = true);
    }

    /** Drops whatever is still queued, and wakes everyone waiting. */
    void close() {
        lock.lock();
        try {
            closed = true;
            long dropped = 0;
            if (queue != null) {
                for (byte[] bytes : queue) {
                    dropped += bytes.length;
                }
                queue = new ArrayDeque<>(1); // not clear(): that keeps the grown array of a burst
            }
            lost |= dropped > 0;
            pending -= dropped;
            budget.release(dropped + (long) entries * ENTRY_OVERHEAD);
            entries = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The bytes queued and not yet written; read without the lock, for stats. */
    long pending() {
        return pending;
    }
}
