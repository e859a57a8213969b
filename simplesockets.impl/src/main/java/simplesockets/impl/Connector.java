package simplesockets.impl;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.ClientEvent;
import simplesockets.api.ClientOptions;
import simplesockets.api.Failure;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Network;
import simplesockets.impl.transport.Transport;

/**
 * Opens a client's connections: connects, sets the socket options, sends the PROXY protocol header if
 * there is one, runs the TLS handshake, and makes the {@link Link}. Runs on the calling thread and takes no lock, so that state queries and close
 * never wait for the network.
 */
final class Connector {

    private static final Logger LOG = LoggerFactory.getLogger(Connector.class);

    private final Network network;
    private final ClientOptions options;
    private final Clock clock;
    private final Scope scope;
    private final Delivery<ClientEvent> delivery;
    private final LinkOwner owner;
    private final LinkSettings settings;
    private final AtomicLong ids = new AtomicLong();
    /** Connects still under way: the client's close ends them. */
    private final java.util.Set<Underway> connecting = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Connections still in their PROXY header or TLS handshake, and whether each is still wanted: a close closes them. */
    private final java.util.Map<Transport, java.util.function.BooleanSupplier> preparing = new java.util.concurrent.ConcurrentHashMap<>();
    /** Host-name lookups under way, by the host and port looked up: at most one each ({@link #lookUp}). */
    private final java.util.concurrent.ConcurrentHashMap<InetSocketAddress, java.util.concurrent.CompletableFuture<Endpoint>> lookups =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean closed;

    Connector(Network network, ClientOptions options, Clock clock, Scope scope, Delivery<ClientEvent> delivery,
            LinkOwner owner) {
        this.network = network;
        this.options = options;
        this.clock = clock;
        this.scope = scope;
        this.delivery = delivery;
        this.owner = owner;
        this.settings = LinkSettings.of(options, delivery.events().budget());
    }

    /**
     * Opens a connection to {@code target}.
     *
     * @param wanted whether the connect is still wanted (a reconnect attempt the user took over is not): one
     *               that is not is cut short
     * @param failed told what went wrong, if anything did
     * @return the new link, or empty if connecting or the handshake failed
     */
    Optional<Link> open(Endpoint endpoint, java.util.function.BooleanSupplier wanted, Consumer<Failure> failed) {
        InetSocketAddress target = endpoint.shown();
        Transport transport;
        Underway underway = new Underway(wanted);
        Clock.Timer deadline = options.connectTimeout().isZero() ? null
                : clock.schedule(options.connectTimeout(), underway::expire); // a Unix connect keeps none itself
        try {
            Endpoint reach = endpoint.needsLookUp() ? lookUp(endpoint, underway) : endpoint;
            target = reach.shown();
            transport = network.connect(reach.address(), options.connectTimeout(), underway);
        } catch (IOException | RuntimeException e) {
            transport = null;
            underway.failed(shown(e));
        } finally {
            if (deadline != null) {
                deadline.cancel();
            }
        }
        Exception why = underway.done(); // cut short perhaps just as it connected: then closed already
        if (why != null) {
            if (transport != null) {
                Transports.closeQuietly(transport);
            }
            failed.accept(new Failure.Connect(target, why, clock.now()));
            return Optional.empty();
        }
        preparing.put(transport, wanted);
        try {
            return prepare(transport, target, wanted, failed);
        } finally {
            preparing.remove(transport);
        }
    }

    /**
     * Looks the host name up on a thread of the client's scope, so that the connect timeout and a close or
     * a take-over cut the wait short as they cut a connect. The JDK's lookup itself cannot be cut short:
     * its thread ends when the resolver answers, and the client's close waits for it as for every thread,
     * bounded. So a connect that finds a lookup of the same host and port under way waits for that one
     * rather than starting another, and a connect cut short before it begins starts none.
     */
    private Endpoint lookUp(Endpoint endpoint, Underway underway) throws IOException {
        java.util.concurrent.CompletableFuture<Endpoint> mine = new java.util.concurrent.CompletableFuture<>();
        java.io.Closeable cut = () -> mine.completeExceptionally(new java.net.SocketException("the lookup was cut short"));
        underway.accept(cut); // cut already: closed at once; a cut records its own reason, which the connect fails with
        try {
            if (!mine.isDone()) {
                lookups.computeIfAbsent(endpoint.shown(), named -> startLookUp(endpoint)).whenComplete((found, failed) -> {
                    if (failed == null) {
                        mine.complete(found);
                    } else {
                        mine.completeExceptionally(failed);
                    }
                });
            }
            return mine.get();
        } catch (java.util.concurrent.ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException r -> throw r;
                default -> throw new IOException("looking up " + endpoint.shown().getHostString() + " failed", e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while looking up " + endpoint.shown().getHostString());
        } finally {
            underway.stepDone(cut);
        }
    }

    /** Starts a lookup of {@code endpoint}'s host name on a thread of the scope; it forgets itself when it ends. */
    private java.util.concurrent.CompletableFuture<Endpoint> startLookUp(Endpoint endpoint) {
        java.util.concurrent.CompletableFuture<Endpoint> found = new java.util.concurrent.CompletableFuture<>();
        scope.fork("lookup", () -> {
            try {
                found.complete(endpoint.lookedUp());
            } catch (Throwable e) { // an Error too (a resolver's): the connects that wait for it fail, with it as the cause
                found.completeExceptionally(e);
            } finally {
                lookups.remove(endpoint.shown(), found);
            }
        });
        return found;
    }

    /** The header and handshake of a connected transport; a close or a take-over meanwhile fails them at once. */
    private Optional<Link> prepare(Transport transport, InetSocketAddress target, java.util.function.BooleanSupplier wanted,
            Consumer<Failure> failed) {
        // Looked at after the transport was noted: close() or a take-over either sees it or is seen here.
        if (closed || !wanted.getAsBoolean()) {
            Transports.closeQuietly(transport);
            failed.accept(new Failure.Connect(target, cutShort(), clock.now()));
            return Optional.empty();
        }
        try {
            transport.configure(options.tcpNoDelay(), options.keepAlive(), options.keepAliveTuning());
            if (options.proxyHeader().isPresent()) { // in the clear, before anything else
                byte[] header = options.proxyHeader().get().toBytes();
                transport.write(header, 0, header.length);
            }
        } catch (IOException | RuntimeException e) {
            Transports.closeQuietly(transport);
            failed.accept(new Failure.Connect(target, shown(e), clock.now()));
            return Optional.empty();
        }
        if (options.tls().isPresent()) {
            try {
                transport = Handshake.secure(transport, options.tls().get(), true, options.host(), clock);
            } catch (IOException | RuntimeException e) {
                Transports.closeQuietly(transport);
                Failure.TlsProblem problem = TlsProblems.classify(e);
                LOG.debug("TLS handshake with {} failed: {}", target, problem, e);
                failed.accept(new Failure.Tls(target, problem, shown(e), clock.now()));
                return Optional.empty();
            }
        }
        ReadMode mode = delivery.callsOnReceive() ? ReadMode.CALLBACK : ReadMode.QUEUE;
        return Optional.of(new Link(ids.incrementAndGet(), transport, mode, settings, delivery, owner, clock, scope));
    }

    /**
     * The client closes: connections still in their header or handshake are closed, so that a connect
     * under way fails at once instead of waiting for a handshake deadline the closed clock no longer keeps.
     */
    void close() {
        closed = true;
        abortUnderway();
    }

    /**
     * Ends the connects under way, and the connections still in their header or handshake, at once: all of
     * them once the client closes; those no longer wanted (the reconnect loop's attempt) when the user's
     * connect takes over, never a user's own.
     */
    void abortUnderway() {
        connecting.forEach(underway -> {
            if (closed || !underway.wanted.getAsBoolean()) {
                underway.abort();
            }
        });
        preparing.forEach((transport, wanted) -> {
            if (closed || !wanted.getAsBoolean()) {
                Transports.closeQuietly(transport);
            }
        });
    }

    /**
     * A connect in progress, ended at once by the client's close or at the connect timeout by closing its
     * socket, whether the connect waits for the peer's answer or for room in a listener's full backlog; or,
     * before the socket, by ending the wait for the host name's lookup.
     */
    private final class Underway implements Consumer<java.io.Closeable> {
        private static final Object DONE = new Object();
        /** Nothing yet, then the socket while it connects; then {@link #DONE}, or the reason it was cut short. */
        private final java.util.concurrent.atomic.AtomicReference<Object> state = new java.util.concurrent.atomic.AtomicReference<>();
        private final java.util.function.BooleanSupplier wanted;

        /** Noted from the start, so that a close or a take-over before the socket exists cuts it short too. */
        Underway(java.util.function.BooleanSupplier wanted) {
            this.wanted = wanted;
            connecting.add(this);
            if (closed || !wanted.getAsBoolean()) { // looked at after it was noted: either seen or seen here
                abort();
            }
        }

        @Override
        public void accept(java.io.Closeable socket) {
            if (!state.compareAndSet(null, socket)) { // cut short already: the connect fails at once
                Transports.closeQuietly(socket);
                return;
            }
            if (closed || !wanted.getAsBoolean()) {
                abort();
            }
        }

        /** A step before the socket (the lookup) is over: the socket may come now, unless it was cut short meanwhile. */
        void stepDone(java.io.Closeable step) {
            state.compareAndSet(step, null);
        }

        void abort() {
            cut(cutShort());
        }

        void expire() {
            cut(new java.net.SocketTimeoutException("connect timed out after " + options.connectTimeout().toMillis() + " ms"));
        }

        private void cut(IOException why) {
            while (true) {
                Object now = state.get();
                if (now == null ? state.compareAndSet(null, why) : !(now instanceof java.io.Closeable)) {
                    return; // cut before it began, or over already
                }
                if (now instanceof java.io.Closeable closeable && state.compareAndSet(now, why)) {
                    Transports.closeQuietly(closeable);
                    return;
                }
            }
        }

        /** The connect failed by itself: its exception, unless it was cut short first. */
        void failed(Exception e) {
            Object now = state.get();
            if (!(now instanceof Exception)) {
                state.compareAndSet(now, e);
            }
        }

        /**
         * The connect returned: nothing cuts it short any more.
         *
         * @return why it failed or was cut short, or {@code null} if it connected
         */
        Exception done() {
            connecting.remove(this);
            Object now = state.get();
            if (!(now instanceof Exception) && state.compareAndSet(now, DONE)) {
                return null;
            }
            return (Exception) state.get();
        }
    }

    /** Why a connect was cut short: the client's close, or the user's connect taking over from a reconnect attempt. */
    private java.net.SocketException cutShort() {
        return new java.net.SocketException(closed ? "the client was closed while connecting"
                : "the connect was cut short: the user took over");
    }

    /** What a failure records: a JDK or API type, never one of the transport seam's own. */
    private static Exception shown(Exception e) {
        return e instanceof IOException io ? Transports.shown(io) : e;
    }

    /** The client's figures, which its connections add to. */
    Tally tally() {
        return settings.tally();
    }
}
