package simplesockets.impl;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import simplesockets.api.ClientState;

/**
 * The client's {@link Lifecycle} with what it guards: the current {@link Link} and its reader thread,
 * whether a connect is in flight, and the seed's two flags. Every method is one atomic step, so state
 * queries are true at once, whichever thread moved the state.
 */
final class ClientLife {

    private final Lifecycle<ClientState> lifecycle = new Lifecycle<>("client", ClientState.CREATED);
    // Guarded by the lifecycle's lock:
    private Link link;
    private Thread reader;
    /** The reader of the connection that ended last: it may still be reporting that end. */
    private Thread lastReader;
    /** The connection that ended last: its reader, if registered after that end, is still the last reader. */
    private Link lastLink;
    /** The connection made last, until its reader is registered; its reader, to come; the thread connecting it. */
    private Link pendingLink;
    private java.util.concurrent.CompletableFuture<Thread> pendingReader;
    private Thread connectingThread;
    private boolean connecting;
    /** Whether the connect in flight is a user's, not an attempt of the reconnect loop. */
    private boolean connectingByUser;
    private boolean hasConnected;
    private boolean disconnected;

    ClientState state() {
        return lifecycle.state();
    }

    /**
     * Refuses a user's connect that cannot begin, before it takes over from the reconnect loop: one that
     * failed here must leave the loop's arrangements (and the current connection's) as they were.
     *
     * @throws IllegalStateException if connected, closed, or another user's connect is in progress
     */
    void checkUserConnect() {
        lifecycle.locked(() -> {
            refuseConnect(connectingByUser);
            return null;
        });
    }

    /**
     * A connect begins.
     *
     * @param byUser whether the user connects, not the reconnect loop
     * @throws IllegalStateException if connected, connecting or closed
     */
    void beginConnect(boolean byUser) {
        lifecycle.locked(() -> {
            refuseConnect(true);
            connecting = true;
            connectingByUser = byUser;
            return null;
        });
    }

    /** Under the lock: throws if connected or closed, or if connecting and {@code inFlightCounts}. */
    private void refuseConnect(boolean inFlightCounts) {
        ClientState state = lifecycle.state();
        if (connecting && inFlightCounts) {
            throw new IllegalStateException("connect() needs a client that is not connecting, and a connect is in"
                    + " progress (the client is " + state + ")");
        }
        if (state == ClientState.CONNECTED || state == ClientState.CLOSED) {
            throw lifecycle.illegal("connect", EnumSet.of(ClientState.CREATED, ClientState.DISCONNECTED), ClientState.CONNECTED);
        }
    }

    /** The connect in flight failed. */
    void connectFailed() {
        lifecycle.locked(() -> {
            connecting = false;
            if (lifecycle.state() != ClientState.CLOSED) {
                lifecycle.set(ClientState.DISCONNECTED);
            }
            return null;
        });
    }

    /**
     * The connect in flight made {@code opened}: it becomes current, if the client is not closed
     * and {@code wanted} (the user did not take over meanwhile), asked under the same lock that a
     * {@link #disconnect(Runnable)} takes over under, so that the two cannot cross.
     *
     * @return whether it became current
     */
    boolean commit(Link opened, java.util.function.BooleanSupplier wanted) {
        return lifecycle.locked(() -> {
            connecting = false;
            if (lifecycle.state() == ClientState.CLOSED || !wanted.getAsBoolean()) {
                return false;
            }
            link = opened;
            reader = null;
            pendingLink = opened;
            pendingReader = new java.util.concurrent.CompletableFuture<>();
            connectingThread = Thread.currentThread();
            lifecycle.set(ClientState.CONNECTED);
            hasConnected = true;
            disconnected = false;
            return true;
        });
    }

    /** The reader of the connection that ended last, if any: a new connection waits for it to report that end. */
    Optional<Thread> lastReader() {
        return lifecycle.locked(() -> Optional.ofNullable(lastReader));
    }

    /**
     * Records the reader thread of {@code opened}, for a disconnect to wait for; {@code null} if none
     * could be started.
     */
    void reader(Link opened, Thread thread) {
        lifecycle.locked(() -> {
            if (link == opened) {
                reader = thread;
            } else if (lastLink == opened && lastReader == null) { // it ended before its reader was known
                lastReader = thread;
            }
            if (pendingLink == opened) {
                pendingReader.complete(thread); // a disconnect made before this waits for it
                pendingLink = null;
                connectingThread = null;
            }
            return null;
        });
    }

    /**
     * The end of {@code ended} was decided: if it is current, the client is disconnected now.
     *
     * @return whether it was the current connection
     */
    boolean ended(Link ended) {
        return lifecycle.locked(() -> {
            if (link == ended) {
                link = null;
                lastLink = ended;
                lastReader = reader;
                disconnected = true;
                if (lifecycle.state() == ClientState.CONNECTED) {
                    lifecycle.set(ClientState.DISCONNECTED);
                }
                return true;
            }
            return false;
        });
    }

    /**
     * The user disconnects: the state moves now.
     *
     * @param takeOver run first, under the lock: the reconnect loop's attempts are no longer wanted
     * @return the link to close and its reader, or empty if not connected
     */
    Optional<Closing> disconnect(Runnable takeOver) {
        return lifecycle.locked(() -> {
            takeOver.run();
            if (lifecycle.state() != ClientState.CONNECTED) {
                return Optional.empty();
            }
            // onConnect still runs on the connecting thread; not waited for by the reader of the connection
            // before (a disconnect from its onDisconnect), since that connect waits for it: its reader
            // reports this end when it starts.
            boolean toCome = reader == null && pendingLink == link && lastReader != Thread.currentThread();
            lifecycle.set(ClientState.DISCONNECTED);
            disconnected = true;
            lastLink = link;
            lastReader = reader;
            return Optional.of(new Closing(link, reader, toCome ? pendingReader : null, toCome ? connectingThread : null));
        });
    }

    /**
     * The client closes: the state moves now.
     *
     * @return {@code null} if it was closed already, else the link still open, if any
     */
    Optional<Link> close() {
        return lifecycle.locked(() -> {
            if (lifecycle.state() == ClientState.CLOSED) {
                return null;
            }
            lifecycle.set(ClientState.CLOSED);
            return Optional.ofNullable(link);
        });
    }

    /**
     * Waits, for at most {@code max}, while the connection made last still runs its {@code onConnect} on
     * the connecting thread (unless that is the caller), until its reader is registered: a close waits so,
     * and then ends the link, whose reader reports the end before the close joins it. Nor does the reader
     * of the connection that ended last wait (a close from its {@code onDisconnect}): the connecting thread
     * waits for that reader to report its end first, and finds its link ended by the close.
     */
    void awaitConnectFinished(Duration max) {
        Thread caller = Thread.currentThread();
        java.util.concurrent.CompletableFuture<Thread> toCome = lifecycle.locked(
                () -> pendingLink != null && connectingThread != caller && lastReader != caller ? pendingReader : null);
        if (toCome == null) {
            return;
        }
        try {
            readerIn(toCome, WaitLimit.nanos(max)); // if onConnect runs past it, its connect ends the link after
        } catch (InterruptedException e) {
            caller.interrupt();
        }
    }

    /** The reader {@code toCome} registers within {@code nanos}, or {@code null} if its onConnect ran past them. */
    private static Thread readerIn(java.util.concurrent.CompletableFuture<Thread> toCome, long nanos) throws InterruptedException {
        try {
            return toCome.get(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return null;
        }
    }

    /** Whether the reconnect loop may try now. */
    boolean disconnected() {
        return lifecycle.is(ClientState.DISCONNECTED);
    }

    /** The current link while connected. */
    Optional<Link> current() {
        return lifecycle.locked(() -> Optional.ofNullable(lifecycle.state() == ClientState.CONNECTED ? link : null));
    }

    List<Link> links() {
        return current().map(List::of).orElse(List.of());
    }

    boolean hasConnected() {
        return lifecycle.locked(() -> hasConnected);
    }

    boolean isDisconnected() {
        return lifecycle.locked(() -> disconnected);
    }

    Optional<InetSocketAddress> localAddress() {
        return current().map(Link::localAddress);
    }

    /**
     * A link being disconnected, and the thread that will report it: a disconnect to finish outside the lock.
     *
     * @param reader     the link's reader, or {@code null} if it is not registered yet
     * @param toCome     its reader to come, while its {@code onConnect} still runs, or {@code null}
     * @param connecting the thread running that {@code onConnect}, which must not wait for it
     */
    record Closing(Link link, Thread reader, java.util.concurrent.CompletableFuture<Thread> toCome, Thread connecting) {
        /** Disconnects the link, then waits for its reader to report it, so that the callback has run. */
        void disconnect(Duration wait) {
            link.disconnect();
            long nanos = WaitLimit.nanos(wait);
            long start = System.nanoTime();
            try {
                Thread r = reader;
                if (r == null && toCome != null && Thread.currentThread() != connecting) {
                    r = readerIn(toCome, nanos); // null if onConnect ran past the wait: the reader reports the end when it starts
                }
                if (r != null) {
                    Scope.join(r, Duration.ofNanos(Math.max(0, nanos - (System.nanoTime() - start))));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
