package simplesockets.impl;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.CallbackName;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.OnFailure;
import simplesockets.impl.time.Clock;

/**
 * Where every event of a server or client goes: to its callback when the user set one, else to the
 * polling queue ({@link EventState}); and every caught exception to the bounded exception list
 * ({@link FailureLog}) and then to {@code onFailure} or the queue. One part for server and client
 * alike; what differs between them (event types, callback signatures) is a {@link Side}.
 *
 * <p>It also answers the polling half of the API: the events and exceptions that were kept.
 *
 * @param <E> the event type: {@code ServerEvent} or {@code ClientEvent}
 */
final class Delivery<E> {

    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);
    /** Whether an accept failure's onFailure runs ({@link #recordAside}). */
    private final java.util.concurrent.atomic.AtomicBoolean callingAside = new java.util.concurrent.atomic.AtomicBoolean();

    /** What differs between server and client: their callbacks and their event records. */
    interface Side<E> {
        /** Whether the application polls for data (no data callback and no handler), so it polls events too. */
        boolean pollsForData();

        boolean hasOnConnect();

        void onConnect(Connection link) throws Exception;

        E connected(Connection link, Instant at);

        boolean hasOnReceive();

        void onReceive(Connection link, byte[] data) throws Exception;

        E received(Connection link, byte[] data, Instant at);

        boolean hasOnDisconnect();

        void onDisconnect(Connection link, DisconnectReason reason) throws Exception;

        E disconnected(Connection link, DisconnectReason reason, Instant at);

        OnFailure onFailure();

        E failed(Failure failure);

        /** The connection a polled disconnect event is about, or {@code null} for other events. */
        default Connection endedBy(E event) {
            return null;
        }
    }

    private final Side<E> side;
    private final EventState<E> events;
    private final FailureLog failures;
    private final Clock clock;
    private final Warnings warnings;
    /** The connection of the disconnect event taken last, whose attributes go at the next poll. */
    private final AtomicReference<Connection> lastGone = new AtomicReference<>();

    Delivery(Side<E> side, EventState<E> events, FailureLog failures, Clock clock) {
        this.side = side;
        this.events = events;
        this.failures = failures;
        this.clock = clock;
        this.warnings = new Warnings(clock);
    }

    /** The polling queue, for the read loop's backpressure and the fronts' drains. */
    EventState<E> events() {
        return events;
    }

    /** Whether received data goes to a callback (so the read loop needs no credit). */
    boolean callsOnReceive() {
        return side.hasOnReceive();
    }

    void connected(Connection link) {
        if (side.hasOnConnect()) {
            Callbacks.run(CallbackName.ON_CONNECT, link.remoteAddress(), clock, f -> callbackFailed(link, f), () -> side.onConnect(link));
        } else {
            keep(side.connected(link, clock.now()));
        }
    }

    /** One piece of data for its callback, on the connection's own thread. */
    void received(Connection link, byte[] data) {
        Callbacks.run(CallbackName.ON_RECEIVE, link.remoteAddress(), clock, f -> callbackFailed(link, f),
                () -> side.onReceive(link, data));
    }

    /**
     * The pieces of one read for polling, on the connection's own thread, charged to its credit
     * ({@link EventState#publishData}): {@code first}, then what {@code more} hands out while the credit
     * allows.
     *
     * @param at    when they were read
     * @param limit the credit's limit
     */
    void queued(Connection link, Credit credit, byte[] first, Supplier<byte[]> more, Instant at, int limit) {
        events.publishData(credit, limit, first, more, data -> side.received(link, data, at));
    }

    void disconnected(Connection link, DisconnectReason reason) {
        LOG.debug("Disconnected {}: {}", link, reason);
        if (side.hasOnDisconnect()) {
            Callbacks.run(CallbackName.ON_DISCONNECT, link.remoteAddress(), clock, f -> callbackFailed(link, f),
                    () -> side.onDisconnect(link, reason));
        } else if (side.pollsForData()) {
            events.publish(side.disconnected(link, reason, clock.now()));
            return; // its state is let go at the poll after the one that takes the event
        }
        forget(link);
    }

    /** A connection's end was reported and handled: its attributes go. */
    private static void forget(Connection link) {
        if (link instanceof Link ended) {
            ended.attributes().clear();
        }
    }

    /**
     * Records a caught exception and hands it on. A user's callback or handler that threw is a bug to
     * look at: it is logged at warn, with its stack trace, at most once per callback every ten
     * seconds. Everything else is logged at debug.
     */
    void failed(Failure failure) {
        if (failure instanceof Failure.Callback callback) {
            warnings.warn(LOG, callback.callback() + " threw", "Recorded failure: " + failure, failure.cause());
        } else {
            LOG.debug("Recorded failure: {}", failure, failure.cause());
        }
        recordQuietly(failure);
    }

    /**
     * A callback threw. When it threw an I/O exception and its connection is closed by now (a send to a
     * peer that reset or left, say), that is the network, not a bug: recorded, but logged at debug.
     */
    private void callbackFailed(Connection link, Failure failure) {
        if (failure.cause() instanceof java.io.IOException && !link.isOpen()) {
            LOG.debug("A callback's I/O failed because {} ended: {}", link, failure.cause().toString());
            recordQuietly(failure);
        } else {
            failed(failure);
        }
    }

    /** Records a failure and hands it to onFailure or the queue, without logging it. */
    void recordQuietly(Failure failure) {
        failures.report(failure, side.onFailure(), f -> keep(side.failed(f)), warnings);
    }

    /**
     * {@link #recordQuietly}, for the accept loop: the failure is recorded at once, and the user's
     * onFailure runs on a virtual thread of {@code scope}, so a callback that blocks (an alert sent
     * synchronously, say) never holds up accepting, nor the prompt refusal of a full or paused server.
     * One such callback runs at a time: a failure that comes while one runs (a burst of them, out of
     * descriptors) is recorded only. Once the scope is closing, the failure is recorded only.
     */
    void recordAside(Failure failure, Scope scope) {
        OnFailure callback = side.onFailure();
        if (callback == null) {
            recordQuietly(failure);
            return;
        }
        failures.record(failure);
        if (!callingAside.compareAndSet(false, true)) {
            LOG.debug("onFailure still runs for an earlier accept failure; {} recorded only", failure);
            return;
        }
        try {
            scope.fork("on-failure", () -> {
                try {
                    FailureLog.call(callback, failure, warnings);
                } finally {
                    callingAside.set(false);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            callingAside.set(false);
            LOG.debug("Closing: onFailure not called for {}", failure);
        } catch (RuntimeException | Error e) { // out of memory for a thread, say: the next failure tries again
            callingAside.set(false);
            throw e;
        }
    }

    /**
     * Queues an event that has no callback, where something polls: in the polling style (no data
     * callback, no handler). In callback or handler style nothing polls, so nothing is kept: each event
     * would hold its connection until the queue's bound. Failures are in the exception list either way.
     */
    void keep(E event) {
        if (side.pollsForData()) {
            events.publish(event);
        }
    }

    /** Queues an event that holds no connection and has no callback of its own, in every style. */
    void keepAlways(E event) {
        events.publish(event);
    }

    /** The time now, on this engine's clock. */
    Instant now() {
        return clock.now();
    }

    // ---- the polling half of the API ----

    boolean hasNewData() {
        return events.hasData();
    }

    Optional<E> pollEvent() {
        forgetLastGone();
        return taken(events.poll());
    }

    Optional<E> awaitEvent(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        forgetLastGone();
        return taken(events.awaitEvent(timeout));
    }

    /**
     * A taken disconnect's connection keeps its attributes while the application handles the event,
     * that is until the next poll (or close).
     */
    private Optional<E> taken(Optional<E> event) {
        event.map(side::endedBy).ifPresent(lastGone::set);
        return event;
    }

    private void forgetLastGone() {
        Connection gone = lastGone.getAndSet(null);
        if (gone != null) {
            forget(gone);
        }
    }

    boolean hasExceptions() {
        return failures.occurred();
    }

    List<Failure> exceptions(boolean delete, boolean reset) {
        return failures.snapshot(delete, reset);
    }

    long droppedExceptions() {
        return failures.dropped();
    }

    long droppedEvents() {
        return events.droppedEvents();
    }

    /** Wakes every waiter for good: the server or client is closing. */
    void close() {
        events.close();
        forgetLastGone();
    }
}
