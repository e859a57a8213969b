package simplesockets.impl;

import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.Failure;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.ServerState;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Transport;

/**
 * What happens to a connection the accept loop took: it gets a slot in the {@link Registry} and a
 * virtual thread of its own, or, while the server is paused, killed or full, it is closed at once, so
 * that no client waits in the kernel's backlog. On its thread: the socket options, the TLS handshake,
 * a {@link Link}, and the {@link Session}.
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
    private final Link.Mode mode;
    private final AtomicLong ids = new AtomicLong();

    Admission(ServerOptions options, Supplier<ServerState> state, Registry registry, Scope scope,
            Delivery<ServerEvent> delivery, Clock clock) {
        this.options = options;
        this.state = state;
        this.registry = registry;
        this.scope = scope;
        this.delivery = delivery;
        this.clock = clock;
        this.settings = LinkSettings.of(options, delivery.events().budget());
        this.mode = options.handler() != null ? Link.Mode.HANDLER
                : delivery.callsOnReceive() ? Link.Mode.CALLBACK : Link.Mode.QUEUE;
    }

    /** Serves a new connection, or closes it at once. On the accept thread; never blocks. */
    void admit(Transport transport) {
        if (state.get() == ServerState.ACCEPTING && registry.reserve(options.maxConnections())) {
            try {
                scope.fork("conn", () -> serve(transport));
                return;
            } catch (RejectedExecutionException e) {
                registry.release();
            }
        }
        LOG.debug("Refused {}: the server is {} or full", transport.remoteAddress(), state.get());
        Transports.closeQuietly(transport);
    }

    /** The body of a connection's virtual thread. */
    private void serve(Transport plain) {
        Transport transport = plain;
        try {
            plain.configure(options.tcpNoDelay(), options.keepAlive());
            if (options.tls() != null) {
                transport = Handshake.secure(plain, options.tls(), false, null, clock);
            }
        } catch (IOException | RuntimeException e) {
            registry.release();
            Transports.closeQuietly(plain);
            if (options.tls() != null && state.get() != ServerState.CLOSED) {
                Failure.TlsProblem problem = TlsProblems.classify(e);
                LOG.debug("TLS handshake with {} failed: {}", plain.remoteAddress(), problem, e);
                delivery.recordQuietly(new Failure.Tls(plain.remoteAddress(), problem, e, clock.now()));
            }
            return;
        }
        Link link = new Link(ids.incrementAndGet(), transport, mode, settings, delivery, registry::remove, clock, scope);
        if (!registry.add(link)) {
            Transports.closeQuietly(transport);
            return;
        }
        LOG.debug("Accepted {}", link);
        Session.run(link, delivery, true, options.handler());
    }
}
