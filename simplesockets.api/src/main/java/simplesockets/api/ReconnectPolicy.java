package simplesockets.api;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a {@link TcpClient} reconnects by itself after its connection is lost (peer closed, reset,
 * timed out or failed; never after {@link TcpClient#disconnect()} or {@link TcpClient#close()}):
 * exponential backoff with jitter and a cap. Every attempt is announced first as a
 * {@link ClientEvent.Reconnecting} event; its outcome follows as a {@code Connected} event or a
 * recorded {@link Failure.Connect} (a {@link Failure.Tls} when the handshake failed), unless the user
 * takes over during the wait or the attempt ({@code connect()}, {@code disconnect()}, {@code close()}):
 * then nothing follows.
 *
 * <p>The attempt count, which sets each wait, starts again from 1 only after a connection has stayed
 * up for {@code stableAfter}: against a server that accepts and closes at once (as a full server
 * does), the waits keep growing instead of starting over at every loss. Jitter keeps a fleet of
 * clients from reconnecting in step.
 *
 * {@snippet :
 * ClientOptions options = ClientOptions.builder().port(9999)
 *         .reconnect(ReconnectPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(10)))
 *         .build();
 * }
 */
public final class ReconnectPolicy {

    /** The default {@code stableAfter}: 10 seconds. */
    public static final Duration DEFAULT_STABLE_AFTER = Duration.ofSeconds(10);

    private final Duration initialDelay;
    private final Duration maxDelay;
    private final double multiplier;
    private final double jitter;
    private final int maxAttempts;
    private final Duration stableAfter;

    private ReconnectPolicy(Duration initialDelay, Duration maxDelay, double multiplier,
            double jitter, int maxAttempts, Duration stableAfter) {
        Checks.notNegative("initialDelay", initialDelay);
        if (initialDelay.isZero()) {
            throw new IllegalArgumentException("initialDelay must be positive: a zero wait doubled is still zero,"
                    + " and the client would reconnect in a tight loop");
        }
        Checks.notNegative("stableAfter", stableAfter);
        Checks.notNegative("maxDelay", maxDelay);
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("maxDelay " + maxDelay + " is below initialDelay " + initialDelay);
        }
        if (!(multiplier >= 1)) {
            throw new IllegalArgumentException("multiplier must be at least 1: " + multiplier);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be 0 to 1: " + jitter);
        }
        Checks.notNegative("maxAttempts", maxAttempts);
        this.initialDelay = initialDelay;
        this.maxDelay = maxDelay;
        this.multiplier = multiplier;
        this.jitter = jitter;
        this.maxAttempts = maxAttempts;
        this.stableAfter = stableAfter;
    }

    /**
     * Doubling waits from {@code initialDelay} up to {@code maxDelay}, with 20% jitter, for ever; the
     * count starts again after a connection stayed up {@link #DEFAULT_STABLE_AFTER}.
     *
     * @param initialDelay the first wait
     * @param maxDelay     the cap
     * @return the policy
     * @throws IllegalArgumentException if {@code initialDelay} is not positive or {@code maxDelay} is below it
     */
    public static ReconnectPolicy exponential(Duration initialDelay, Duration maxDelay) {
        return new ReconnectPolicy(Objects.requireNonNull(initialDelay, "initialDelay"),
                Objects.requireNonNull(maxDelay, "maxDelay"), 2.0, 0.2, 0, DEFAULT_STABLE_AFTER);
    }

    /**
     * The same policy with another stable time.
     *
     * @param stable how long a connection must stay up before the attempt count starts again
     * @return the new policy
     */
    public ReconnectPolicy withStableAfter(Duration stable) {
        return new ReconnectPolicy(initialDelay, maxDelay, multiplier, jitter, maxAttempts,
                Objects.requireNonNull(stable, "stable"));
    }

    /**
     * The same policy with a limit on attempts.
     *
     * @param attempts the most attempts, or 0 for no limit
     * @return a new policy
     */
    public ReconnectPolicy withMaxAttempts(int attempts) {
        return new ReconnectPolicy(initialDelay, maxDelay, multiplier, jitter, attempts, stableAfter);
    }

    /**
     * The same policy with another jitter.
     *
     * @param fraction from 0 to 1
     * @return a new policy
     */
    public ReconnectPolicy withJitter(double fraction) {
        return new ReconnectPolicy(initialDelay, maxDelay, multiplier, fraction, maxAttempts, stableAfter);
    }

    /**
     * The wait before an attempt: {@code initialDelay * multiplier^(attempt-1)}, capped at
     * {@link #maxDelay()}, then spread by the jitter over that wait plus or minus {@code jitter} times it;
     * a wait the spread would take past {@code maxDelay} is folded back below it by as much, so the waits of
     * many clients at the cap stay spread out too (clipped, half of them were exactly {@code maxDelay}).
     *
     * @param attempt the attempt, from 1
     * @return the wait, from 0 to {@code maxDelay}
     */
    public Duration delay(int attempt) {
        double base = initialDelay.toNanos() * Math.pow(multiplier, Math.max(0, attempt - 1));
        double max = maxDelay.toNanos();
        double capped = Math.min(base, max);
        double spread = jitter == 0 ? 0 : (ThreadLocalRandom.current().nextDouble(-1, 1) * jitter * capped);
        double wait = capped + spread;
        if (wait > max) {
            wait = max - (wait - max); // at most 2 * max - capped * (1 + jitter): never below 0
        }
        return Duration.ofNanos((long) Math.max(0, Math.min(max, wait)));
    }

    /**
     * The wait before the first attempt.
     *
     * @return the setting
     */
    public Duration initialDelay() {
        return initialDelay;
    }

    /**
     * The longest wait between attempts.
     *
     * @return the setting
     */
    public Duration maxDelay() {
        return maxDelay;
    }

    /**
     * How much each wait grows, at least 1.
     *
     * @return the setting
     */
    public double multiplier() {
        return multiplier;
    }

    /**
     * The random part of each wait, from 0 (none) to 1 (anywhere from 0 to twice it, folded back below
     * {@link #maxDelay()}: see {@link #delay(int)}).
     *
     * @return the setting
     */
    public double jitter() {
        return jitter;
    }

    /**
     * How many attempts in a row (without a stable connection between them) before giving up, or 0 for no
     * limit.
     *
     * @return the setting
     */
    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * How long a connection must stay up before the attempt count starts again.
     *
     * @return the setting
     */
    public Duration stableAfter() {
        return stableAfter;
    }

    /**
     * Whether the other object is options of this type with equal settings (callbacks compare by
     * identity).
     *
     * @param other the other object
     * @return whether they are equal
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof ReconnectPolicy o
                && java.util.Objects.equals(initialDelay, o.initialDelay)
                && java.util.Objects.equals(maxDelay, o.maxDelay)
                && Double.compare(multiplier, o.multiplier) == 0
                && Double.compare(jitter, o.jitter) == 0
                && maxAttempts == o.maxAttempts
                && java.util.Objects.equals(stableAfter, o.stableAfter);
    }

    /**
     * A hash of the settings.
     *
     * @return the hash
     */
    @Override
    public int hashCode() {
        return java.util.Objects.hash(initialDelay, maxDelay, multiplier, jitter, maxAttempts, stableAfter);
    }

    /**
     * The settings, for logs.
     *
     * @return a readable form
     */
    @Override
    public String toString() {
        return "ReconnectPolicy[initialDelay=" + initialDelay + ", maxDelay=" + maxDelay + ", multiplier=" + multiplier + ", jitter=" + jitter + ", maxAttempts=" + maxAttempts + ", stableAfter=" + stableAfter + "]";
    }
}
