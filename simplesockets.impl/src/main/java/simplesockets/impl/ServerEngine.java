package simplesockets.impl;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.ServerState;
import simplesockets.api.ServerStats;
import simplesockets.api.TcpServer;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Network;

/**
 * The server, over any {@link Network}: a thin front that composes the parts. The {@link Lifecycle}
 * moves between states; an {@link AcceptLoop} per listening period hands new connections to the
 * {@link Admission}, which gives each a virtual thread that runs a {@link Session} over a
 * {@link Link}; the {@link Registry} keeps the live ones, {@link Delivery} takes every event, and the
 * {@link Scope} owns every thread. Its {@link Binding} starts and ends listening periods.
 */
public final class ServerEngine implements TcpServer {

    private static final Logger LOG = LoggerFactory.getLogger(ServerEngine.class);
    private static final AtomicLong SERVERS = new AtomicLong();

    private final ServerOptions options;
    private final Threads threads;
    private final Scope scope;
    private final Clock clock;
    private final Lifecycle<ServerState> lifecycle = new Lifecycle<>("server", ServerState.CREATED);
    private final Registry registry = new Registry();
    private final Delivery<ServerEvent> delivery;
    private final FailureLog failures;
    private final Tally tally;
    private final Timeouts timeouts;
    /** Its moves happen under the lifecycle's lock. */
    private final Listener listener;
    private final CloseOnce closing = new CloseOnce();
    /** Starts, restarts and exitAccept: the listening periods. */
    private final Binding binding;
    /** Frames a broadcast once for every connection (a codec's encoding keeps no state). */
    private final Codec encoder;

    /**
     * Creates a server; nothing is bound until {@link #start()}.
     *
     * @param network where to bind
     * @param options the settings
     * @param given   the clock of every timeout, or {@code null} for real time
     */
    public ServerEngine(Network network, ServerOptions options, Clock given) {
        Objects.requireNonNull(network, "network");
        this.options = Objects.requireNonNull(options, "options");
        this.threads = new Threads("server-" + SERVERS.incrementAndGet(), given);
        this.scope = threads.scope();
        this.clock = threads.clock();
        this.failures = new FailureLog(options.maxRecordedFailures(), "server");
        this.delivery = new Delivery<>(new ServerSide(options),
                new EventState<>(options.maxQueuedEvents(), options.maxQueuedBytesTotal()), failures, clock);
        this.timeouts = new Timeouts(clock, options.idleTimeout(), options.writeTimeout(), registry::links,
                scope, options.closeTimeout());
        Admission admission = new Admission(options, lifecycle::state, registry, scope, delivery, clock,
                this::connectionEnded);
        this.tally = admission.tally();
        this.encoder = Codec.of(options.framing(), options.receiveBufferSize(), new Budget(Long.MAX_VALUE));
        int backlog = options.backlog() == ServerOptions.SYSTEM_BACKLOG ? SystemBacklog.largest() : options.backlog();
        this.listener = new Listener(network, backlog, options.closeTimeout(), scope, clock, admission::admit,
                failure -> delivery.recordAside(failure, scope));
        this.binding = new Binding(options, lifecycle, listener, closing, delivery, clock);
    }

    /** A connection's end freed a descriptor: an accept loop backing off tries again now. */
    private void connectionEnded() {
        listener.nudge();
    }

    @Override
    public ServerOptions options() {
        return options;
    }

    // ---- lifecycle ----

    @Override
    public void start() throws IOException {
        if (binding.start() == ServerState.CREATED) {
            timeouts.start();
        }
    }

    @Override
    public void stop() {
        lifecycle.move("stop", EnumSet.of(ServerState.ACCEPTING, ServerState.PAUSED), ServerState.PAUSED);
    }

    @Override
    public void exitAccept() {
        binding.exitAccept();
    }

    @Override
    public void restart() throws IOException {
        binding.restart();
    }

    @Override
    public ServerState state() {
        return lifecycle.state();
    }

    @Override
    public Optional<InetSocketAddress> localAddress() {
        return Optional.ofNullable(listener.bound());
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
                .orElseThrow(() -> new SocketException(registry.shared(address)
                        ? "several open connections are from " + address + " (a Unix domain socket's peers all show"
                                + " its path); send to the Connection instead"
                        : "no open connection from " + address));
        link.send(data);
    }

    @Override
    public int broadcast(byte[] data) {
        byte[] framed;
        try { // once for all: raw framing gives the same array back, so the copy is the queues' own
            framed = encoder.encode(Objects.requireNonNull(data, "data"));
        } catch (java.net.ProtocolException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return registry.broadcast(framed == data ? data.clone() : framed);
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
        return delivery.events().awaitAnyData(WaitLimit.of(timeout), EventState.IGNORE_ENDINGS);
    }

    @Override
    public List<ServerEvent.Received> drainReceived() {
        return received(delivery.events().drainData());
    }

    @Override
    public List<ServerEvent.Received> awaitReceived(Duration timeout) throws InterruptedException {
        return received(delivery.events().takeData(WaitLimit.of(timeout), EventState.IGNORE_ENDINGS,
                Integer.MAX_VALUE));
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
        return delivery.awaitEvent(WaitLimit.of(timeout));
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

    @Override
    public ServerStats stats() {
        return tally.server(registry::size, delivery.droppedEvents(), delivery.droppedExceptions(), failures.counts());
    }

    // ---- shutdown ----

    @Override
    public int close(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        Runnable[] join = {null};
        lifecycle.moveIf(EnumSet.of(ServerState.ACCEPTING, ServerState.PAUSED, ServerState.KILLED), ServerState.KILLED,
                () -> {
                    closing.begin();
                    join[0] = listener.close(options.closeTimeout());
                });
        int cutOff = join[0] != null && grace.isZero() ? registry.busy() : 0; // no grace: every one is cut off
        if (join[0] != null && !grace.isZero()) {
            join[0].run();
            try {
                cutOff = registry.drain(grace, clock);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cutOff = registry.size();
            }
        }
        if (cutOff > 0) {
            LOG.info("Server on {}: {} connection(s) still busy after the grace of {}; closing them",
                    listener.bound(), cutOff, grace);
        }
        close();
        return cutOff;
    }

    @Override
    public void close() {
        if (!lifecycle.moveIf(EnumSet.complementOf(EnumSet.of(ServerState.CLOSED)), ServerState.CLOSED, () -> {
            closing.begin();
            listener.close(Duration.ZERO);
        })) {
            closing.await(options.closeTimeout(), scope);
            return;
        }
        try {
            timeouts.stop();
            registry.close();
            try {
                Endings.endAll(registry.links(), DisconnectReason.CLOSED_BY_US, scope, options.closeTimeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the scope's close below still ends and joins the rest
            }
            delivery.close();
            threads.close(options.closeTimeout());
            LOG.debug("Server on {} closed", listener.bound());
        } finally {
            closing.finished(scope);
        }
    }

    @Override
    public String toString() {
        InetSocketAddress bound = listener.bound();
        return "TcpServer[" + state() + (bound == null ? "" : ", " + bound) + ", " + registry.size() + " connection(s)]";
    }

    /** The scope of its threads; for tests. */
    Scope scope() {
        return scope;
    }
}
