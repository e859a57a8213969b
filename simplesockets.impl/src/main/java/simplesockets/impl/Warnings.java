package simplesockets.impl;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import simplesockets.impl.time.Clock;

/**
 * Warnings for operators, rate-limited per kind: at most one line per kind every {@link #PERIOD},
 * and the next line says how many were held back meanwhile. A flood of one kind of trouble (a
 * thousand peers that make a callback throw) is one line every ten seconds, not a line each.
 */
final class Warnings {

    /** The shortest time between two lines of one kind. */
    static final Duration PERIOD = Duration.ofSeconds(10);

    private final Clock clock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    Warnings(Clock clock) {
        this.clock = clock;
    }

    /**
     * Logs at warn, unless a line of this kind was logged within the period; then only counts it.
     *
     * @param kind    what kind of trouble, such as {@code "onReceive threw"}
     * @param message the line
     * @param cause   the exception, with its stack trace; or {@code null}
     */
    void warn(Logger log, String kind, String message, Throwable cause) {
        long now = clock.nanoTime();
        long[] held = {-1};
        windows.compute(kind, (k, window) -> {
            if (window == null || now - window.since >= PERIOD.toNanos()) {
                held[0] = window == null ? 0 : window.held;
                return new Window(now, 0);
            }
            return new Window(window.since, window.held + 1);
        });
        if (held[0] < 0) {
            return;
        }
        String line = held[0] == 0 ? message : message + " (" + held[0] + " more like it in the last " + PERIOD.toSeconds()
                + " s were not logged)";
        if (cause == null) {
            log.warn(line);
        } else {
            log.warn(line, cause);
        }
    }

    private record Window(long since, long held) {
    }
}
