package simplesockets.impl.time;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The stepped clock's timers: each runs at its own time, in order, on the thread that advances. */
class SteppedClockTest {

    @Test
    void aTaskScheduledAtATimeRunsWhenTheClockReachesIt() {
        SteppedClock clock = new SteppedClock();
        List<String> ran = new CopyOnWriteArrayList<>();
        long at = clock.nanoTime() + Duration.ofSeconds(1).toNanos();
        clock.advance(Duration.ofMillis(400)); // the clock moves before the task is set
        clock.scheduleAt(at, () -> ran.add("at 1 s"));
        clock.schedule(Duration.ofMillis(700), () -> ran.add("700 ms after 400 ms"));
        clock.advance(Duration.ofMillis(599));
        assertEquals(List.of(), ran, "nothing due before 1 s");
        clock.advance(Duration.ofMillis(1));
        assertEquals(List.of("at 1 s"), ran, "due at its own time, not a whole second after it was set");
        clock.advance(Duration.ofMillis(100));
        assertEquals(List.of("at 1 s", "700 ms after 400 ms"), ran);
    }

    @Test
    void aTaskSetForATimeAlreadyPassedRunsAtTheNextStep() {
        SteppedClock clock = new SteppedClock();
        List<String> ran = new CopyOnWriteArrayList<>();
        clock.advance(Duration.ofSeconds(2));
        clock.scheduleAt(clock.nanoTime() - 1, () -> ran.add("late"));
        assertEquals(List.of(), ran, "runs on a thread that advances, never on the one that sets it");
        clock.advance(Duration.ZERO);
        assertEquals(List.of("late"), ran);
    }

    @Test
    void theDefaultScheduleAtOfAClockSchedulesWhatIsLeft() {
        SteppedClock stepped = new SteppedClock();
        List<Duration> delays = new CopyOnWriteArrayList<>();
        Clock relative = new Clock() {
            @Override
            public long nanoTime() {
                return stepped.nanoTime();
            }

            @Override
            public java.time.Instant now() {
                return stepped.now();
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                stepped.sleep(duration);
            }

            @Override
            public Timer schedule(Duration delay, Runnable task) {
                delays.add(delay);
                return stepped.schedule(delay, task);
            }
        };
        stepped.advance(Duration.ofMillis(300));
        relative.scheduleAt(Duration.ofSeconds(1).toNanos(), () -> { });
        relative.scheduleAt(Duration.ofMillis(100).toNanos(), () -> { });
        assertEquals(List.of(Duration.ofMillis(700), Duration.ZERO), delays);
    }
}
