package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.impl.time.Clock;

/**
 * Real-time timers: each waits parked on a thread of the scope, runs once at its time, and ends at once,
 * without running, when cancelled, when the clock closes, or when the scope's close interrupts it.
 */
@Timeout(30)
class SystemClockTest {

    @Test
    void aTimerRunsAtItsTime() throws Exception {
        Scope scope = new Scope("simplesockets-clocktest-");
        SystemClock clock = new SystemClock(scope);
        CountDownLatch ran = new CountDownLatch(1);
        long started = System.nanoTime();
        clock.schedule(Duration.ofMillis(50), ran::countDown);
        assertTrue(ran.await(5, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(50), "not before its time");
        assertEquals(List.of(), scope.close(Duration.ofSeconds(5)));
    }

    /** A cancelled timer's thread ends at once, and its body never runs. */
    @Test
    void aCancelledTimerEndsAtOnceWithoutRunning() throws Exception {
        Scope scope = new Scope("simplesockets-clocktest-");
        SystemClock clock = new SystemClock(scope);
        AtomicBoolean ran = new AtomicBoolean();
        Clock.Timer timer = clock.schedule(Duration.ofHours(1), () -> ran.set(true));
        timer.cancel();
        assertEquals(List.of(), scope.close(Duration.ofSeconds(5)), "the timer's thread ended, well before its hour");
        assertFalse(ran.get());
    }

    /**
     * A timer waiting when its scope closes ends on the close's interrupt (a cancel, never a run) instead
     * of being reported as a thread that would not end.
     */
    @Test
    void aWaitingTimerEndsOnTheScopesInterrupt() {
        Scope scope = new Scope("simplesockets-clocktest-", Peers.WAIT); // time to end once interrupted, on a loaded machine
        SystemClock clock = new SystemClock(scope);
        AtomicBoolean ran = new AtomicBoolean();
        clock.schedule(Duration.ofHours(1), () -> ran.set(true));
        assertEquals(List.of(), scope.close(Duration.ofMillis(50)), "interrupted after 50 ms, it ended");
        assertFalse(ran.get());
    }

    /** Closing the clock cancels every timer still waiting. */
    @Test
    void closingTheClockCancelsTheWaitingTimers() {
        Scope scope = new Scope("simplesockets-clocktest-");
        SystemClock clock = new SystemClock(scope);
        AtomicBoolean ran = new AtomicBoolean();
        for (int i = 0; i < 10; i++) {
            clock.schedule(Duration.ofHours(1), () -> ran.set(true));
        }
        clock.close();
        assertEquals(List.of(), scope.close(Duration.ofSeconds(5)));
        assertFalse(ran.get());
    }
}
