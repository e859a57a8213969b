package simplesockets.impl;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import simplesockets.api.SendOverflow;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Transport;

/**
 * One connection's write path. A send on the connection's own thread (its callbacks, its handler)
 * writes directly, blocking while the peer does not read; while the reader hands out the pieces of one
 * read, such sends are gathered ({@link Cork}). A send on any other thread never touches the socket:
 * its bytes join a bounded queue that a writer thread of the connection writes, in order; the writer
 * starts when the queue fills and ends when it is empty. Past the bound, {@link SendOverflow} applies.
 *
 * <p>Socket writes take {@link #writeLock}, so two sends never interleave, and gathered bytes and
 * queued sends go out before anything sent after them. A failed write ends the connection
 * ({@link Ends#writeFailed}).
 */
final class Outbound {

    /** The most bytes of queued sends written in one go. */
    static final int MAX_GATHER = Cork.MAX;

    /**
     * What the write path needs from its connection: to end it when a write failed, to end it when the
     * queue overflowed under {@link SendOverflow#DISCONNECT} (returning what the send throws), and what
     * a send on a closed connection throws.
     */
    interface Ends {
        void writeFailed(IOException e);

        IOException overflowed(int limit);

        IOException closed();
    }

    private final Transport transport;
    private final Clock clock;
    private final Scope scope;
    private final Ends ends;
    private final int maxPending;
    private final SendOverflow overflow;
    private final ReentrantLock writeLock = new ReentrantLock();
    /** When the write in progress began ({@link Clock#nanoTime()}, made odd), or 0 when none is. */
    private volatile long writeStarted;
    /** The reader thread while it hands out the pieces of one read to a callback, else null. */
    private volatile Thread corkedBy;
    /** Guarded by writeLock. */
    private final Cork cork = new Cork();

    private final ReentrantLock queueLock = new ReentrantLock();
    private final Condition changed = queueLock.newCondition();
    /**
     * Made on the first queued send, so a connection that only answers on its own thread has none.
     * Guarded by queueLock, as are the fields below.
     */
    private ArrayDeque<byte[]> queue;
    /** Whether the queue may hold bytes: the owner's thread then writes them before its own send. */
    private volatile boolean queued;
    private volatile long pending; // written under queueLock; read without it too
    private boolean writing;
    private boolean closed;

    /** Charged with the queued bytes until they are written. */
    private final Budget budget;

    Outbound(Transport transport, Clock clock, Scope scope, Ends ends, int maxPending, SendOverflow overflow,
            Budget budget) {
        this.budget = budget;
        this.transport = transport;
        this.clock = clock;
        this.scope = scope;
        this.ends = ends;
        this.maxPending = maxPending;
        this.overflow = overflow;
    }

    /** Sends framed bytes from the connection's own thread: gathered while corked, else written now. */
    void sendOwn(byte[] bytes) throws IOException {
        writeLock.lock();
        try {
            if (queued) {
                // Sends queued by other threads returned before this one: they go first.
                flushCork();
                while (writeNextBatch(false)) {
                    // the whole queue, in order
                }
            }
            if (corkedBy == Thread.currentThread()) {
                cork.gather(bytes, this::write);
            } else {
                flushCork();
                write(bytes, 0, bytes.length);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Queues framed bytes from another thread for the writer; never waits for the peer. */
    void sendQueued(byte[] bytes) throws IOException {
        boolean start = false;
        queueLock.lock();
        try {
            while (!closed && pending > 0 && pending + bytes.length > maxPending) {
                if (overflow == SendOverflow.DISCONNECT) {
                    queueLock.unlock();
                    try {
                        throw ends.overflowed(maxPending);
                    } finally {
                        queueLock.lock();
                    }
                }
                try {
                    changed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for room to send; nothing of it was queued");
                }
            }
            if (closed) {
                throw ends.closed();
            }
            if (queue == null) {
                queue = new ArrayDeque<>(4);
            }
            queue.addLast(bytes);
            queued = true;
            pending += bytes.length;
            budget.charge(bytes.length);
            if (!writing) {
                writing = true;
                start = true;
            }
        } finally {
            queueLock.unlock();
        }
        if (start) {
            try {
                scope.fork("writer", this::writeQueued);
            } catch (RejectedExecutionException e) {
                close();
                throw ends.closed();
            }
        }
    }

    /** The writer thread: writes the queue, gathered, until it is empty. */
    private void writeQueued() {
        boolean more = true;
        while (more) {
            writeLock.lock();
            try {
                more = writeNextBatch(true);
            } catch (IOException e) {
                ends.writeFailed(e); // ends the connection: the next batch finds the queue closed
            } finally {
                writeLock.unlock();
            }
        }
    }

    /**
     * Writes the gathered bytes, then the head of the queue; the caller holds the write lock, so a
     * batch is taken and written in one stretch and queued sends keep their order whoever writes them.
     *
     * @param asWriter whether the caller is the writer thread, which stops when the queue is empty
     *                 (in the same step, so that a send queued after it starts a new writer)
     * @return {@code false} once the queue is empty (or closed)
     */
    private boolean writeNextBatch(boolean asWriter) throws IOException {
        byte[] batch;
        queueLock.lock();
        try {
            if (queue == null || queue.isEmpty() || closed) {
                queued = false;
                if (asWriter) {
                    writing = false;
                    changed.signalAll();
                }
                return false;
            }
            batch = takeBatch();
        } finally {
            queueLock.unlock();
        }
        try {
            flushCork();
            write(batch, 0, batch.length);
        } finally {
            queueLock.lock();
            try {
                pending -= batch.length;
                budget.release(batch.length);
                changed.signalAll();
            } finally {
                queueLock.unlock();
            }
        }
        return true;
    }

    /** Takes the head of the queue, joined with what follows it up to {@link #MAX_GATHER}. */
    private byte[] takeBatch() {
        byte[] first = queue.pollFirst();
        if (queue.isEmpty() || first.length >= MAX_GATHER) {
            return first;
        }
        int size = first.length;
        for (byte[] next : queue) {
            if (size + next.length > MAX_GATHER) {
                break;
            }
            size += next.length;
        }
        byte[] batch = Arrays.copyOf(first, size);
        for (int at = first.length; at < size; ) {
            byte[] next = queue.pollFirst();
            System.arraycopy(next, 0, batch, at, next.length);
            at += next.length;
        }
        return batch;
    }

    /** Writes every byte; the caller holds the write lock. */
    private void write(byte[] bytes, int offset, int length) throws IOException {
        writeStarted = clock.nanoTime() | 1;
        try {
            transport.write(bytes, offset, length);
        } finally {
            writeStarted = 0;
        }
    }

    private void flushCork() throws IOException {
        cork.flush(this::write);
    }

    /** The reader starts handing out the pieces of one read: its sends are gathered until {@link #uncork}. */
    void cork() {
        corkedBy = Thread.currentThread();
    }

    /** Whether the calling thread's sends are being gathered. */
    boolean corked() {
        return corkedBy == Thread.currentThread();
    }

    /**
     * Ends a gathered stretch: writes what was gathered.
     *
     * @param keep whether to keep the gathering buffer for the next read: yes while reads are long
     *             (a stream), no once they are short, so a quiet connection holds no buffer
     */
    void uncork(boolean keep) throws IOException {
        corkedBy = null;
        writeLock.lock();
        try {
            flushCork();
        } finally {
            if (!keep) {
                cork.release();
            }
            writeLock.unlock();
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
        Clock.Timer timer = max == null ? null : clock.schedule(max, () -> wake(expired));
        queueLock.lock();
        try {
            while (writing && !closed && !expired[0]) {
                changed.await();
            }
            return !writing;
        } finally {
            queueLock.unlock();
            if (timer != null) {
                timer.cancel();
            }
        }
    }

    private void wake(boolean[] expired) {
        queueLock.lock();
        try {
            expired[0] = true;
            changed.signalAll();
        } finally {
            queueLock.unlock();
        }
    }

    /** Drops whatever is still queued, and wakes every sender waiting for room. */
    void close() {
        queueLock.lock();
        try {
            closed = true;
            long dropped = 0;
            if (queue != null) {
                for (byte[] bytes : queue) {
                    dropped += bytes.length;
                }
                queue.clear();
            }
            pending -= dropped;
            budget.release(dropped);
            changed.signalAll();
        } finally {
            queueLock.unlock();
        }
        corkedBy = null;
    }

    /** Lets go of the gathering buffer: the connection ended. Waits for a write in progress to fail. */
    void release() {
        writeLock.lock();
        try {
            cork.release();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * How long the write in progress has been blocked.
     *
     * @param now {@link Clock#nanoTime()}
     * @return nanoseconds, or 0 when no write is in progress
     */
    long writeBlockedNanos(long now) {
        long started = writeStarted;
        return started == 0 ? 0 : now - started;
    }

    /** The bytes of sends from other threads not yet written; read without the lock, for stats. */
    long pendingBytes() {
        return pending;
    }
}
