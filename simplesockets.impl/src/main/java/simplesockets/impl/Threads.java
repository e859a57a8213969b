package simplesockets.impl;

import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.impl.time.Clock;

/**
 * What a server or client runs on: its {@link Scope}, which owns every thread it starts, and its
 * {@link Clock}, real time (whose timers are threads of the scope) unless a test gives one.
 */
final class Threads {

    private static final Logger LOG = LoggerFactory.getLogger(Threads.class);
    /** What the name of a host-name lookup's thread holds ({@code Connector}'s "lookup" threads). */
    private static final String LOOKUP = "-lookup-";

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
     * the late ones). A thread that still lives is logged at error level with its stack (it leaks): closing
     * never throws.
     *
     * @return the names of the threads that did not end in time; empty when all did
     */
    List<String> close(Duration timeout) {
        if (ownClock != null) {
            ownClock.close();
        }
        List<Thread> alive = scope.close(timeout);
        for (Thread late : alive) {
            if (late.getName().contains(LOOKUP)) { // no interrupt ends the JDK's lookup: it leaks until the resolver answers
                LOG.info("{} closed while its host-name lookup waits for the resolver (thread {})", what, late.getName());
                continue;
            }
            Throwable where = new Throwable("stack of " + late.getName());
            where.setStackTrace(late.getStackTrace());
            LOG.error("{} closed, but thread {} did not end within {} (a callback or handler that ignores interrupts?)",
                    what, late.getName(), timeout, where);
        }
        return alive.stream().map(Thread::getName).toList();
    }
}
