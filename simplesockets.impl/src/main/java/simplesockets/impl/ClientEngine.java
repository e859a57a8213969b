package simplesockets.impl;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.ClientEvent;
import simplesockets.api.ClientOptions;
import simplesockets.api.ClientState;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.TcpClient;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Network;
import simplesockets.impl.transport.Transport;

/**
 * The client, over any {@link Network}: a thin front over the same parts as the server. Its
 * {@link Lifecycle} guards the current {@link Link}; the link's reader thread runs a {@link Session};
 * {@link Delivery} takes every event; a {@link Reconnector} brings a lost connection back.
 *
 * <p>With background receiving off, the reader reads only on demand (a {@link #receive} or an await
 * is waiting and nothing is queued); the event state's pull mode does the gating.
 */
public final class ClientEngine implements TcpClient {

    private static final Logger LOG = LoggerFactory.getLogger(ClientEngine.class);
    private static final AtomicLong CLIENTS = new AtomicLong();

    private final Network network;
    private final ClientOptions options;
    private final Scope scope;
    private final Clock clock;
    private final SystemClock ownClock;
    private final Lifecycle<ClientState> lifecycle = new Lifecycle<>("client", ClientState.CREATED);
    private final Delivery<ClientEvent> delivery;
    private final ClientPolling polling;
    private final Timeouts timeouts;
    private final LinkSettings settings;
    private final Reconnector reconnector;
    private final AtomicLong ids = new AtomicLong();
    // Guarded by the lifecycle's lock:
    private Link link;
    private Thread reader;
    private boolean hasConnected;
    private boolean disconnected;
    private boolean connecting;
    private boolean timing;
    private volatile InetSocketAddress address;

    /**
     * Creates a client on real time; nothing connects until {@link #connect()}.
     *
     * @param network where to connect
     * @param options the settings
     */
    public ClientEngine(Network network, ClientOptions options) {
        this(network, options, null);
    }

    /**
     * Creates a client; nothing connects until {@link #connect()}.
     *
     * @param network where to connect
     * @param options the settings
     * @param clock   the clock of every timeout and back-off, or {@code null} for real time
     */
    public ClientEngine(Network network, ClientOptions options, Clock clock) {
        this.network = Objects.requireNonNull(network, "network");
        this.options = Objects.requireNonNull(options, "options");
        this.scope = new Scope("simplesockets-client-" + CLIENTS.incrementAndGet() + "-");
        this.ownClock = clock == null ? new SystemClock(scope) : null;
        this.clock = clock == null ? ownClock : clock;
        EventState<ClientEvent> events = new EventState<>(options.maxQueuedEvents(), options.maxQueuedBytes());
        this.delivery = new Delivery<>(new ClientSide(options), events, new FailureLog(options.maxRecordedFailures()),
                this.clock);
        this.polling = new ClientPolling(delivery, this::isConnected, options.autoReceive());
        this.timeouts = new Timeouts(this.clock, options.idleTimeout(), options.writeTimeout(), this::currentLinks);
        this.settings = LinkSettings.of(options);
        this.reconnector = new Reconnector(options.reconnect(), this.clock, scope, delivery, this::attempt);
        this.address = InetSocketAddress.createUnresolved(options.host(), options.port());
    }

    @Override
    public ClientOptions options() {
        return options;
    }

    // ---- connecting ----

    @Override
    public boolean connect() {
        reconnector.cancel();
        return connect(Reconnector.ANY);
    }

    /** One attempt of the reconnect loop; {@code false} if it failed, and it throws if the user took over. */
    private boolean attempt(long generation) {
        if (!lifecycle.locked(() -> reconnector.current(generation) && lifecycle.state() == ClientState.DISCONNECTED)) {
            throw new IllegalStateException("the user took over");
        }
        return connect(generation);
    }

    /** Connects; a reconnect attempt's connection is dropped if the user connected, disconnected or closed meanwhile. */
    private boolean connect(long generation) {
        InetSocketAddress target = new InetSocketAddress(options.host(), options.port()); // resolved before the lock
        lifecycle.locked(() -> {
            ClientState state = lifecycle.state();
            if (state == ClientState.CONNECTED || state == ClientState.CLOSED || connecting) {
                String now = connecting ? "connecting" : state.toString();
                throw new IllegalStateException("cannot connect the client: it is " + now + ", and " + now
                        + " -> CONNECTED is not a legal move (it needs DISCONNECTED or CREATED"
                        + (state == ClientState.CONNECTED ? "; use reconnect)" : ")"));
            }
            connecting = true;
            address = target;
            return null;
        });
        Transport transport;
        try {
            transport = network.connect(target, options.connectTimeout());
        } catch (IOException | RuntimeException e) {
            return connectFailed(new Failure.Connect(target, e, clock.now()));
        }
        try {
            transport.configure(options.tcpNoDelay(), options.keepAlive());
            if (options.tls() != null) {
                transport = Handshake.secure(transport, options.tls(), true, options.host(), clock);
            }
        } catch (IOException | RuntimeException e) {
            Transports.closeQuietly(transport);
            Failure.TlsProblem problem = TlsProblems.classify(e);
            LOG.debug("TLS handshake with {} failed: {}", target, problem, e);
            return connectFailed(new Failure.Tls(target, problem, e, clock.now()));
        }
        Link.Mode mode = delivery.callsOnReceive() ? Link.Mode.CALLBACK : Link.Mode.QUEUE;
        Link opened = new Link(ids.incrementAndGet(), transport, mode, settings, delivery, this::ending, clock, scope);
        return commit(opened, generation);
    }

    private boolean connectFailed(Failure failure) {
        lifecycle.locked(() -> {
            connecting = false;
            if (lifecycle.state() != ClientState.CLOSED) {
                lifecycle.set(ClientState.DISCONNECTED);
            }
            return null;
        });
        delivery.failed(failure);
        return false;
    }

    /** Makes the new link current and starts its reader, unless the client closed or the user took over. */
    private boolean commit(Link opened, long generation) {
        boolean current = lifecycle.locked(() -> {
            connecting = false;
            if (lifecycle.state() == ClientState.CLOSED || !reconnector.current(generation)) {
                return false;
            }
            link = opened;
            lifecycle.set(ClientState.CONNECTED);
            hasConnected = true;
            disconnected = false;
            if (!timing) {
                timing = true;
                timeouts.start();
            }
            return true;
        });
        if (!current) {
            opened.end(DisconnectReason.CLOSED_BY_US);
            return false;
        }
        LOG.debug("Connected to {}", opened.remoteAddress());
        delivery.connected(opened);
        try {
            Thread started = scope.fork("reader", () -> read(opened));
            lifecycle.locked(() -> reader = started);
        } catch (RejectedExecutionException e) {
            opened.end(DisconnectReason.CLOSED_BY_US);
            delivery.disconnected(opened, DisconnectReason.CLOSED_BY_US);
        }
        return true;
    }

    /** The body of the reader thread. */
    private void read(Link opened) {
        DisconnectReason reason = Session.run(opened, delivery, false, null);
        if (options.reconnect() != null && !(reason instanceof DisconnectReason.ClosedByUs)) {
            reconnector.start(lifecycle.locked(() -> lifecycle.state() == ClientState.DISCONNECTED
                    ? reconnector.generation() : Reconnector.NONE));
        }
    }

    /** The link's end was decided, on whichever thread decided it: the state is true at once. */
    private void ending(Link ended) {
        lifecycle.locked(() -> {
            if (link == ended) {
                link = null;
                disconnected = true;
                if (lifecycle.state() == ClientState.CONNECTED) {
                    lifecycle.set(ClientState.DISCONNECTED);
                }
            }
            return null;
        });
        delivery.events().ended();
    }

    private List<Link> currentLinks() {
        return lifecycle.locked(() -> link == null ? List.of() : List.of(link));
    }

    @Override
    public boolean reconnect() {
        lifecycle.locked(() -> {
            if (lifecycle.state() == ClientState.CLOSED) {
                throw new IllegalStateException("cannot reconnect the client: it is CLOSED, and CLOSED -> CONNECTED"
                        + " is not a legal move");
            }
            return null;
        });
        disconnect();
        return connect();
    }

    @Override
    public void disconnect() {
        reconnector.cancel();
        Thread[] thread = new Thread[1];
        Link closing = lifecycle.locked(() -> {
            if (lifecycle.state() != ClientState.CONNECTED) {
                return null;
            }
            lifecycle.set(ClientState.DISCONNECTED);
            disconnected = true;
            thread[0] = reader;
            return link;
        });
        if (closing == null) {
            return;
        }
        closing.disconnect();
        // The reader reports the disconnect; wait for it, so that the callback has run when this returns.
        if (thread[0] != null) {
            try {
                Scope.join(thread[0], options.closeTimeout().plusMillis(100));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public ClientState state() {
        return lifecycle.state();
    }

    @Override
    public boolean hasConnected() {
        return lifecycle.locked(() -> hasConnected);
    }

    @Override
    public boolean isDisconnected() {
        return lifecycle.locked(() -> disconnected);
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public Optional<InetSocketAddress> localAddress() {
        return lifecycle.locked(() -> link == null || lifecycle.state() != ClientState.CONNECTED ? Optional.empty()
                : Optional.of(link.localAddress()));
    }

    // ---- data ----

    @Override
    public void send(byte[] data) throws IOException {
        Objects.requireNonNull(data, "data");
        Link current = lifecycle.locked(() -> lifecycle.state() == ClientState.CONNECTED ? link : null);
        if (current == null) {
            throw new SocketException("not connected: the client is " + state());
        }
        current.send(data);
    }

    @Override
    public void autoReceive(boolean on) {
        polling.autoReceive(on);
    }

    @Override
    public boolean isAutoReceiving() {
        return polling.isAutoReceiving();
    }

    @Override
    public Optional<byte[]> receive(Duration timeout) throws InterruptedException {
        return polling.receive(timeout);
    }

    @Override
    public boolean hasNewData() {
        return delivery.hasNewData();
    }

    @Override
    public boolean awaitNewData(Duration timeout) throws InterruptedException {
        return polling.awaitNewData(timeout);
    }

    @Override
    public List<byte[]> drainReceived() {
        return polling.drainReceived();
    }

    @Override
    public List<byte[]> awaitReceived(Duration timeout) throws InterruptedException {
        return polling.awaitReceived(timeout);
    }

    @Override
    public Optional<ClientEvent> pollEvent() {
        return delivery.pollEvent();
    }

    @Override
    public Optional<ClientEvent> awaitEvent(Duration timeout) throws InterruptedException {
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

    // ---- shutdown ----

    @Override
    public int close(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        reconnector.cancel();
        Link current = lifecycle.locked(() -> lifecycle.state() == ClientState.CLOSED ? null : link);
        int cutOff = 0;
        if (current != null && !grace.isZero()) {
            try {
                cutOff = current.out().awaitFlushed(grace) ? 0 : 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cutOff = 1;
            }
        }
        close();
        return cutOff;
    }

    @Override
    public void close() {
        Optional<Link> closing = lifecycle.locked(() -> {
            if (lifecycle.state() == ClientState.CLOSED) {
                return null;
            }
            lifecycle.set(ClientState.CLOSED);
            return Optional.ofNullable(link);
        });
        if (closing == null) {
            return;
        }
        reconnector.stop();
        closing.ifPresent(open -> open.end(DisconnectReason.CLOSED_BY_US));
        timeouts.stop();
        delivery.close();
        if (ownClock != null) {
            ownClock.close();
        }
        List<Thread> alive = scope.close(options.closeTimeout());
        if (!alive.isEmpty()) {
            throw new IllegalStateException("client closed, but " + alive.size() + " thread(s) are still alive "
                    + alive.stream().map(Thread::getName).toList());
        }
    }

    @Override
    public String toString() {
        return "TcpClient[" + state() + ", " + address + "]";
    }
}
