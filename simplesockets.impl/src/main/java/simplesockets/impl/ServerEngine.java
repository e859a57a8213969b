package simplesockets.impl;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.ServerState;
import simplesockets.api.TcpServer;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Network;
import simplesockets.impl.transport.Transport;

/**
 * The server, over any {@link Network}: a thin front that composes the parts. The {@link Lifecycle}
 * moves between states, an {@link AcceptLoop} per listening period hands new connections to
 * {@link #admit}, each admitted connection gets a virtual thread that runs a {@link Session} over a
 * {@link Link}, the {@link Registry} keeps the live ones, {@link Delivery} takes every event, and the
 * {@link Scope} owns every thread.
 *
 * <p>While the server is paused or full, a new connection is accepted and closed at once, so that no
 * client waits in the kernel's backlog; {@link #exitAccept()} closes the listening socket.
 */
public final class ServerEngine implements TcpServer {

    private static final Logger LOG = LoggerFactory.getLogger(ServerEngine.class);
    private static final AtomicLong SERVERS = new AtomicLong();

    private final Network network;
    private final ServerOptions options;
    private final Scope scope;
    private final Clock clock;
    private final SystemClock ownClock;
    private final Lifecycle<ServerState> lifecycle = new Lifecycle<>("server", ServerState.CREATED);
    private final Registry registry = new Registry();
    private final Delivery<ServerEvent> delivery;
    private final Timeouts timeouts;
    private final LinkSettings settings;
    private final AtomicLong ids = new AtomicLong();
    /** The accept loop of the current listening period; guarded by the lifecycle's lock. */
    private AcceptLoop accepting;
    private volatile InetSocketAddress bound;

    /**
     * Creates a server on real time; nothing is bound until {@link #start()}.
     *
     * @param network where to bind
     * @param options the settings
     */
    public ServerEngine(Network network, ServerOptions options) {
        this(network, options, null);
    }

    /**
     * Creates a server; nothing is bound until {@link #start()}.
     *
     * @param network where to bind
     * @param options the settings
     * @param clock   the clock of every timeout, or {@code null} for real time
     */
    public ServerEngine(Network network, ServerOptions options, Clock clock) {
        this.network = Objects.requireNonNull(network, "network");
        this.options = Objects.requireNonNull(options, "options");
        this.scope = new Scope("simplesockets-server-" + SERVERS.incrementAndGet() + "-");
        this.ownClock = clock == null ? new SystemClock(scope) : null;
        this.clock = clock == null ? ownClock : clock;
        this.delivery = new Delivery<>(new ServerSide(options),
                new EventState<>(options.maxQueuedEvents(), options.maxQueuedBytesTotal()),
                new FailureLog(options.maxRecordedFailures()), this.clock);
        this.timeouts = new Timeouts(this.clock, options.idleTimeout(), options.writeTimeout(), registry::links);
        this.settings = LinkSettings.of(options);
    }

    @Override
    public ServerOptions options() {
        return options;
    }

    // ---- lifecycle ----

    @Override
    public void start() throws IOException {
        InetSocketAddress address = new InetSocketAddress(options.host(), options.port()); // resolved before the lock
        ServerState before = lifecycle.move("start", EnumSet.of(ServerState.CREATED, ServerState.PAUSED,
                ServerState.ACCEPTING), ServerState.ACCEPTING, from -> {
                    if (from == ServerState.CREATED) {
                        listen(address);
                    }
                });
        if (before == ServerState.CREATED) {
            timeouts.start();
        }
    }

    @Override
    public void stop() {
        lifecycle.move("stop", EnumSet.of(ServerState.ACCEPTING, ServerState.PAUSED), ServerState.PAUSED);
    }

    @Override
    public void exitAccept() {
        AcceptLoop[] ended = new AcceptLoop[1];
        lifecycle.move("exitAccept", EnumSet.of(ServerState.ACCEPTING, ServerState.PAUSED, ServerState.KILLED),
                ServerState.KILLED, from -> ended[0] = stopAccepting());
        if (ended[0] != null) {
            ended[0].join(options.closeTimeout());
        }
    }

    @Override
    public void restart() throws IOException {
        lifecycle.move("restart", EnumSet.of(ServerState.KILLED), ServerState.ACCEPTING, from -> listen(bound));
    }

    /** Binds and starts an accept loop; under the lifecycle's lock. */
    private void listen(InetSocketAddress address) throws IOException {
        var acceptor = network.bind(address, options.backlog());
        try {
            accepting = new AcceptLoop(acceptor, scope, clock, this::admit, delivery::recordQuietly);
        } catch (RuntimeException e) {
            acceptor.close();
            throw e;
        }
        bound = acceptor.localAddress();
        LOG.debug("Server listening on {}", bound);
    }

    /** Closes the listener (it never blocks), under the lifecycle's lock; returns the loop to join. */
    private AcceptLoop stopAccepting() {
        AcceptLoop loop = accepting;
        accepting = null;
        if (loop != null) {
            loop.close();
        }
        return loop;
    }

    @Override
    public ServerState state() {
        return lifecycle.state();
    }

    @Override
    public InetSocketAddress localAddress() {
        InetSocketAddress address = bound;
        if (address == null) {
            throw new IllegalStateException("the server has not started: it is " + state());
        }
        return address;
    }

    // ---- admitting and serving ----

    /** Serves a new connection, or closes it at once when paused, killed or full. On the accept thread. */
    private void admit(Transport transport) {
        if (lifecycle.is(ServerState.ACCEPTING) && registry.reserve(options.maxConnections())) {
            try {
                scope.fork("conn", () -> serve(transport));
                return;
            } catch (RejectedExecutionException e) {
                registry.release();
            }
        }
        LOG.debug("Refused {}: the server is {} or full", transport.remoteAddress(), state());
        Transports.closeQuietly(transport);
    }

    /** The body of a connection's virtual thread: options, the TLS handshake, then the session. */
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
            if (options.tls() != null && !lifecycle.is(ServerState.CLOSED)) {
                Failure.TlsProblem problem = TlsProblems.classify(e);
                LOG.debug("TLS handshake with {} failed: {}", plain.remoteAddress(), problem, e);
                delivery.recordQuietly(new Failure.Tls(plain.remoteAddress(), problem, e, clock.now()));
            }
            return;
        }
        Link.Mode mode = options.handler() != null ? Link.Mode.HANDLER
                : delivery.callsOnReceive() ? Link.Mode.CALLBACK : Link.Mode.QUEUE;
        Link link = new Link(ids.incrementAndGet(), transport, mode, settings, delivery, registry::remove, clock, scope);
        if (!registry.add(link)) {
            Transports.closeQuietly(transport);
            return;
        }
        LOG.debug("Accepted {}", link);
        Session.run(link, delivery, true, options.handler());
    }

    // ---- connections ----

    @Override
    public List<Connection> clients() {
        return registry.snapshot();
    }

    @Override
    public Optional<Connection> client(InetSocketAddress address) {
        return registry.byAddress(Objects.requireNonNull(address, "address")).map(Connection.class::cast);
    }

    @Override
    public void send(Connection connection, byte[] data) throws IOException {
        Objects.requireNonNull(connection, "connection").send(data);
    }

    @Override
    public void send(InetSocketAddress address, byte[] data) throws IOException {
        Link link = registry.byAddress(Objects.requireNonNull(address, "address"))
                .orElseThrow(() -> new SocketException("no open connection from " + address));
        link.send(data);
    }

    @Override
    public int broadcast(byte[] data) {
        Objects.requireNonNull(data, "data");
        int sent = 0;
        for (Link link : registry.links()) {
            try {
                link.send(data);
                sent++;
            } catch (IOException e) {
                LOG.debug("Broadcast to {} failed: {}", link, e.toString());
            }
        }
        return sent;
    }

    @Override
    public boolean disconnect(Connection connection) {
        return Objects.requireNonNull(connection, "connection") instanceof Link link && registry.contains(link)
                && link.closeByUser();
    }

    @Override
    public boolean disconnect(InetSocketAddress address) {
        return registry.byAddress(Objects.requireNonNull(address, "address")).map(this::disconnect).orElse(false);
    }

    // ---- polling ----

    @Override
    public boolean hasNewData() {
        return delivery.hasNewData();
    }

    @Override
    public boolean awaitNewData(Duration timeout) throws InterruptedException {
        return delivery.events().awaitAnyData(Objects.requireNonNull(timeout, "timeout"), false);
    }

    @Override
    public List<ServerEvent.Received> drainReceived() {
        return received(delivery.events().drainData());
    }

    @Override
    public List<ServerEvent.Received> awaitReceived(Duration timeout) throws InterruptedException {
        return received(delivery.events().awaitData(Objects.requireNonNull(timeout, "timeout"), false));
    }

    private static List<ServerEvent.Received> received(List<ServerEvent> data) {
        return data.stream().map(ServerEvent.Received.class::cast).toList();
    }

    @Override
    public Optional<ServerEvent> pollEvent() {
        return delivery.pollEvent();
    }

    @Override
    public Optional<ServerEvent> awaitEvent(Duration timeout) throws InterruptedException {
        return delivery.awaitEvent(timeout);
    }

    @Override
    public boolean hasExceptions() {
        return delivery.hasExceptions();
    }

    @Override
    public List<Failure> exceptions(boolean delete, boolean reset) {
        return delivery.exceptions(delete, reset);
    }

    @Override
    public long droppedExceptions() {
        return delivery.droppedExceptions();
    }

    @Override
    public long droppedEvents() {
        return delivery.droppedEvents();
    }

    // ---- shutdown ----

    @Override
    public int close(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        AcceptLoop[] ended = new AcceptLoop[1];
        boolean draining = lifecycle.moveIf(EnumSet.of(ServerState.ACCEPTING, ServerState.PAUSED, ServerState.KILLED),
                ServerState.KILLED, () -> ended[0] = stopAccepting());
        int cutOff = 0;
        if (draining && !grace.isZero()) {
            if (ended[0] != null) {
                ended[0].join(options.closeTimeout());
            }
            registry.links().forEach(Link::drain);
            try {
                cutOff = registry.awaitEmpty(grace, clock);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cutOff = registry.size();
            }
            if (cutOff > 0) {
                LOG.info("Server on {}: {} connection(s) still busy after the grace of {}; closing them", bound, cutOff,
                        grace);
            }
        }
        close();
        return cutOff;
    }

    @Override
    public void close() {
        AcceptLoop[] ended = new AcceptLoop[1];
        if (!lifecycle.moveIf(EnumSet.complementOf(EnumSet.of(ServerState.CLOSED)), ServerState.CLOSED,
                () -> ended[0] = stopAccepting())) {
            return;
        }
        timeouts.stop();
        registry.close();
        registry.links().forEach(link -> link.end(DisconnectReason.CLOSED_BY_US));
        delivery.close();
        if (ownClock != null) {
            ownClock.close();
        }
        List<Thread> alive = scope.close(options.closeTimeout());
        if (!alive.isEmpty()) {
            throw new IllegalStateException("server closed, but not cleanly: " + alive.size()
                    + " thread(s) still alive " + alive.stream().map(Thread::getName).toList());
        }
        LOG.debug("Server on {} closed", bound);
    }

    @Override
    public String toString() {
        return "TcpServer[" + state() + (bound == null ? "" : ", " + bound) + ", " + registry.size() + " connection(s)]";
    }
}
