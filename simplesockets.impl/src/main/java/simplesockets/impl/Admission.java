package simplesockets.impl;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.ServerState;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Transport;

/**
 * What happens to a connection the accept loop took: it gets a slot in the {@link Registry} and a
 * virtual thread of its own, or, while the server is paused, killed or full, it is closed at once, so
 * that no client waits in the kernel's backlog. On its thread: the socket options, the PROXY protocol
 * header ({@link ProxyGate}), the TLS handshake, a {@link Link}, and the {@link Session}.
 */
final class Admission {

    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

    private final ServerOptions options;
    private final Supplier<ServerState> state;
    private final Registry registry;
    private final Scope scope;
    private final Delivery<ServerEvent> delivery;
    private final Clock clock;
    private final LinkSettings settings;
    private final ReadMode mode;
    private final AtomicLong ids = new AtomicLong();
    private final LinkOwner owner;
    /** The PROXY protocol's door, or {@code null} when it is off. */
    private final ProxyGate gate;

    /**
     * @param ended told when a connection's end is decided and its failure recorded, after it left the
     *                registry (the accept loop may be waiting for a descriptor to come free)
     */
    Admission(ServerOptions options, Supplier<ServerState> state, Registry registry, Scope scope,
            Delivery<ServerEvent> delivery, Clock clock, Runnable ended) {
        this.owner = new LinkOwner() {
            @Override
            public void ending(Link link) {
                // At once, before the failure is recorded: its onFailure, and a poller that takes its Failed
                // event, find it gone from clients() and its slot free, as isOpen() says.
                registry.remove(link);
            }

            @Override
            public void ended(Link link) {
                ended.run();
            }

            @Override
            public void finished(Link link) {
                registry.finished(link);
            }
        };
        this.options = options;
        this.state = state;
        this.registry = registry;
        this.scope = scope;
        this.delivery = delivery;
        this.clock = clock;
        this.settings = LinkSettings.of(options, delivery.events().budget());
        this.gate = options.proxyProtocol().map(proxy -> new ProxyGate(proxy, clock)).orElse(null);
        this.mode = options.handler().isPresent() ? ReadMode.HANDLER
                : delivery.callsOnReceive() ? ReadMode.CALLBACK : ReadMode.QUEUE;
    }

    /**
     * Serves a new connection, or closes it at once. On the accept thread; never blocks. A plain
     * connection is registered here, so ids and {@code clients()} follow the order of accepting; a TLS
     * or PROXY protocol connection is registered once its handshake or header, on its own thread, is done.
     */
    void admit(Transport transport, java.util.function.BooleanSupplier listening) {
        // Not "unless ACCEPTING": a start or restart runs its loop before its move is done (the state is
        // still CREATED or KILLED then). A connection the loop took as its listener closed is refused.
        // The listener is looked at after the state: a paused server that exitAccept() or close(grace)
        // made KILLED meanwhile has closed it, so a state read too late is not taken for a restart's.
        ServerState now = state.get();
        if (!listening.getAsBoolean() || now == ServerState.PAUSED || now == ServerState.CLOSED
                || !registry.reserve(options.maxConnections())) {
            LOG.debug("Refused {}: the server is {} or full", transport.remoteAddress(), state.get());
            settings.tally().refused();
            Transports.closeQuietly(transport);
            return;
        }
        settings.tally().admitted();
        Link link = null;
        try {
            if (options.tls().isPresent() || gate != null) {
                scope.fork("conn", () -> prepareThenServe(transport));
                return;
            }
            configure(transport);
            Link registered = register(transport);
            link = registered;
            if (registered != null) {
                LOG.debug("Accepted {}", registered);
                scope.forkLeaving("conn", new Session(registered, delivery, true, options.handler().orElse(null), scope));
            }
        } catch (RejectedExecutionException e) {
            undo(transport, link); // the server is closing
        } catch (RuntimeException | Error e) {
            undo(transport, link);
            throw e; // the accept loop records it and backs off
        }
    }

    /** Gives back what a failed admission took: the link, or else the slot, and the connection. */
    private void undo(Transport transport, Link link) {
        if (link != null) {
            link.end(DisconnectReason.CLOSED_BY_US);
        } else {
            registry.release();
            Transports.closeQuietly(transport);
        }
    }

    /**
     * The body of the thread of a connection that needs work before it is announced: its PROXY protocol
     * header, then its TLS handshake, then the same as a plain connection. A failure frees the slot.
     */
    private void prepareThenServe(Transport accepted) {
        configure(accepted);
        // The slot goes back once, before the socket closes, whoever closes it (the TLS engine, after its
        // alert, too): a peer that sees the close and comes back finds the slot free. Settled once: given
        // back, or handed to the link.
        java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable release = () -> {
            if (settled.compareAndSet(false, true)) {
                registry.release();
            }
        };
        accepted.beforeClose(release);
        registry.preparing(accepted);
        Transport transport = null;
        boolean done = false;
        try {
            transport = gate == null ? accepted : passProxy(accepted, release);
            if (transport != null && options.tls().isPresent()) {
                transport = secure(transport, release);
            }
            done = true;
        } finally {
            registry.prepared(accepted);
            if (!done) { // a bug or an Error (a key manager's, say) escaped: the slot and the socket go back
                refuse(accepted, release, null);
            }
        }
        if (transport == null) {
            return; // refused, and closed
        }
        accepted.beforeClose(null); // admitted: from here the slot goes back with its link's end
        // A closer may have taken the hook just before it was cleared (the server's close, which ends the
        // connections still preparing, or a deadline), and run it or not yet: whichever settles first wins.
        if (!settled.compareAndSet(false, true)) {
            Transports.closeQuietly(transport);
            return;
        }
        Link link = register(transport);
        if (link != null) {
            serve(link);
        }
    }

    /** A refused connection: its slot goes back, then it is closed, then why is recorded, if anything is. */
    private void refuse(Transport accepted, Runnable release, Failure why) {
        release.run();
        Transports.closeQuietly(accepted);
        if (why != null && state.get() != ServerState.CLOSED) {
            delivery.recordQuietly(why);
        }
    }

    /** The transport past its PROXY protocol header, or {@code null} if refused ({@link #refuse}). */
    private Transport passProxy(Transport accepted, Runnable release) {
        try {
            return gate.pass(accepted);
        } catch (IOException e) {
            LOG.debug("PROXY protocol header from {} refused: {}", accepted.remoteAddress(), e.toString());
            InetSocketAddress peer = accepted.remoteAddress();
            Failure why = e instanceof ProtocolException bad ? new Failure.Protocol(peer, bad, clock.now())
                    : e instanceof EOFException ? null // a bare connect and close is a health check
                    : new Failure.Io(peer, Transports.shown(e), clock.now());
            refuse(accepted, release, why);
            return null;
        }
    }

    /** The secured transport, or {@code null} if the handshake failed ({@link #refuse}). */
    private Transport secure(Transport plain, Runnable release) {
        try {
            return Handshake.secure(plain, options.tls().orElseThrow(), false, null, clock);
        } catch (IOException | RuntimeException e) {
            Failure why = null;
            if (e instanceof EOFException) { // no handshake began: a bare connect and close is a health check
                LOG.debug("{} closed before its TLS handshake began", plain.remoteAddress());
            } else {
                Failure.TlsProblem problem = TlsProblems.classify(e);
                LOG.debug("TLS handshake with {} failed: {}", plain.remoteAddress(), problem, e);
                why = new Failure.Tls(plain.remoteAddress(), problem, e, clock.now());
            }
            refuse(plain, release, why);
            return null;
        }
    }

    private void configure(Transport transport) {
        try {
            transport.configure(options.tcpNoDelay(), options.keepAlive(), options.keepAliveTuning());
        } catch (IOException e) {
            LOG.debug("Setting the socket options of {} failed", transport.remoteAddress(), e);
        }
    }

    /** A link in the slot reserved for it, or {@code null} (and the transport closed) if the server closed. */
    private Link register(Transport transport) {
        Link link = new Link(ids.incrementAndGet(), transport, mode, settings, delivery, owner, clock, scope);
        if (registry.add(link)) {
            return link;
        }
        Transports.closeQuietly(transport);
        return null;
    }

    private void serve(Link link) {
        LOG.debug("Accepted {}", link);
        Session.run(link, delivery, true, options.handler().orElse(null));
    }

    /** The server's figures, which its connections add to. */
    Tally tally() {
        return settings.tally();
    }
}
