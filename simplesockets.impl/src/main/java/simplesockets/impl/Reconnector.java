package simplesockets.impl;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.ClientEvent;
import simplesockets.api.ReconnectPolicy;
import simplesockets.impl.time.Clock;

/**
 * Brings a client's lost connection back by its {@link ReconnectPolicy}: waits each delay on the
 * {@link Clock}, then tries, until it works, the attempts run out, or the user takes over.
 *
 * <p>Each user action that decides the connection (connect, disconnect, close) starts a new
 * generation; a loop of an older generation stops, and a connection it made meanwhile is dropped.
 */
final class Reconnector {

    private static final Logger LOG = LoggerFactory.getLogger(Reconnector.class);

    /** The generation of a user's own connect, which no later generation cancels. */
    static final long ANY = -1;
    /** No loop to start. */
    static final long NONE = -2;

    /** One attempt. */
    @FunctionalInterface
    interface Attempt {
        /**
         * @return whether it connected
         * @throws IllegalStateException if the user took over, so the loop must stop
         */
        boolean connect(long generation);
    }

    private final ReconnectPolicy policy;
    private final Clock clock;
    private final Scope scope;
    private final Delivery<ClientEvent> delivery;
    private final Attempt attempt;
    /** Ends an attempt's connect or handshake under way, without an interrupt. */
    private final Runnable abortAttempt;
    private final AtomicLong generation = new AtomicLong();
    private volatile Thread running;
    /**
     * Whether the loop waits out its delay ({@link #SLEEPING}), the only time it is interrupted: an attempt
     * runs the user's callbacks ({@code onConnect}, {@code onFailure}), which an interrupt would break.
     */
    private final java.util.concurrent.atomic.AtomicInteger phase = new java.util.concurrent.atomic.AtomicInteger();
    private static final int WORKING = 0;
    private static final int SLEEPING = 1;
    private static final int STOPPED = 2;
    /** Wakes the waits for data: a loop stopped without a connection, so none comes. */
    private final Runnable gaveUp;
    /** Numbers the loops; {@link #active} is the running loop's, or 0. */
    private final AtomicLong loops = new AtomicLong();
    private final AtomicLong active = new AtomicLong();
    /** The generation the running loop reconnects for. */
    private volatile long activeGeneration = NONE;
    /**
     * The connection lost last (its end decided, not by the user), until its reader, having reported
     * the end, starts the loop ({@link #settled}): waits for data go on meanwhile, as the loop may connect.
     */
    private volatile Link lost;
    /** The generation {@link #lost} was lost in; written before it. */
    private volatile long lostGeneration = NONE;
    /** The lost connection whose reader is done with it; compared with {@link #lost}. */
    private volatile Link settled;
    /** Attempts in a row without a stable connection; only the loop and {@link #start} touch it. */
    private volatile int attempts;
    /** When the current connection was made ({@link Clock#nanoTime()}). */
    private volatile long connectedAt;

    /**
     * @param abortAttempt ends an attempt's connect or handshake under way
     * @param gaveUp       wakes the waits for data once a loop stops without a connection
     */
    Reconnector(ReconnectPolicy policy, Clock clock, Scope scope, Delivery<ClientEvent> delivery, Attempt attempt,
            Runnable abortAttempt, Runnable gaveUp) {
        this.abortAttempt = abortAttempt;
        this.gaveUp = gaveUp;
        this.policy = policy;
        this.clock = clock;
        this.scope = scope;
        this.delivery = delivery;
        this.attempt = attempt;
    }

    long generation() {
        return generation.get();
    }

    /** Whether a connection made by {@code made}'s loop may still be kept. */
    boolean current(long made) {
        return made == ANY || made == generation.get();
    }

    /**
     * Whether a loop runs that may still connect: one the user has not taken over. A wait for data goes on
     * while it does, since the data may come once it connects.
     */
    boolean reconnecting() {
        Link pending = lost;
        if (pending != null && pending != settled && current(lostGeneration)) {
            return true; // lost: its reader still reports the end (onDisconnect), then starts the loop
        }
        return active.get() != 0 && current(activeGeneration);
    }

    /**
     * The end of {@code link}, the current connection, was just decided, and not by the user: its
     * reader will start the loop once it has reported the end, which may take a while (its last sends,
     * its {@code onDisconnect}). Waits for data go on from now, not only once the loop runs.
     */
    void lost(Link link) {
        if (policy != null) {
            lostGeneration = generation.get();
            lost = link;
        }
    }

    /** The reader of {@code link} reported its end and started the loop, or not: {@link #lost} no longer counts. */
    void settled(Link link) {
        settled = link;
    }

    /** The user took over: a loop in progress stops before its next attempt. */
    void cancel() {
        generation.incrementAndGet();
    }

    /**
     * The user connects: a loop in progress stops now, even in the middle of an attempt, and is waited
     * for, at most {@code max}, so that the user's connect does not find the loop's still under way.
     */
    void takeOver(Duration max) {
        cancel();
        Thread loop = running;
        if (loop != null && loop != Thread.currentThread()) {
            wake(loop);
            try {
                Scope.join(loop, max);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closing or disconnecting: a loop in progress stops now, even in the middle of a connect. */
    void stop() {
        cancel();
        Thread loop = running;
        if (loop != null && loop != Thread.currentThread()) {
            wake(loop);
        }
    }

    /**
     * Ends the loop's wait, or its attempt's connect or handshake; a callback it runs (the loop's
     * {@code onConnect} or {@code onFailure}) is left to finish, uninterrupted.
     */
    private void wake(Thread loop) {
        abortAttempt.run();
        if (phase.compareAndSet(SLEEPING, STOPPED)) {
            loop.interrupt();
        }
    }

    /**
     * A connection was made. One the user asked for starts the attempt count again; one the loop made
     * counts as stable only once it stays up for the policy's {@code stableAfter}.
     */
    void connected(boolean byUser) {
        connectedAt = clock.nanoTime();
        if (byUser) {
            attempts = 0;
        }
    }

    /**
     * Starts a loop for {@code lost}, the generation in which the connection was lost.
     *
     * @return whether a loop started (it keeps the waits for data going, and ends them if it gives up)
     */
    boolean start(long lost) {
        if (policy == null || lost == NONE || !current(lost)) {
            return false;
        }
        if (clock.nanoTime() - connectedAt >= policy.stableAfter().toNanos()) {
            attempts = 0; // it was up long enough: start the waits again from the first
        }
        long loop = loops.incrementAndGet();
        activeGeneration = lost;
        active.set(loop); // before the thread starts: a wait that sees no connection waits for the loop
        try {
            running = scope.fork("reconnect", () -> run(lost, loop));
            return true;
        } catch (RejectedExecutionException e) {
            LOG.debug("Client closed; not reconnecting");
            stopped(loop, lost, false);
            return true; // and ended the waits
        }
    }

    private void run(long lost, long loop) {
        boolean connected = false;
        try {
            connected = attempts(lost);
        } finally {
            stopped(loop, lost, connected);
        }
    }

    /**
     * The loop is over; without a connection, the waits for data that it kept going return, unless the user
     * took over meanwhile: then the user's connect decides (a connection made then is the waits' own, and a
     * connect that fails ends them), and {@code disconnect()} and {@code close()} end them themselves.
     */
    private void stopped(long loop, long lost, boolean connected) {
        active.compareAndSet(loop, 0);
        if (!connected && current(lost)) {
            gaveUp.run();
        }
    }

    /** The attempts, after their delays: whether one connected. */
    private boolean attempts(long lost) {
        for (int n = attempts + 1; policy.maxAttempts() == 0 || n <= policy.maxAttempts(); n++) {
            if (!current(lost)) {
                return false; // the user took over during the last attempt: no Reconnecting without an attempt after it
            }
            attempts = n;
            Duration delay = policy.delay(n);
            delivery.keepAlways(new ClientEvent.Reconnecting(n, delay, clock.now())); // no callback exists for it
            phase.set(SLEEPING);
            if (!current(lost)) { // looked at after the phase was set: a taker-over either sees it or is seen here
                return false;
            }
            try {
                clock.sleep(delay);
            } catch (InterruptedException e) {
                return false;
            }
            if (!phase.compareAndSet(SLEEPING, WORKING)) {
                return false; // stopped: its interrupt comes, if it has not, to a thread that only ends
            }
            if (!current(lost)) {
                return false;
            }
            try {
                if (attempt.connect(lost)) {
                    LOG.debug("Reconnected after {} attempt(s)", n);
                    return true;
                }
            } catch (IllegalStateException e) {
                return false; // the user connected or closed meanwhile
            } catch (Error e) { // out of onConnect: that connection ended with it (reported); a failed attempt
                LOG.debug("Reconnect attempt {}: onConnect threw {}", n, e.toString());
            }
        }
        LOG.debug("Gave up reconnecting after {} attempt(s) in a row", policy.maxAttempts());
        return false;
    }
}
