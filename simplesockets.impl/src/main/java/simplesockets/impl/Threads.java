package simplesockets.impl;

import java.time.Duration;
import java.util.List;
import simplesockets.impl.time.Clock;

/**
 * What a server or client runs on: its {@link Scope}, which owns every thread it starts, and its
 * {@link Clock}, real time (whose timers are threads of the scope) unless a test gives one.
 */
final class Threads {

    private final String what;
    private final Scope scope;
    private final Clock clock;
    private final SystemClock ownClock;

    /**
     * @param what   {@code "server-3"} or the like: names the threads and the messages
     * @param given  the clock to use, or {@code null} for real time
     */
    Threads(String what, Clock given) {
        this.what = what;
        this.scope = new Scope("simplesockets-" + what + "-");
        this.ownClock = given == null ? new SystemClock(scope) : null;
        this.clock = given == null ? ownClock : given;
    }

    Scope scope() {
        return scope;
    }

    Clock clock() {
        return clock;
    }

    /**
     * Cancels the timers still waiting, then joins every thread within {@code timeout} (interrupting
     * the late ones).
     *
     * @throws IllegalStateException if a thread did not end in time; it names them
     */
    void close(Duration timeout) {
        if (ownClock != null) {
            ownClock.close();
        }
        List<Thread> alive = scope.close(timeout);
        if (!alive.isEmpty()) {
            throw new IllegalStateException(what + " closed, but not cleanly: " + alive.size() + " thread(s) still alive "
                    + alive.stream().map(Thread::getName).toList());
        }
    }
}
