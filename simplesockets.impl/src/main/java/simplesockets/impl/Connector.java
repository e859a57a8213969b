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
    /** Connections still in their PROXY header or TLS handshake: the client's close closes them. */
    private final java.util.Set<Transport> preparing = java.util.concurrent.ConcurrentHashMap.newKeySet();
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
     * @param failed told what went wrong, if anything did
     * @return the new link, or empty if connecting or the handshake failed
     */
    Optional<Link> open(Endpoint endpoint, Consumer<Failure> failed) {
        InetSocketAddress target = endpoint.shown();
        Transport transport;
        try {
            transport = network.connect(endpoint.address(), options.connectTimeout());
        } catch (IOException | RuntimeException e) {
            failed.accept(new Failure.Connect(target, shown(e), clock.now()));
            return Optional.empty();
        }
        preparing.add(transport);
        try {
            return prepare(transport, target, failed);
        } finally {
            preparing.remove(transport);
        }
    }

    /** The header and handshake of a connected transport; a close meanwhile fails them at once. */
    private Optional<Link> prepare(Transport transport, InetSocketAddress target, Consumer<Failure> failed) {
        if (closed) { // looked at after the transport was noted: close() either sees it or is seen here
            Transports.closeQuietly(transport);
            failed.accept(new Failure.Connect(target, new java.net.SocketException("the client was closed while connecting"),
                    clock.now()));
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
        preparing.forEach(Transports::closeQuietly);
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
