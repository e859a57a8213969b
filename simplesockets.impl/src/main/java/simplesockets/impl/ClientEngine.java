package simplesockets.impl;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.ClientEvent;
import simplesockets.api.ClientOptions;
import simplesockets.api.ClientState;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.TcpClient;
import simplesockets.impl.transport.Network;
import simplesockets.impl.transport.Transport;

/**
 * The client engine, over any {@link Network}: the lifecycle state machine, one reader virtual thread
 * per connection, and the same event state and {@link Link} as the server.
 *
 * <p>With background receiving off, the reader reads only on demand (a {@link #receive} or an await
 * is waiting and nothing is queued); the event state's pull mode does the gating.
 */
public final class ClientEngine extends PolledEngine<ClientEvent> implements TcpClient, Link.Sink {

    private static final Logger LOG = LoggerFactory.getLogger(ClientEngine.class);
    private static final AtomicLong CLIENTS = new AtomicLong();

    private final Network network;
    private final ClientOptions options;
    private final Scope scope;
    private final AtomicLong linkIds = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock:
    private ClientState state = ClientState.CREATED;
    private Link link;
    private Thread reader;
    private boolean hasConnected;
    private boolean disconnected;
    private boolean connecting;
    private boolean watchdogStarted;
    /** The reconnect loop's thread, if one ever ran; close() interrupts it, which aborts a connect in flight. */
    private volatile Thread reconnecting;
    /** Bumped by the user's connect, disconnect and close, to stop a reconnect loop in progress. */
    private long reconnectGeneration;
    private final java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean autoReceive;
    private volatile InetSocketAddress address;

    /**
     * Creates a client; nothing connects until {@link #connect()}.
     *
     * @param network where to connect
     * @param options the settings
     */
    public ClientEngine(Network network, ClientOptions options) {
        super(new EventState<>(options.maxQueuedEvents(), options.maxQueuedBytes()),
                new FailureLog(options.maxRecordedFailures()));
        this.network = Objects.requireNonNull(network, "network");
        this.options = Objects.requireNonNull(options, "options");
        this.scope = new Scope("simplesockets-client-" + CLIENTS.incrementAndGet() + "-");
        this.address = InetSocketAddress.createUnresolved(options.host(), options.port());
        this.autoReceive = options.autoReceive();
        events.pull(!autoReceive);
    }

    @Override
    public ClientOptions options() {
        return options;
    }

    // ---- lifecycle ----

    @Override
    public boolean connect() {
        cancelReconnect();
        return doConnect(ANY_GENERATION);
    }

    /** For {@link #doConnect}: a connect by the user, which no reconnect generation can cancel. */
    private static final long ANY_GENERATION = -1;

    private boolean connectFailed(Failure failure) {
        lock.lock();
        try {
            connecting = false;
            if (state != ClientState.CLOSED) {
                state = ClientState.DISCONNECTED;
            }
        } finally {
            lock.unlock();
        }
        failed(failure);
        return false;
    }

    private void cancelReconnect() {
        lock.lock();
        try {
            reconnectGeneration++;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Connects. From the reconnect loop, {@code generation} is the loop's: if the user disconnected,
     * connected or closed meanwhile, the new connection is dropped instead of committed.
     */
    private boolean doConnect(long generation) {
        InetSocketAddress target;
        lock.lock();
        try {
            if (state == ClientState.CONNECTED || state == ClientState.CLOSED || connecting) {
                String now = connecting ? "connecting" : state.toString();
                throw new IllegalStateException("cannot connect: the client is " + now + ", and " + now
                        + " -> CONNECTED is not a legal move" + (state == ClientState.CONNECTED ? " (use reconnect)" : ""));
            }
            target = new InetSocketAddress(options.host(), options.port());
            address = target;
            connecting = true;
        } finally {
            lock.unlock();
        }
        // Connect without the lock, so that close(), state() and the rest never wait for the network.
        Transport transport;
        try {
            transport = network.connect(target, options.connectTimeout());
        } catch (IOException | RuntimeException e) {
            return connectFailed(new Failure.Connect(target, e, Instant.now()));
        }
        if (options.tls() != null) {
            Transport plain = transport;
            try {
                transport = plain.startTls(options.tls(), true, options.host());
            } catch (IOException | RuntimeException e) {
                try {
                    plain.close();
                } catch (IOException ignored) {
                    // it failed anyway
                }
                Failure.TlsProblem problem = TlsProblems.classify(e);
                LOG.debug("TLS handshake with {} failed: {}", target, problem, e);
                return connectFailed(new Failure.Tls(target, problem, e, Instant.now()));
            }
        }
        Link opened = newLink(transport);
        lock.lock();
        try {
            connecting = false;
            if (state == ClientState.CLOSED || (generation != ANY_GENERATION && generation != reconnectGeneration)) {
                opened.finish(DisconnectReason.CLOSED_BY_US);
                return false;
            }
            link = opened;
            state = ClientState.CONNECTED;
            hasConnected = true;
            disconnected = false;
            if (!options.writeTimeout().isZero() && !watchdogStarted) {
                watchdogStarted = true;
                scope.fork("write-watchdog", new WriteWatchdog(options.writeTimeout(), this::currentLinks, closing));
            }
        } catch (RejectedExecutionException e) {
            LOG.debug("Client closed while connecting");
        } finally {
            lock.unlock();
        }
        LOG.debug("Connected to {}", target);
        if (options.onConnect() != null) {
            Callbacks.run("onConnect", target, this::failed, options.onConnect()::connected);
        } else {
            events.publish(new ClientEvent.Connected(target, Instant.now()));
        }
        startReader(opened);
        return true;
    }

    private List<Link> currentLinks() {
        lock.lock();
        try {
            return link == null ? List.of() : List.of(link);
        } finally {
            lock.unlock();
        }
    }

    private Link newLink(Transport transport) {
        Link.Mode mode = options.onReceive() != null ? Link.Mode.CALLBACK : Link.Mode.QUEUE;
        Link fresh = new Link(linkIds.incrementAndGet(), transport, Codec.of(options.framing(), options.receiveBufferSize()),
                options.receiveBufferSize(), mode, this, events, options.maxQueuedBytes(), Duration.ZERO);
        try {
            transport.configure(options.tcpNoDelay(), options.keepAlive());
            if (!options.idleTimeout().isZero()) {
                transport.readTimeout(options.idleTimeout());
            }
        } catch (IOException e) {
            LOG.debug("Setting the socket options failed", e);
        }
        return fresh;
    }

    private void startReader(Link opened) {
        lock.lock();
        try {
            if (link == opened && state == ClientState.CONNECTED) {
                reader = scope.fork("reader", () -> read(opened));
                return;
            }
        } catch (RejectedExecutionException e) {
            LOG.debug("Client closed while connecting");
        } finally {
            lock.unlock();
        }
        // Disconnected or closed before the reader started: report the end here, once.
        ended(opened, opened.finish(DisconnectReason.CLOSED_BY_US));
    }

    /** The body of the reader thread. */
    private void read(Link opened) {
        DisconnectReason why = DisconnectReason.CLOSED_BY_US;
        try {
            why = opened.readLoop();
        } finally {
            // Even when an Error escapes a callback, the end is reported once.
            ended(opened, opened.finish(why));
        }
    }

    private void ended(Link ended, DisconnectReason reason) {
        boolean reconnect = false;
        long generation;
        lock.lock();
        try {
            generation = reconnectGeneration;
            if (link == ended) {
                // Lost while connected: not after the user's disconnect() or close(), which move the
                // state first.
                boolean lost = state == ClientState.CONNECTED;
                link = null;
                if (state == ClientState.CONNECTED) {
                    state = ClientState.DISCONNECTED;
                }
                disconnected = true;
                reconnect = lost && options.reconnect() != null && state == ClientState.DISCONNECTED
                        && !(reason instanceof DisconnectReason.ClosedByUs);
            }
        } finally {
            lock.unlock();
        }
        events.ended();
        LOG.debug("Disconnected from {}: {}", address, reason);
        if (options.onDisconnect() != null) {
            Callbacks.run("onDisconnect", address, this::failed, () -> options.onDisconnect().disconnected(reason));
        } else {
            events.publish(new ClientEvent.Disconnected(reason, Instant.now()));
        }
        if (reconnect) {
            try {
                reconnecting = scope.fork("reconnect", () -> reconnectLoop(generation));
            } catch (RejectedExecutionException e) {
                LOG.debug("Client closed; not reconnecting");
            }
        }
    }

    /** Reconnects by the policy until it works, the attempts run out, or the user takes over. */
    private void reconnectLoop(long generation) {
        var policy = options.reconnect();
        for (int attempt = 1; policy.maxAttempts() == 0 || attempt <= policy.maxAttempts(); attempt++) {
            Duration delay = policy.delay(attempt);
            events.publish(new ClientEvent.Reconnecting(attempt, delay, Instant.now()));
            try {
                if (closing.await(delay.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            lock.lock();
            try {
                if (generation != reconnectGeneration || state != ClientState.DISCONNECTED) {
                    return;
                }
            } finally {
                lock.unlock();
            }
            try {
                if (doConnect(generation)) {
                    LOG.debug("Reconnected to {} after {} attempt(s)", address, attempt);
                    return;
                }
            } catch (IllegalStateException e) {
                return; // the user connected or closed meanwhile
            }
        }
        LOG.debug("Gave up reconnecting to {} after {} attempt(s)", address, policy.maxAttempts());
    }

    @Override
    public boolean reconnect() {
        lock.lock();
        try {
            if (state == ClientState.CLOSED) {
                throw new IllegalStateException("cannot reconnect: the client is CLOSED, and CLOSED -> CONNECTED"
                        + " is not a legal move");
            }
        } finally {
            lock.unlock();
        }
        disconnect();
        return connect();
    }

    @Override
    public void disconnect() {
        Link closing;
        Thread thread;
        lock.lock();
        try {
            reconnectGeneration++;
            if (state != ClientState.CONNECTED) {
                return;
            }
            state = ClientState.DISCONNECTED;
            disconnected = true;
            closing = link;
            thread = reader;
        } finally {
            lock.unlock();
        }
        closing.disconnect();
        // The reader reports the disconnect; wait for it so the callback has run when this returns.
        if (thread != null) {
            try {
                Scope.join(thread, options.closeTimeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public ClientState state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean hasConnected() {
        lock.lock();
        try {
            return hasConnected;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isDisconnected() {
        lock.lock();
        try {
            return disconnected;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public Optional<InetSocketAddress> localAddress() {
        lock.lock();
        try {
            return link == null || state != ClientState.CONNECTED ? Optional.empty() : Optional.of(link.localAddress());
        } finally {
            lock.unlock();
        }
    }

    // ---- data ----

    @Override
    public void send(byte[] data) throws IOException {
        Objects.requireNonNull(data, "data");
        Link current;
        lock.lock();
        try {
            current = state == ClientState.CONNECTED ? link : null;
        } finally {
            lock.unlock();
        }
        if (current == null) {
            throw new SocketException("not connected: the client is " + state());
        }
        current.send(data);
    }

    @Override
    public void autoReceive(boolean on) {
        autoReceive = on;
        events.pull(!on);
    }

    @Override
    public boolean isAutoReceiving() {
        return autoReceive;
    }

    @Override
    public Optional<byte[]> receive(Duration timeout) throws InterruptedException {
        return events.awaitOneData(waitWhileConnected(timeout)).map(ClientEngine::data);
    }

    /** Waiting for data makes sense only while connected: otherwise only what is queued is taken. */
    private Duration waitWhileConnected(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return state() == ClientState.CONNECTED ? timeout : Duration.ZERO;
    }

    @Override
    public void received(Link from, byte[] data) {
        if (from.mode() == Link.Mode.CALLBACK) {
            Callbacks.run("onReceive", address, this::failed, () -> options.onReceive().received(data));
        } else {
            events.publishData(from.credit(), new ClientEvent.Received(data, Instant.now()), data.length);
        }
    }

    @Override
    public void failed(Failure failure) {
        if (failure instanceof Failure.Callback) {
            LOG.warn("Recorded failure: {}", failure, failure.cause());
        } else {
            LOG.debug("Recorded failure: {}", failure, failure.cause());
        }
        failures.report(failure, options.onFailure(), f -> events.publish(new ClientEvent.Failed(f)));
    }

    @Override
    public void closing(Link closing) {
        // The lifecycle moves in disconnect() and ended(); nothing to free here.
    }

    private static byte[] data(ClientEvent event) {
        return ((ClientEvent.Received) event).data();
    }


    @Override
    public boolean awaitNewData(Duration timeout) throws InterruptedException {
        return events.awaitAnyData(waitWhileConnected(timeout), true);
    }

    @Override
    public List<byte[]> drainReceived() {
        return events.drainData().stream().map(ClientEngine::data).toList();
    }

    @Override
    public List<byte[]> awaitReceived(Duration timeout) throws InterruptedException {
        return events.awaitData(waitWhileConnected(timeout), true).stream().map(ClientEngine::data).toList();
    }






    // ---- shutdown ----

    @Override
    public void close() {
        Link closing;
        lock.lock();
        try {
            if (state == ClientState.CLOSED) {
                return;
            }
            state = ClientState.CLOSED;
            closing = link;
            reconnectGeneration++;
        } finally {
            lock.unlock();
        }
        this.closing.countDown();
        Thread reconnect = reconnecting;
        if (reconnect != null) {
            reconnect.interrupt(); // a blocking connect on a virtual thread gives up when interrupted
        }
        if (closing != null) {
            closing.disconnect();
        }
        events.close();
        List<Thread> alive = scope.close(options.closeTimeout());
        if (!alive.isEmpty()) {
            throw new IllegalStateException("client closed, but " + alive.size() + " thread(s) are still alive "
                    + alive.stream().map(Thread::getName).toList());
        }
    }

    @Override
    public int close(Duration grace) {
        close();
        return 0;
    }

    @Override
    public String toString() {
        return "TcpClient[" + state() + ", " + address + "]";
    }
}
