package simplesockets.impl;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A server's or client's close, which happens once: it is marked begun as the lifecycle decides it
 * (so that no move reopens what is closing), and whoever else calls close meanwhile waits for it to
 * finish, so that every close returns only once everything is closed.
 */
final class CloseOnce {

    /** What a second closer waits beyond the close timeout: the first one's interrupts and last joins. */
    private static final long MARGIN_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean begun;
    /** The thread of the owner's own that made the first close, if one did; set before {@link #done} counts down. */
    private volatile Thread ownCloser;

    /** The close is decided; called under the lifecycle's lock. */
    void begin() {
        begun = true;
    }

    /** Whether a close (graceful or not) has begun. */
    boolean begun() {
        return begun;
    }

    /**
     * The first close is over: its threads are joined, or given up on. When it ran on one of the
     * owner's own threads (a callback closed its server), that thread could not join itself and still
     * runs: its callback returns into the engine, which ends its connection and reports that end. The
     * other closers wait for it as well.
     */
    void finished(Scope scope) {
        Thread me = Thread.currentThread();
        if (scope.owns(me)) {
            ownCloser = me;
        }
        done.countDown();
    }

    /**
     * Waits for the first close to finish, and for the thread of the owner's own that made it, if one
     * did, at most {@code timeout} and a second in all. A thread of the owner's own (a callback's) does
     * not wait: the first close is waiting for it.
     *
     * @return whether the first close had finished within the wait (its closer thread may still run)
     */
    boolean await(Duration timeout, Scope scope) {
        if (scope.owns(Thread.currentThread())) {
            return true;
        }
        long nanos = timeout.toNanos();
        long bound = nanos > Long.MAX_VALUE - MARGIN_NANOS ? Long.MAX_VALUE : nanos + MARGIN_NANOS;
        long start = System.nanoTime();
        try {
            if (!done.await(bound, TimeUnit.NANOSECONDS)) {
                return false;
            }
            Thread closer = ownCloser;
            long left = bound - (System.nanoTime() - start);
            if (closer != null && left > 0) {
                closer.join(Duration.ofNanos(left)); // bounded: the same wait in all
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }
}
