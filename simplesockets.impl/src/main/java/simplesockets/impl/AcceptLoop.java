package simplesockets.impl;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
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
    private final Admit admit;
    private final Consumer<Failure> record;
    private final Thread thread;
    /** Guards {@link #backingOff}, so that a nudge interrupts the loop only while it sleeps. */
    private final ReentrantLock nudging = new ReentrantLock();
    private boolean backingOff;

    /** The admission step, given each connection accepted. */
    @FunctionalInterface
    interface Admit {
        /**
         * @param listening whether the listener is still open, asked after the server's state is read: one
         *                  taken as the listener closed (exitAccept, close) came too late, and is refused
         */
        void admit(Transport transport, java.util.function.BooleanSupplier listening);
    }

    /** Starts accepting from {@code acceptor} on a new thread of {@code scope}. */
    AcceptLoop(Acceptor acceptor, Scope scope, Clock clock, Admit admit, Consumer<Failure> record) {
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
                admit.admit(transport, acceptor::isOpen);
            } catch (Throwable e) {
                // Anything but close: recorded, logged once per burst, and the loop goes on after a
                // back-off, even after an OutOfMemoryError, so the server never says ACCEPTING while
                // it accepts nothing.
                if (!acceptor.isOpen()) {
                    return;
                }
                boolean first = backoff.isZero();
                backoff = first ? FIRST_BACKOFF : min(backoff.multipliedBy(2), MAX_BACKOFF);
                report(e, first);
                if (!backOff(backoff)) {
                    return;
                }
            }
        }
    }

    /** Records and (the first of a burst) logs a failure; out of memory even for that, it lets it go. */
    private void report(Throwable e, boolean first) {
        try {
            if (first) {
                LOG.warn("Accepting failed; backing off until it works again: {}", e.toString());
            }
            record.accept(new Failure.Accept(e, clock.now()));
        } catch (Throwable again) {
            // The back-off still gives memory or descriptors time to come back.
        }
    }

    /**
     * Waits out a back-off on the clock. A connection that ends {@linkplain #nudge() nudges} the loop
     * to try again at once, since it may have freed what accepting lacked.
     *
     * @return {@code false} if the loop must end: the acceptor is closed
     */
    private boolean backOff(Duration backoff) {
        setBackingOff(true);
        try {
            clock.sleep(backoff);
        } catch (InterruptedException nudgedOrClosed) {
            // try again now, unless closed
        } finally {
            setBackingOff(false);
        }
        return acceptor.isOpen();
    }

    /**
     * Ends or begins a back-off. At its end, a nudge that came as the sleep ended is cleared: a pending
     * interrupt would close an interruptible listener (a Unix socket's channel) in its next accept.
     */
    private void setBackingOff(boolean on) {
        nudging.lock();
        try {
            backingOff = on;
            if (!on && acceptor.isOpen()) {
                Thread.interrupted();
            }
        } finally {
            nudging.unlock();
        }
    }

    /** A connection ended: if the loop is backing off, it tries again now. Never blocks for long. */
    void nudge() {
        nudging.lock();
        try {
            if (backingOff) {
                thread.interrupt();
            }
        } finally {
            nudging.unlock();
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

    /** Whether the loop's thread has ended (and so let go of its listening socket). */
    boolean ended() {
        return !thread.isAlive();
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
