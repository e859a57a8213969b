package simplesockets.testkit;

import java.time.Duration;

/** How long the testkit's waits may be: a test's timeout, bounded so that a deadline never overflows. Stateless. */
final class Waits {

    /** The longest wait the testkit makes: about 73 years, so a deadline of now plus it never overflows. */
    private static final long LONGEST_WAIT_NANOS = Long.MAX_VALUE / 4;

    private Waits() {
    }

    /**
     * A test's timeout in nanoseconds, at most {@link #LONGEST_WAIT_NANOS}: a {@code Duration} too long for
     * a {@code long} of nanoseconds ({@code ChronoUnit.FOREVER}'s, say) waits for good instead of throwing.
     */
    static long nanos(Duration timeout) {
        return timeout.compareTo(Duration.ofNanos(LONGEST_WAIT_NANOS)) > 0 ? LONGEST_WAIT_NANOS : timeout.toNanos();
    }
}
