package simplesockets.impl;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;

/**
 * The thread that writes one connection's queued sends ({@link Outbound}): started when its
 * {@link SendQueue} fills, gone once the queue is empty, and joined by the connection's own thread at the
 * connection's end, as the scope joins that thread. One per send queue, so a connection that never
 * queues a send has none.
 */
final class WriterThread {

    private static final VarHandle THREAD = VarHandles.field(MethodHandles.lookup(), "thread", Thread.class);

    /** The writer started last, until it lets go of itself ({@link #ending()}). */
    private volatile Thread thread;

    /**
     * Starts {@code body} on a new writer thread of {@code scope} ({@link Scope#child}).
     *
     * @throws RejectedExecutionException if the scope is closed
     */
    void start(Scope scope, Runnable body) {
        Thread started = scope.child("writer", body);
        thread = started; // before it runs, so that whoever sees it stopped sees it here
        started.start();
    }

    /**
     * The writer's last act: it lets go of its own reference, so a connection that is quiet after a burst
     * of replies keeps no ended thread; a joiner that finds none knows the writer is past its work.
     */
    void ending() {
        THREAD.compareAndSet(this, Thread.currentThread(), null);
    }

    /** Whether the calling thread is the writer. */
    boolean isCurrent() {
        return thread == Thread.currentThread();
    }

    /**
     * Waits for the writer to stop, on the connection's own thread once the queue is closed and the
     * transport too (so a write in progress fails at once). A writer still running at {@code max}, or when
     * the wait is interrupted (the scope's close ran out of time), is interrupted and given {@code max}
     * once more.
     *
     * A writer still running after that (in a user's {@code onFailure} that blocks, say) is handed to
     * {@code scope}, whose close joins it and names it if it outlives the close.
     *
     * @param queue the queue it writes, which tells when it stopped writing
     * @param scope the scope of the connection, which takes over a writer that outlives this wait
     * @return whether the writer stopped (or none ran)
     */
    boolean join(SendQueue queue, Duration max, Scope scope) {
        try {
            if (queue.awaitWriterStopped(max) && joined(max)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Thread w = thread;
        if (w != null) {
            w.interrupt();
        }
        boolean interrupted = Thread.interrupted();
        try {
            if (joined(max)) {
                return true;
            }
        } catch (InterruptedException e) {
            // given up on: the scope takes it over below
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        Thread late = thread;
        if (late != null) {
            scope.adopt(late);
        }
        return false;
    }

    /** Whether the writer started last has ended, waiting at most {@code max}. */
    private boolean joined(Duration max) throws InterruptedException {
        Thread w = thread;
        return w == null || w.join(max);
    }
}
