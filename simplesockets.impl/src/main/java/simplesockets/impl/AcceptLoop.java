package simplesockets.impl;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.Failure;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Acceptor;
import simplesockets.impl.transport.Transport;

/**
 * A server's accept loop over one listening {@link Acceptor}: accepts, and hands each connection to
 * the admission step, until the acceptor is closed. On a platform thread of the server's
 * {@link Scope}, so that accepting never waits behind thousands of busy virtual threads.
 *
 * <p>When accepting or admitting fails (out of file descriptors, out of memory, a bug), the failure is
 * recorded, the first of a burst is logged, and the loop backs off (10 ms, doubling up to 1 s, on the
 * {@link Clock}) until it works again. It never spins, and only closing ends it.
 */
final class AcceptLoop {

    private static final Logger LOG = LoggerFactory.getLogger(AcceptLoop.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(10);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

    private final Acceptor acceptor;
    private final Clock clock;
    private final Consumer<Transport> admit;
    private final Consumer<Failure> record;
    private final Thread thread;

    /** Starts accepting from {@code acceptor} on a new thread of {@code scope}. */
    AcceptLoop(Acceptor acceptor, Scope scope, Clock clock, Consumer<Transport> admit, Consumer<Failure> record) {
        this.acceptor = acceptor;
        this.clock = clock;
        this.admit = admit;
        this.record = record;
        this.thread = scope.forkPlatform("accept", this::run);
    }

    private void run() {
        Duration backoff = Duration.ZERO;
        while (acceptor.isOpen()) {
            try {
                Transport transport = acceptor.accept();
                backoff = Duration.ZERO;
                admit.accept(transport);
            } catch (IOException | RuntimeException | Error e) {
                // Anything but close: recorded, logged once per burst, and the loop goes on after a
                // back-off, even after an OutOfMemoryError, so the server never says ACCEPTING while
                // it accepts nothing.
                if (!acceptor.isOpen()) {
                    return;
                }
                if (backoff.isZero()) {
                    LOG.warn("Accepting failed; backing off until it works again: {}", e.toString());
                }
                try {
                    record.accept(new Failure.Accept(e, clock.now()));
                } catch (RuntimeException | Error again) {
                    // Out of memory even for the record: the back-off below still gives it time.
                }
                backoff = backoff.isZero() ? FIRST_BACKOFF : min(backoff.multipliedBy(2), MAX_BACKOFF);
                try {
                    clock.sleep(backoff);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Stops listening: new peers are refused, and the loop ends. Never blocks. */
    void close() {
        try {
            acceptor.close();
        } catch (IOException e) {
            LOG.debug("Closing the listener failed", e);
        }
        thread.interrupt(); // ends a back-off at once
    }

    /** Waits for the loop to end, at most {@code timeout}. */
    void join(Duration timeout) {
        try {
            Scope.join(thread, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
