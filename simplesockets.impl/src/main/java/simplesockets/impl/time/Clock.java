package simplesockets.impl.time;

import java.time.Duration;
import java.time.Instant;

/**
 * The one source of time and scheduling of a server or client: every timeout, grace and back-off
 * goes through it. Real time over sockets; a manual clock ({@link SteppedClock}) in the testkit, so
 * that tests of timeouts advance time instead of sleeping.
 */
public interface Clock {

    /**
     * A monotonic reading, for measuring intervals.
     *
     * @return nanoseconds from an arbitrary origin
     */
    long nanoTime();

    /**
     * The wall-clock time, for timestamps of events and failures.
     *
     * @return now
     */
    Instant now();

    /**
     * Blocks the calling thread for {@code duration} of this clock's time.
     *
     * @param duration how long
     * @throws InterruptedException if interrupted first
     */
    void sleep(Duration duration) throws InterruptedException;

    /**
     * Runs {@code task} once, after {@code delay} of this clock's time, unless cancelled first.
     * The task must be short and must not block.
     *
     * @param delay how long from now
     * @param task  what to run
     * @return a handle to cancel it
     */
    Timer schedule(Duration delay, Runnable task);

    /**
     * Runs {@code task} once this clock's {@link #nanoTime()} reaches {@code atNanos}, unless cancelled
     * first: unlike {@link #schedule}, a clock that moves between the caller's reading of the time and
     * this call does not make the task late. The task must be short and must not block.
     *
     * @param atNanos when, as {@link #nanoTime()} counts
     * @param task    what to run
     * @return a handle to cancel it
     */
    default Timer scheduleAt(long atNanos, Runnable task) {
        return schedule(Duration.ofNanos(Math.max(0, atNanos - nanoTime())), task);
    }

    /** A scheduled task. */
    interface Timer {
        /** Cancels the task if it has not started; harmless after it ran. */
        void cancel();
    }
}
