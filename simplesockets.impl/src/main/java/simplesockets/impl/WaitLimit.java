package simplesockets.impl;

import java.time.Duration;
import java.util.Objects;

/**
 * The timeout of an application's wait ({@code awaitEvent}, {@code awaitReceived}, {@code awaitNewData},
 * {@code receive}), as the API spells it: {@link Duration#ZERO} switches the limit off (the API's rule
 * for every timeout, and the seed's {@code await_event(timeout=0)}), so the wait lasts until it is
 * answered or the owner closes; it blocks, never spins. A duration too long to count in nanoseconds
 * waits as long as one can.
 */
final class WaitLimit {

    /** The longest wait, about 292 years: no limit, in practice. */
    static final Duration NONE = Duration.ofNanos(Long.MAX_VALUE);

    private WaitLimit() {
    }

    /**
     * The wait an application asked for.
     *
     * @param timeout its timeout; zero for no limit, negative for no wait
     * @throws NullPointerException if {@code timeout} is null
     */
    static Duration of(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return timeout.isZero() ? NONE : timeout;
    }

    /** A wait's length in nanoseconds, saturated for a duration too long to count in them; 0 if negative. */
    static long nanos(Duration wait) {
        if (wait.isNegative()) {
            return 0; // however negative: Duration.toNanos() would overflow past about -292 years
        }
        return wait.compareTo(NONE) >= 0 ? Long.MAX_VALUE : wait.toNanos();
    }
}
