package simplesockets.impl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
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
 * runs when both timeouts are off. The connections a check finds are ended side by side where a close
 * may wait ({@link Endings}), and the check waits for them, at most the close timeout (and at least a
 * second), before the next.
 */
final class Timeouts {

    private static final Logger LOG = LoggerFactory.getLogger(Timeouts.class);
    private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /**
     * The least a check waits for the connections it ends, whatever the close timeout (zero, say): a
     * connection still closing is still late at the next check, which would end it again on one more thread.
     */
    private static final Duration MIN_ENDINGS_WAIT = Duration.ofSeconds(1);

    private final Clock clock;
    private final long idleNanos;
    private final long writeNanos;
    private final Supplier<? extends Iterable<Link>> links;
    private final Duration period;
    private final Scope scope;
    /** How long a check waits for the connections it ends: the close timeout, at least a second. */
    private final Duration endingsWait;
    private volatile boolean stopped;
    private volatile Clock.Timer next;
    /** Whether a read counts as idle: see {@link EventState#pollWaits()}; -1 always. */
    private final LongSupplier pollWaits;
    /** The waits begun, and whether someone waited, as the last check saw them; the checks' own. */
    private long waitsSeen;
    private boolean sawWaiting;
    /** The first and the last check that saw someone waiting, of waits less than the idle timeout apart. */
    private long waitingSince = NONE;
    private long lastWaitSeen;
    private static final long NONE = Long.MIN_VALUE;

    /**
     * @param scope        where connections whose close may wait are ended
     * @param closeTimeout how long a check waits for them (at least a second)
     */
    Timeouts(Clock clock, Duration idle, Duration write, Supplier<? extends Iterable<Link>> links, Scope scope,
            Duration closeTimeout) {
        this(clock, idle, write, links, scope, closeTimeout, () -> -1);
    }

    /**
     * @param pollWaits for a client without background receiving, whose reader reads only for someone who
     *                  waits for data: {@link EventState#pollWaits()}. A read counts as idle only while
     *                  someone waits: from the first check that saw someone waiting (or a wait begun or
     *                  ended since the check before) to the last, where waits less than the idle timeout
     *                  apart count as one (a poll loop that works between its waits); a read begun for a
     *                  wait that timed out, with nobody waiting since, does not count past that wait
     */
    Timeouts(Clock clock, Duration idle, Duration write, Supplier<? extends Iterable<Link>> links, Scope scope,
            Duration closeTimeout, LongSupplier pollWaits) {
        this.pollWaits = pollWaits;
        this.clock = clock;
        this.scope = scope;
        this.endingsWait = closeTimeout.compareTo(MIN_ENDINGS_WAIT) < 0 ? MIN_ENDINGS_WAIT : closeTimeout;
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
        long waitedFor = waitedFor(now);
        List<Link> late = new ArrayList<>();
        for (Link link : links.get()) {
            if (writeNanos > 0 && link.out().writes().blockedNanos(now) > writeNanos) {
                LOG.debug("{}: a write was blocked for more than {}; closing", link, Duration.ofNanos(writeNanos));
                late.add(link);
            } else if (idleNanos > 0 && Math.min(link.reader().readWaitingNanos(now), waitedFor) > idleNanos
                    && link.out().writes().quietNanos(now) > idleNanos) {
                LOG.debug("{}: nothing received or sent for more than {}; closing", link, Duration.ofNanos(idleNanos));
                late.add(link);
            }
        }
        try {
            Endings.endAll(late, DisconnectReason.TIMED_OUT, scope, endingsWait);
        } catch (InterruptedException e) {
            // stop() cancels the timer that runs this check, and no next one is scheduled below
        }
        if (!stopped) {
            next = clock.schedule(period, this::check);
        }
    }

    /** How long someone has waited for data, for a reader that reads only for them; else as long as can be. */
    private long waitedFor(long now) {
        long waits = pollWaits.getAsLong();
        if (waits < 0) {
            return Long.MAX_VALUE; // every read counts
        }
        boolean waiting = (waits & 1) != 0;
        // Someone waits, or a wait began or ended since the check before (one that saw someone waiting).
        boolean waited = waiting || waits >>> 1 != waitsSeen || sawWaiting;
        waitsSeen = waits >>> 1;
        sawWaiting = waiting;
        // Waits less than the idle timeout apart are one (a poll loop that works between its waits): the
        // clock runs from the first check that saw them to the last; a wait alone, or after a longer
        // pause, starts it again. A read begun for a wait that timed out, with nobody waiting since, is
        // not counted past that wait.
        if (waited) {
            if (waitingSince == NONE || now - lastWaitSeen > idleNanos) {
                waitingSince = now;
            }
            lastWaitSeen = now;
        } else if (waitingSince != NONE && now - lastWaitSeen > idleNanos) {
            waitingSince = NONE;
        }
        return waitingSince == NONE ? 0 : lastWaitSeen - waitingSince;
    }

    void stop() {
        stopped = true;
        Clock.Timer pending = next;
        if (pending != null) {
            pending.cancel();
        }
    }
}
