package simplesockets.impl;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.DisconnectReason;
import simplesockets.impl.time.Clock;

/**
 * The idle and write timeouts of a server or client: a check scheduled on the {@link Clock} a few
 * times per timeout closes, with {@link DisconnectReason.TimedOut}, every connection whose read has
 * waited longer than the idle timeout while nothing was sent either, or whose write has been blocked
 * longer than the write timeout.
 * Closing the connection wakes the blocked reader or writer. One check for all connections; none
 * runs when both timeouts are off.
 */
final class Timeouts {

    private static final Logger LOG = LoggerFactory.getLogger(Timeouts.class);
    private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Clock clock;
    private final long idleNanos;
    private final long writeNanos;
    private final Supplier<? extends Iterable<Link>> links;
    private final Duration period;
    private volatile boolean stopped;
    private volatile Clock.Timer next;

    Timeouts(Clock clock, Duration idle, Duration write, Supplier<? extends Iterable<Link>> links) {
        this.clock = clock;
        this.idleNanos = idle.toNanos();
        this.writeNanos = write.toNanos();
        this.links = links;
        long shortest = Math.min(idleNanos == 0 ? Long.MAX_VALUE : idleNanos, writeNanos == 0 ? Long.MAX_VALUE : writeNanos);
        this.period = Duration.ofNanos(Math.max(MIN_PERIOD_NANOS, shortest / 4));
    }

    /** Starts checking, if a timeout is set. */
    void start() {
        if (idleNanos > 0 || writeNanos > 0) {
            next = clock.schedule(period, this::check);
        }
    }

    private void check() {
        if (stopped) {
            return;
        }
        long now = clock.nanoTime();
        for (Link link : links.get()) {
            if (writeNanos > 0 && link.out().writes().blockedNanos(now) > writeNanos) {
                LOG.debug("{}: a write was blocked for more than {}; closing", link, Duration.ofNanos(writeNanos));
                link.end(DisconnectReason.TIMED_OUT);
            } else if (idleNanos > 0 && link.reader().readWaitingNanos(now) > idleNanos
                    && link.out().writes().quietNanos(now) > idleNanos) {
                LOG.debug("{}: nothing received or sent for more than {}; closing", link, Duration.ofNanos(idleNanos));
                link.end(DisconnectReason.TIMED_OUT);
            }
        }
        if (!stopped) {
            next = clock.schedule(period, this::check);
        }
    }

    void stop() {
        stopped = true;
        Clock.Timer pending = next;
        if (pending != null) {
            pending.cancel();
        }
    }
}
