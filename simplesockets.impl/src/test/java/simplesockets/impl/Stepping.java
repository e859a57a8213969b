package simplesockets.impl;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import simplesockets.impl.time.SteppedClock;

/**
 * Helpers for tests of time on a {@link SteppedClock}: they move the clock instead of sleeping, and
 * never wait on real time for a timeout itself.
 */
final class Stepping {

    /** How long a step that changed nothing waits, in real time, for the engine to catch up. */
    private static final Duration SETTLE = Duration.ofMillis(50);

    private Stepping() {
    }

    /**
     * How often the idle and write timeouts are checked ({@link Timeouts}): every
     * {@code max(10 ms, timeout / 4)}. A connection that has waited longer than its timeout is closed
     * at the first check after that, so at most one period late.
     */
    static Duration checkPeriod(Duration timeout) {
        Duration quarter = timeout.dividedBy(4);
        Duration floor = Duration.ofMillis(10);
        return quarter.compareTo(floor) > 0 ? quarter : floor;
    }

    /** One millisecond short of {@code duration}. */
    static Duration justUnder(Duration duration) {
        return duration.minusMillis(1);
    }

    /**
     * Moves the clock by {@code step} until {@code done} holds, at most {@code tries} times. A step
     * that did not make it hold is followed by a short real wait for it: the reader or writer whose
     * timeout the test waits for may not have begun blocking when the clock moved, and then that step
     * counted for nothing. Fails the test if {@code done} never held.
     *
     * @return how many steps it took
     */
    static int advanceUntil(SteppedClock clock, Duration step, int tries, BooleanSupplier done, String what) {
        for (int taken = 1; taken <= tries; taken++) {
            clock.advance(step);
            long deadline = System.nanoTime() + SETTLE.toNanos();
            while (true) {
                if (done.getAsBoolean()) {
                    return taken;
                }
                if (System.nanoTime() - deadline > 0) {
                    break;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        throw new AssertionError(what + ": not after " + tries + " steps of " + step + " (" + clock + ")");
    }
}
