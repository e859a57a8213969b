package simplesockets.impl;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import simplesockets.api.ClientEvent;
import simplesockets.api.ClientOptions;
import simplesockets.api.ClientState;
import simplesockets.api.ClientStats;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.TcpClient;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Network;

/**
 * The client, over any {@link Network}: a thin front over the same parts as the server. Its
 * {@link ClientLife} holds the state and the current {@link Link}; the {@link Connector} opens links,
 * which {@link Connecting} commits, announces and gives a reader thread running a {@link Session}; {@link Delivery} takes every event;
 * {@link ClientPolling} answers receives; a {@link Reconnector} brings a lost connection back; the
 * {@link Scope} owns every thread.
 */
public final class ClientEngine implements TcpClient {

    private static final AtomicLong CLIENTS = new AtomicLong();

    private final ClientOptions options;
    private final Threads threads;
    private final Scope scope;
    private final Clock clock;
    private final ClientLife life = new ClientLife();
    private final Delivery<ClientEvent> delivery;
    private final FailureLog failures;
    private final ClientPolling polling;
    private final Timeouts timeouts;
    private final Connector connector;
    private final Reconnector reconnector;
    private final Connecting connecting;
    private final CloseOnce closing = new CloseOnce();

    /**
     * Creates a client; nothing connects until {@link #connect()}.
     *
     * @param network where to connect
     * @param options the settings
     * @param given   the clock of every timeout and back-off, or {@code null} for real time
     */
    public ClientEngine(Network network, ClientOptions options, Clock given) {
        Objects.requireNonNull(network, "network");
        this.options = Objects.requireNonNull(options, "options");
        this.threads = new Threads("client-" + CLIENTS.incrementAndGet(), given);
        this.scope = threads.scope();
        this.clock = threads.clock();
        EventState<ClientEvent> events = new EventState<>(options.maxQueuedEvents(), options.maxQueuedBytes());
        this.failures = new FailureLog(options.maxRecordedFailures(), "client");
        this.delivery = new Delivery<>(new ClientSide(options), events, failures, clock);
        this.polling = new ClientPolling(delivery, this::mayReceive, options.autoReceive());
        this.timeouts = new Timeouts(clock, options.idleTimeout(), options.writeTimeout(), life::links, scope,
                options.closeTimeout(), events::pollWaits);
        this.connector = new Connector(network, options, clock, scope, delivery, new ClientEnds(life, delivery.events(),
                this::lost));
        this.reconnector = new Reconnector(options.reconnect().orElse(null), clock, scope, delivery, this::attempt,
                connector::abortUnderway, events::ended);
        this.connecting = new Connecting(options, life, connector, reconnector, delivery, scope,
                options.unixSocket().map(UnixSocketFile::shown)
                        .orElseGet(() -> InetSocketAddress.createUnresolved(options.host(), options.port())));
        timeouts.start();
    }

    @Override
    public ClientOptions options() {
        return options;
    }

    // ---- connecting ----

    @Override
    public void connect() throws IOException {
        life.checkUserConnect(); // a connect refused here takes nothing over
        reconnector.takeOver(options.closeTimeout());
        IOException failed = connecting.connect(Reconnector.ANY);
        if (failed != null) {
            delivery.events().ended(); // a wait for data that the reconnect loop kept going, which this took over, ends
            throw failed;
        }
    }

    /** One attempt of the reconnect loop; it throws if the user took over. */
    private boolean attempt(long generation) {
        return connecting.attempt(generation);
    }

    /** The current connection was lost (not ended by the user): the reconnect loop is to come. */
    private void lost(Link link) {
        reconnector.lost(link);
    }

    /** Whether data may come: connected, or the reconnect loop may still connect. */
    private boolean mayReceive() {
        return isConnected() || reconnector.reconnecting();
    }

    @Override
    public void reconnect() throws IOException {
        if (life.state() == ClientState.CLOSED) {
            throw new IllegalStateException("reconnect() needs a client that is not closed, and this one is CLOSED"
                    + " (a closed client stays closed; create a new one)");
        }
        disconnect();
        connect();
    }

    @Override
    public void disconnect() {
        // Under the lock that a reconnect attempt's commit asks under: that attempt then either connected
        // before (and is disconnected here) or sees it is no longer wanted.
        life.disconnect(reconnector::cancel)
                .ifPresent(closing -> closing.disconnect(options.closeTimeout().plus(Link.WRITER_JOIN)));
        reconnector.stop(); // outside the lock: an attempt under way is cut short, a back-off ended, as by close()
        delivery.events().ended(); // a wait for data that a reconnect loop kept going ends with it
    }

    @Override
    public ClientState state() {
        return life.state();
    }

    @Override
    public boolean hasConnected() {
        return life.hasConnected();
    }

    @Override
    public boolean isDisconnected() {
        return life.isDisconnected();
    }

    @Override
    public InetSocketAddress address() {
        return connecting.address();
    }

    @Override
    public Optional<InetSocketAddress> localAddress() {
        return life.localAddress();
    }

    // ---- data ----

    @Override
    public void send(byte[] data) throws IOException {
        Objects.requireNonNull(data, "data");
        Link current = life.current().orElseThrow(() -> new SocketException("not connected: the client is " + state()));
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
    public ClientStats stats() {
        return connector.tally().client(delivery.droppedEvents(), delivery.droppedExceptions(), failures.counts());
    }

    // ---- shutdown ----

    @Override
    public int close(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        reconnector.cancel();
        Optional<Link> current = life.current();
        int cutOff = current.isPresent() && grace.isZero() && current.get().out().pendingBytes() > 0 ? 1 : 0;
        if (current.isPresent() && !grace.isZero()) {
            try {
                cutOff = current.get().out().awaitFlushed(grace) ? 0 : 1;
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
        Optional<Link> open = life.close();
        if (open == null) { // closed, or closing: whoever closes returns once it is over
            if (!closing.await(options.closeTimeout(), scope)) {
                closing.await(options.closeTimeout(), scope); // the first close may wait for an onConnect first
            }
            return;
        }
        try {
            connector.close(); // first: a connect it cuts short says the client closed
            reconnector.stop();
            life.awaitConnectFinished(options.closeTimeout()); // a connect just made: its onConnect runs first
            open.ifPresent(link -> link.end(DisconnectReason.CLOSED_BY_US));
            timeouts.stop();
            delivery.close();
            threads.close(options.closeTimeout());
        } finally {
            closing.finished(scope);
        }
    }

    @Override
    public String toString() {
        return "TcpClient[" + state() + ", " + address() + "]";
    }
}
