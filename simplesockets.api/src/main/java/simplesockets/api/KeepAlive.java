package simplesockets.api;

import java.time.Duration;
import java.util.Objects;

/**
 * How TCP keep-alive probes a quiet connection, when keep-alive is on: after {@code idle} without
 * traffic, a probe every {@code interval}, and the connection is declared dead after {@code count}
 * probes go unanswered. Linux's own defaults are 2 hours, 75 s and 9 probes, so a dead peer is found
 * only after about 2 h 11 min; {@code new KeepAlive(Duration.ofSeconds(60), Duration.ofSeconds(10), 3)}
 * finds it in about 90 s.
 *
 * <p>A zero duration or count keeps the system's value for that setting. The settings are the JDK's
 * {@code jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE}, {@code TCP_KEEPINTERVAL} and
 * {@code TCP_KEEPCOUNT}; where the platform lacks one, that setting is skipped (logged at debug) and the
 * system's value applies.
 *
 * @param idle     quiet time before the first probe, whole seconds from 1 to 32767; zero for the system's
 * @param interval time between probes, whole seconds from 1 to 32767; zero for the system's
 * @param count    unanswered probes before the connection is dropped, 1 to 127; zero for the system's
 */
public record KeepAlive(Duration idle, Duration interval, int count) {

    /** The system's own settings for all three. */
    public static final KeepAlive SYSTEM = new KeepAlive(Duration.ZERO, Duration.ZERO, 0);

    /**
     * Checks the settings.
     *
     * @throws NullPointerException     if a duration is {@code null}
     * @throws IllegalArgumentException if a value is out of the ranges above (TCP counts these in whole
     *                                  seconds, and Linux refuses larger values), rather than when a
     *                                  socket is configured
     */
    public KeepAlive {
        Checks.keepAliveSeconds("idle", Objects.requireNonNull(idle, "idle"));
        Checks.keepAliveSeconds("interval", Objects.requireNonNull(interval, "interval"));
        Checks.notNegative("count", count);
        if (count > 127) {
            throw new IllegalArgumentException("count must be at most 127, as TCP takes it: " + count);
        }
    }
}
