package simplesockets.impl;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.ServerState;
import simplesockets.api.TcpServer;
import simplesockets.impl.transport.Acceptor;
import simplesockets.impl.transport.Network;
import simplesockets.impl.transport.Transport;

/**
 * The server engine, over any {@link Network}: the lifecycle state machine, one accept loop, a
 * virtual thread per connection, the event state, and structured shutdown.
 *
 * <p>While the server is paused or full, a new connection is accepted and closed at once, so that no
 * client waits in the kernel's backlog; {@link #exitAccept()} closes the listening socket.
 */
public final class ServerEngine extends PolledEngine<ServerEvent> implements TcpServer, Link.Sink {

    private static final Logger LOG = LoggerFactory.getLogger(ServerEngine.class);
    private static final AtomicLong SERVERS = new AtomicLong();
    private static final Duration MAX_ACCEPT_BACKOFF = Duration.ofSeconds(1);

    private final Network network;
    private final ServerOptions options;
    private final Scope scope;
    private final ConcurrentHashMap<InetSocketAddress, Link> links = new ConcurrentHashMap<>();
    /** Connections still in their TLS handshake: they count against the limit and close with the server. */
    private final java.util.Set<Transport> handshaking = ConcurrentHashMap.newKeySet();
    private final AtomicLong linkIds = new AtomicLong();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock:
    private ServerState state = ServerState.CREATED;
    private Acceptor acceptor;
    private Thread acceptThread;
    private volatile InetSocketAddress bound;

    /**
     * Creates a server; nothing is bound until {@link #start()}.
     *
     * @param network where to bind
     * @param options the settings
     */
    public ServerEngine(Network network, ServerOptions options) {
        super(new EventState<>(options.maxQueuedEvents(), options.maxQueuedBytesTotal()),
                new FailureLog(options.maxRecordedFailures()));
        this.network = Objects.requireNonNull(network, "network");
        this.options = Objects.requireNonNull(options, "options");
        this.scope = new Scope("simplesockets-server-" + SERVERS.incrementAndGet() + "-");
    }

    @Override
    public ServerOptions options() {
        return options;
    }

    // ---- lifecycle ----

    @Override
    public void start() throws IOException {
        lock.lock();
        try {
            switch (state) {
                case CREATED -> {
                    listen(new InetSocketAddress(options.host(), options.port()));
                    if (!options.writeTimeout().isZero()) {
                        scope.fork("write-watchdog", new WriteWatchdog(options.writeTimeout(), links::values, closing));
                    }
                    state = ServerState.ACCEPTING;
                }
                case PAUSED -> state = ServerState.ACCEPTING;
                case ACCEPTING -> {
                }
                case KILLED, CLOSED -> throw illegal("start", ServerState.ACCEPTING);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void stop() {
        lock.lock();
        try {
            switch (state) {
                case ACCEPTING -> state = ServerState.PAUSED;
                case PAUSED -> {
                }
                case CREATED, KILLED, CLOSED -> throw illegal("stop", ServerState.PAUSED);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void exitAccept() {
        Acceptor closingAcceptor;
        Thread thread;
        lock.lock();
        try {
            switch (state) {
                case ACCEPTING, PAUSED -> state = ServerState.KILLED;
                case KILLED -> {
                    return;
                }
                case CREATED, CLOSED -> throw illegal("exitAccept", ServerState.KILLED);
            }
            closingAcceptor = acceptor;
            thread = acceptThread;
            acceptor = null;
            acceptThread = null;
        } finally {
            lock.unlock();
        }
        closeQuietly(closingAcceptor);
        try {
            Scope.join(thread, options.closeTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void restart() throws IOException {
        lock.lock();
        try {
            if (state != ServerState.KILLED) {
                throw illegal("restart", ServerState.ACCEPTING);
            }
            listen(bound);
            state = ServerState.ACCEPTING;
        } finally {
            lock.unlock();
        }
    }

    /** Binds and starts the accept loop. Called with the lock held. */
    private void listen(InetSocketAddress address) throws IOException {
        Acceptor opened = network.bind(address, options.backlog());
        try {
            acceptThread = scope.forkPlatform("accept", () -> acceptLoop(opened));
        } catch (RejectedExecutionException e) {
            closeQuietly(opened);
            throw e;
        }
        acceptor = opened;
        bound = opened.localAddress();
        LOG.debug("Server listening on {}", bound);
    }

    private IllegalStateException illegal(String action, ServerState target) {
        return new IllegalStateException("cannot " + action + " the server: it is " + state + ", and " + state
                + " -> " + target + " is not a legal move");
    }

    @Override
    public ServerState state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        lock.lock();
        try {
            if (bound == null) {
                throw new IllegalStateException("the server has not started: it is " + state);
            }
            return bound;
        } finally {
            lock.unlock();
        }
    }

    // ---- accepting ----

    private void acceptLoop(Acceptor from) {
        Duration backoff = Duration.ZERO;
        while (from.isOpen()) {
            Transport transport;
            try {
                transport = from.accept();
                backoff = Duration.ZERO;
            } catch (IOException e) {
                if (!from.isOpen()) {
                    return;
                }
                // Every failure is recorded (the list is bounded); only the first of a burst is logged loudly.
                if (backoff.isZero()) {
                    LOG.warn("Accepting failed; backing off until it works again: {}", e.toString());
                }
                recordQuietly(new Failure.Accept(e, Instant.now()));
                backoff = backoff.isZero() ? Duration.ofMillis(10) : min(backoff.multipliedBy(2), MAX_ACCEPT_BACKOFF);
                if (awaitClosing(backoff)) {
                    return;
                }
                continue;
            }
            admit(transport);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private boolean awaitClosing(Duration timeout) {
        try {
            return closing.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            return true;
        }
    }

    /** Serves a new connection, or closes it at once when paused, killed or full. */
    private void admit(Transport transport) {
        lock.lock();
        try {
            int max = options.maxConnections();
            boolean full = max != ServerOptions.UNLIMITED && links.size() + handshaking.size() >= max;
            if (state == ServerState.ACCEPTING && !full && options.tls() != null) {
                // The handshake runs on the connection's own thread, never on the accept loop.
                handshaking.add(transport);
                try {
                    scope.fork("conn", () -> handshakeThenServe(transport));
                    return;
                } catch (RejectedExecutionException e) {
                    handshaking.remove(transport);
                }
            } else if (state == ServerState.ACCEPTING && !full) {
                Link link = newLink(transport);
                links.put(link.remoteAddress(), link);
                try {
                    scope.fork("conn", () -> serve(link));
                    return;
                } catch (RejectedExecutionException e) {
                    links.remove(link.remoteAddress(), link);
                }
            }
            LOG.debug("Refused {}: the server is {}{}", transport.remoteAddress(), state, full ? " and full" : "");
        } finally {
            lock.unlock();
        }
        closeQuietly(transport);
    }

    /** The body of a TLS connection's thread: the handshake, then the same as a plain connection. */
    private void handshakeThenServe(Transport plain) {
        Transport secured;
        try {
            secured = plain.startTls(options.tls(), false, null);
        } catch (IOException | RuntimeException e) {
            handshaking.remove(plain);
            closeQuietly(plain);
            if (state() != ServerState.CLOSED) {
                Failure.TlsProblem problem = TlsProblems.classify(e);
                LOG.debug("TLS handshake with {} failed: {}", plain.remoteAddress(), problem, e);
                recordQuietly(new Failure.Tls(plain.remoteAddress(), problem, e, Instant.now()));
            }
            return;
        }
        Link link;
        lock.lock();
        try {
            handshaking.remove(plain);
            if (state == ServerState.CLOSED) {
                closeQuietly(secured);
                return;
            }
            link = newLink(secured);
            links.put(link.remoteAddress(), link);
        } finally {
            lock.unlock();
        }
        serve(link);
    }

    private Link newLink(Transport transport) {
        Link.Mode mode = options.handler() != null ? Link.Mode.HANDLER
                : options.onReceive() != null ? Link.Mode.CALLBACK : Link.Mode.QUEUE;
        Link link = new Link(linkIds.incrementAndGet(), transport, Codec.of(options.framing(), options.receiveBufferSize()),
                options.receiveBufferSize(), mode, this, events, options.maxQueuedBytesPerConnection(),
                options.halfCloseGrace());
        try {
            transport.configure(options.tcpNoDelay(), options.keepAlive());
            if (!options.idleTimeout().isZero()) {
                transport.readTimeout(options.idleTimeout());
            }
        } catch (IOException e) {
            LOG.debug("Setting the socket options of {} failed", link, e);
        }
        return link;
    }

    /** The body of a connection's virtual thread. */
    private void serve(Link link) {
        InetSocketAddress peer = link.remoteAddress();
        LOG.debug("Accepted {}", link);
        DisconnectReason why = DisconnectReason.CLOSED_BY_US;
        try {
            if (options.onConnect() != null) {
                Callbacks.run("onConnect", peer, this::failed, () -> options.onConnect().connected(link));
            } else {
                events.publish(new ServerEvent.Connected(link, Instant.now()));
            }
            why = link.mode() == Link.Mode.HANDLER ? runHandler(link) : link.readLoop();
        } finally {
            // Even when an Error escapes a callback, the connection is closed, its slot freed, and
            // its disconnect reported once.
            DisconnectReason reason = link.finish(why);
            LOG.debug("Disconnected {}: {}", link, reason);
            if (options.onDisconnect() != null) {
                Callbacks.run("onDisconnect", peer, this::failed, () -> options.onDisconnect().disconnected(link, reason));
            } else {
                events.publish(new ServerEvent.Disconnected(link, reason, Instant.now()));
            }
        }
    }

    private DisconnectReason runHandler(Link link) {
        try {
            options.handler().handle(link);
            return link.sawEndOfStream() ? DisconnectReason.PEER_CLOSED : DisconnectReason.CLOSED_BY_US;
        } catch (IOException e) {
            return link.classify(e);
        } catch (Exception | AssertionError e) {
            if (e instanceof InterruptedException) {
                return DisconnectReason.CLOSED_BY_US;
            }
            failed(new Failure.Callback("handler", link.remoteAddress(), e, Instant.now()));
            return new DisconnectReason.Failed(e);
        }
    }

    // ---- Link.Sink ----

    @Override
    public void received(Link link, byte[] data) {
        if (link.mode() == Link.Mode.CALLBACK) {
            Callbacks.run("onReceive", link.remoteAddress(), this::failed, () -> options.onReceive().received(link, data));
        } else {
            events.publishData(link.credit(), new ServerEvent.Received(link, data, Instant.now()), data.length);
        }
    }

    @Override
    public void failed(Failure failure) {
        if (failure instanceof Failure.Callback) {
            LOG.warn("Recorded failure: {}", failure, failure.cause());
        } else {
            LOG.debug("Recorded failure: {}", failure, failure.cause());
        }
        recordQuietly(failure);
    }

    /** Records a failure, and hands it to onFailure or the event queue, without logging it. */
    private void recordQuietly(Failure failure) {
        failures.report(failure, options.onFailure(), f -> events.publish(new ServerEvent.Failed(f)));
    }

    @Override
    public void closing(Link link) {
        // The slot frees the moment the disconnect is decided, whoever decided it.
        links.remove(link.remoteAddress(), link);
    }

    // ---- connections ----

    @Override
    public List<Connection> clients() {
        List<Connection> snapshot = new ArrayList<>(links.values());
        snapshot.sort(Comparator.comparingLong(Connection::id));
        return List.copyOf(snapshot);
    }

    @Override
    public Optional<Connection> client(InetSocketAddress address) {
        return Optional.ofNullable(links.get(address));
    }

    @Override
    public void send(Connection connection, byte[] data) throws IOException {
        Objects.requireNonNull(connection, "connection").send(data);
    }

    @Override
    public void send(InetSocketAddress address, byte[] data) throws IOException {
        Link link = links.get(Objects.requireNonNull(address, "address"));
        if (link == null) {
            throw new SocketException("no open connection from " + address);
        }
        link.send(data);
    }

    @Override
    public int broadcast(byte[] data) {
        Objects.requireNonNull(data, "data");
        int sent = 0;
        for (Connection connection : clients()) {
            try {
                connection.send(data);
                sent++;
            } catch (IOException e) {
                failed(new Failure.Io(connection.remoteAddress(), e, Instant.now()));
            }
        }
        return sent;
    }

    @Override
    public boolean disconnect(Connection connection) {
        Objects.requireNonNull(connection, "connection");
        if (!(connection instanceof Link link) || links.get(link.remoteAddress()) != link) {
            return false;
        }
        return link.closeByUser();
    }

    @Override
    public boolean disconnect(InetSocketAddress address) {
        Link link = links.get(Objects.requireNonNull(address, "address"));
        return link != null && disconnect(link);
    }

    // ---- polling ----


    @Override
    public boolean awaitNewData(Duration timeout) throws InterruptedException {
        return events.awaitAnyData(Objects.requireNonNull(timeout, "timeout"), false);
    }

    @Override
    public List<ServerEvent.Received> drainReceived() {
        return received(events.drainData());
    }

    @Override
    public List<ServerEvent.Received> awaitReceived(Duration timeout) throws InterruptedException {
        return received(events.awaitData(Objects.requireNonNull(timeout, "timeout"), false));
    }

    private static List<ServerEvent.Received> received(List<ServerEvent> data) {
        return data.stream().map(ServerEvent.Received.class::cast).toList();
    }






    @Override
    public long droppedEvents() {
        return events.droppedEvents();
    }

    // ---- shutdown ----

    @Override
    public void close() {
        Acceptor closingAcceptor;
        lock.lock();
        try {
            if (state == ServerState.CLOSED) {
                return;
            }
            state = ServerState.CLOSED;
            closingAcceptor = acceptor;
            acceptor = null;
            acceptThread = null;
        } finally {
            lock.unlock();
        }
        closing.countDown();
        List<Throwable> problems = new ArrayList<>();
        if (closingAcceptor != null) {
            try {
                closingAcceptor.close();
            } catch (IOException e) {
                problems.add(e);
            }
        }
        for (Link link : links.values()) {
            link.close(DisconnectReason.CLOSED_BY_US);
        }
        for (Transport pending : handshaking) {
            closeQuietly(pending);
        }
        events.close();
        List<Thread> alive = scope.close(options.closeTimeout());
        if (!alive.isEmpty() || !problems.isEmpty()) {
            IllegalStateException e = new IllegalStateException("server closed, but not cleanly: "
                    + alive.size() + " thread(s) still alive " + alive.stream().map(Thread::getName).toList());
            problems.forEach(e::addSuppressed);
            throw e;
        }
        LOG.debug("Server on {} closed", bound);
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException e) {
            LOG.debug("Closing {} failed", closeable, e);
        }
    }

    @Override
    public int close(Duration grace) {
        close();
        return 0;
    }

    @Override
    public String toString() {
        return "TcpServer[" + state() + (bound == null ? "" : ", " + bound) + ", " + links.size() + " connection(s)]";
    }
}
