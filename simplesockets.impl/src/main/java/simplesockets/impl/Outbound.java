package simplesockets.impl;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import simplesockets.api.SendOverflow;
import simplesockets.impl.time.Clock;

/**
 * One connection's write path. A send on the connection's own thread (its callbacks, its handler)
 * writes directly, blocking while the peer does not read; while the reader hands out the pieces of one
 * read, such sends are gathered ({@link Cork}). A send on any other thread never touches the socket:
 * its bytes join a bounded queue ({@link SendQueue}) that a writer thread of the connection writes, in
 * order; the writer starts when the queue fills and ends when it is empty. Past the bound,
 * {@link SendOverflow} applies.
 *
 * <p>Socket writes take {@link #writeLock}, so two sends never interleave, and gathered bytes and
 * queued sends go out before anything sent after them. A failed write ends the connection
 * ({@link Ends#writeFailed}). Like the JDK socket's own write lock, it is held across a write that may
 * block, and only this connection's writers wait on it (its own thread's send, meant to block while the
 * peer does not read, and its end, within a bound); no callback runs under it.
 */
final class Outbound {

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

    private final TimedWrites writes;
    private final Clock clock;
    private final Scope scope;
    private final Ends ends;
    private final ReentrantLock writeLock = new ReentrantLock();
    /**
     * What the writer failed with, once it did: nothing more is written, and a send that comes meanwhile
     * fails with the same exception, so the connection ends for the same reason whoever decides it (a
     * reset stays a reset). Guarded by the write lock.
     */
    private IOException brokenBy;
    /** The reader thread while it hands out the pieces of one read to a callback, else null. */
    private volatile Thread corkedBy;
    /** The sends gathered while corked, made when first needed and let go with its buffer; guarded by writeLock. */
    private Cork cork;
    /**
     * Made on the first send from another thread, so a connection that only answers on its own
     * thread (a callback server's) has none.
     */
    private volatile SendQueue queue;
    private volatile boolean closed;
    private volatile boolean refusing; // set by refuseNew(): a queue made after it refuses too
    private final int maxPending;
    private final SendOverflow overflow;
    private final Budget budget;

    Outbound(TimedWrites writes, Clock clock, Scope scope, Ends ends, int maxPending, SendOverflow overflow,
            Budget budget) {
        this.writes = writes;
        this.clock = clock;
        this.scope = scope;
        this.ends = ends;
        this.maxPending = maxPending;
        this.overflow = overflow;
        this.budget = budget;
    }

    /** The send queue, made now if there is none; one made after {@link #close()} is closed at once. */
    private SendQueue queue() {
        SendQueue q = queue;
        if (q == null) {
            SendQueue made = new SendQueue(ends, clock, maxPending, overflow, budget);
            q = (SendQueue) QUEUE.compareAndExchange(this, null, made);
            if (q == null) {
                q = made;
                if (refusing) {
                    q.refuseNew(); // as closed, below
                }
                if (closed) {
                    q.close(); // close() set the flag, then found no queue: this one is closed here
                }
            }
        }
        return q;
    }

    private static final VarHandle QUEUE = VarHandles.field(MethodHandles.lookup(), "queue", SendQueue.class);

    /** Sends framed bytes from the connection's own thread: gathered while corked, else written now. */
    void sendOwn(byte[] bytes) throws IOException {
        writeLock.lock();
        try {
            SendQueue q = queue;
            if (q != null && q.mayHoldBytes()) {
                // Sends queued by other threads returned before this one: they go first.
                flushCork();
                writeBatches(null);
            }
            if (corkedBy == Thread.currentThread()) {
                if (cork == null) {
                    cork = new Cork();
                }
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
        SendQueue q = queue();
        if (q.offer(bytes)) {
            try {
                q.writer().start(scope, this::writeQueued);
            } catch (RejectedExecutionException e) {
                q.writerRefused();
                throw ends.closed();
            }
        }
    }

    /** The writer thread: writes the queue, gathered, until it is empty; then lets go of itself ({@link WriterThread#ending}). */
    private void writeQueued() {
        Throwable failed = null;
        IOException shown = null;
        Runnable[] stopped = {null};
        writeLock.lock();
        try {
            flushCork();
            writeBatches(stopped);
        } catch (IOException | RuntimeException | Error e) {
            failed = e;
            shown = e instanceof IOException io ? io : new IOException("the connection's writer failed", e);
            brokenBy = shown; // before the lock goes: no send writes after what may be half a batch
        } finally {
            writeLock.unlock(); // before the failure is handled: recording it runs the user's onFailure
        }
        try {
            if (stopped[0] != null) {
                stopped[0].run(); // what waited for this writer to stop (a disconnect's wake-up), outside the write lock
            }
            if (failed != null) {
                // Ends the connection, unless its end was decided already; one not the socket's still ends it,
                // or no send would start a writer again.
                ends.writeFailed(shown);
                queue.writerRefused(); // either way nothing more can be written: the rest is dropped, and the writer stops
                if (failed instanceof RuntimeException r) {
                    throw r;
                } else if (failed instanceof Error error) {
                    throw error;
                }
            }
        } finally {
            queue.writer().ending();
        }
    }

    /**
     * Writes the queue's batches until it is empty; the caller holds the write lock, so batches are
     * taken and written in order whoever writes them. A failed batch is counted as done before the
     * failure is thrown.
     */
    private void writeBatches(Runnable[] stopped) throws IOException {
        SendQueue q = queue;
        byte[] batch = q.next(null, stopped);
        while (batch != null) {
            try {
                write(batch, 0, batch.length);
            } catch (IOException e) {
                q.failed(batch);
                throw e;
            }
            batch = q.next(batch, stopped);
        }
    }

    /**
     * The received bytes a polling connection's reader may let wait: the credit, but at most half the
     * bound on pending sends, so that the replies to what was read fit beside what is still pending
     * ({@link SendQueue#awaitRoomToRead}). From the first read on: a first batch read under the full
     * credit and echoed at once would pass the bound before any reply is written.
     */
    int readCredit(int credit) {
        return (int) Math.max(1, Math.min(credit, maxPending / 2)); // at least 1, or a bound of 1 would never read
    }

    /**
     * Holds back a polling connection's reader while its replies pile up ({@link SendQueue#awaitRoomToRead}),
     * under {@link SendOverflow#DISCONNECT} only, where the pile would otherwise cut the peer off.
     *
     * @param received its received bytes not yet taken
     * @param waits    told once, before the reader first waits (a stall, for its stats)
     * @return {@code false} once the queue is closed (the connection is ending)
     */
    boolean awaitRoomToRead(IntSupplier received, Runnable waits) throws InterruptedException {
        SendQueue q = queue;
        if (q == null || overflow != SendOverflow.DISCONNECT) {
            // Under WAIT a sender waits for room itself, so nothing is cut off: holding the reader back
            // would only stall a peer that sends while its own writes wait (an echo server's are, for an
            // uploading client), until the stall rule let go.
            return !closed;
        }
        return q.awaitRoomToRead(received, waits);
    }

    private void write(byte[] bytes, int offset, int length) throws IOException {
        if (brokenBy != null) {
            throw brokenBy; // the writer's own failure: it decides the end as the writer would
        }
        writes.write(bytes, offset, length);
    }

    private void flushCork() throws IOException {
        if (cork != null) {
            cork.flush(this::write);
        }
    }

    /** The reader starts handing out the pieces of one read: its sends are gathered until {@link #uncork}. */
    void cork() {
        corkedBy = Thread.currentThread();
    }

    /** Whether the calling thread's sends are being gathered. */
    boolean corked() {
        return corkedBy == Thread.currentThread();
    }

    /** Whether the calling thread is this connection's writer. */
    boolean onWriterThread() {
        SendQueue q = queue;
        return q != null && q.writer().isCurrent();
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
                cork = null; // its buffer and anything still in it go
            }
            writeLock.unlock();
        }
    }

    /**
     * At the end, on the connection's own thread: writes what was gathered, waiting for the write lock
     * at most {@code max} ({@code null}: until the writer lets go; a writer blocked on a peer that does
     * not read holds it), and returns whether it had the lock in time.
     */
    boolean flushGathered(Duration max) throws IOException, InterruptedException {
        corkedBy = null;
        if (max == null) {
            writeLock.lockInterruptibly();
        } else if (!writeLock.tryLock(max.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
            return false;
        }
        try {
            flushCork();
            return true;
        } finally {
            cork = null; // its buffer and anything still in it go
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
        SendQueue q = queue;
        return q == null || q.awaitFlushed(max);
    }

    /** New sends are refused (and waiting senders told so) while the queued ones still go out. */
    void refuseNew() {
        refusing = true;
        Optional.ofNullable(queue).ifPresent(SendQueue::refuseNew);
    }

    /** Runs {@code then} once the queued sends are out (or dropped): at once if no writer runs. */
    void whenWritten(Runnable then) {
        SendQueue q = queue;
        if (q == null) {
            then.run();
        } else {
            q.whenStopped(then);
        }
    }

    /** Drops whatever is still queued, and wakes every sender waiting for room. */
    void close() {
        closed = true;
        Optional.ofNullable(queue).ifPresent(SendQueue::close);
        corkedBy = null;
    }

    /**
     * Waits for the writer to stop, on the connection's own thread after {@link #close()} and the
     * transport's close ({@link WriterThread#join}): the connection owns its writer, as the scope owns the
     * connection.
     *
     * @return whether the writer stopped (or none ran)
     */
    boolean joinWriter(Duration max) {
        SendQueue q = queue;
        return q == null || q.writer().join(q, max, scope);
    }

    /** Lets go of the gathering buffer: the connection ended. Waits for a write in progress to fail. */
    void release() {
        writeLock.lock();
        try {
            cork = null; // its buffer and anything still in it go
        } finally {
            writeLock.unlock();
        }
    }

    /** The timed writes, for the write and idle timeouts ({@link Timeouts}). */
    TimedWrites writes() {
        return writes;
    }

    /** The bytes of sends from other threads not yet written; read without a lock, for stats. */
    long pendingBytes() {
        SendQueue q = queue;
        return q == null ? 0 : q.pending();
    }
}
