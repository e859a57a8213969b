package simplesockets.impl;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.DisconnectReason;

/**
 * Enforces the write timeout: one thread per server or client wakes a few times per timeout and
 * closes, with reason {@link DisconnectReason.TimedOut}, every connection whose write has been blocked
 * longer than the timeout. Closing the connection wakes the blocked sender, whose send then fails with
 * {@link java.net.SocketTimeoutException}. A blocking socket write has no timeout of its own; this is
 * the one place that gives it one.
 */
final class WriteWatchdog implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(WriteWatchdog.class);
    private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final long timeoutNanos;
    private final Supplier<? extends Iterable<Link>> links;
    private final CountDownLatch closing;

    WriteWatchdog(Duration timeout, Supplier<? extends Iterable<Link>> links, CountDownLatch closing) {
        this.timeoutNanos = timeout.toNanos();
        this.links = links;
        this.closing = closing;
    }

    @Override
    public void run() {
        long period = Math.max(MIN_PERIOD_NANOS, timeoutNanos / 4);
        try {
            while (!closing.await(period, TimeUnit.NANOSECONDS)) {
                long now = System.nanoTime();
                for (Link link : links.get()) {
                    if (link.writeBlockedNanos(now) > timeoutNanos) {
                        LOG.debug("{}: a write was blocked for more than {} ms; closing", link,
                                TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
                        link.close(DisconnectReason.TIMED_OUT);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
