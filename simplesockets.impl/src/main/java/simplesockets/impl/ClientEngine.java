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
import simplesockets.api.ClientStats;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.TcpClient;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Network;

/**
 * The client, over any {@link Network}: a thin front over the same parts as the server. Its
 * {@link ClientLife} holds the state and the current {@link Link}; the {@link Connector} opens links;
 * each link's reader thread runs a {@link Session}; {@link Delivery} takes every event;
 * {@link ClientPolling} answers receives; a {@link Reconnector} brings a lost connection back; the
 * {@link Scope} owns every thread.
 */
public final class ClientEngine implements TcpClient {

    private static final Logger LOG = LoggerFactory.getLogger(ClientEngine.class);
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
    private final CloseOnce closing = new CloseOnce();
    private volatile InetSocketAddress address;

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
        this.address = options.unixSocket().map(UnixSocketFile::shown)
                .orElseGet(() -> InetSocketAddress.createUnresolved(options.host(), options.port()));
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
        IOException failed = connect(Reconnector.ANY);
        if (failed != null) {
            delivery.events().ended(); // a wait for data that the reconnect loop kept going, which this took over, ends
            throw failed;
        }
    }

    /** One attempt of the reconnect loop; it throws if the user took over. */
    private boolean attempt(long generation) {
        if (!reconnector.current(generation) || !life.disconnected()) {
            throw new IllegalStateException("the user took over");
        }
        return connect(generation) == null;
    }

    /**
     * Connects; a reconnect attempt's link is dropped if the user took over meanwhile.
     *
     * @return {@code null} once connected, else why not (also recorded)
     */
    private IOException connect(long generation) {
        Endpoint endpoint = Endpoint.toReach(options.unixSocket(), options.host(), options.port()); // looked up in open()
        InetSocketAddress target = endpoint.shown();
        life.beginConnect(generation == Reconnector.ANY);
        address = target;
        Failure[] failed = {null};
        Optional<Link> opened = connector.open(endpoint, () -> reconnector.current(generation), failure -> {
            failed[0] = failure;
            life.connectFailed();
            // Not an attempt the user's connect cut short, nor a connect the client's close cut short.
            if (reconnector.current(generation) && life.state() != ClientState.CLOSED) {
                delivery.failed(failure);
            }
        });
        if (opened.isEmpty()) {
            return Transports.asIoException(failed[0].cause(), "could not connect to " + target);
        }
        Link link = opened.get();
        address = link.remoteAddress(); // the host name looked up
        if (!life.commit(link, () -> reconnector.current(generation))) {
            link.end(DisconnectReason.CLOSED_BY_US);
            return new SocketException("the client was closed, or connected elsewhere, while connecting to " + target);
        }
        LOG.debug("Connected to {}", target);
        long made = reconnector.generation(); // a disconnect() from now on stops any loop this link's loss starts
        connector.tally().admitted();
        reconnector.connected(generation == Reconnector.ANY);
        awaitLastEndReported();
        if (life.state() == ClientState.CLOSED) {
            // Closed while the last connection reported its end (a close from its onDisconnect, which did
            // not wait for this connect): never announced, so its end is not reported either.
            link.own();
            life.reader(link, null); // no reader: a disconnect waiting for one goes on
            link.finish(DisconnectReason.CLOSED_BY_US);
            reconnector.settled(link);
            return new SocketException("the client was closed while connecting to " + target);
        }
        try {
            delivery.connected(link); // a callback's exception is recorded there; an Error escapes
        } catch (Error e) {
            endUnread(link, new DisconnectReason.Failed(e)); // as a handler's Error ends its connection
            throw e;
        }
        try {
            life.reader(link, scope.fork("reader", () -> read(link, made)));
        } catch (RejectedExecutionException e) {
            endUnread(link, DisconnectReason.CLOSED_BY_US);
            return new SocketException("the client was closed while connecting to " + target);
        }
        return null;
    }

    /** A connection that ends before its reader ran: closed and reported here, as its reader would have. */
    private void endUnread(Link link, DisconnectReason why) {
        link.own(); // counted as open, as its reader would have: its end is counted as a close
        life.reader(link, null); // no reader: a disconnect waiting for one goes on
        delivery.disconnected(link, link.finish(why));
        reconnector.settled(link); // no loop starts for it: waits for data kept going since its loss end
        delivery.events().ended();
    }

    /**
     * Lets the connection that ended last report its end first (its reader may still be writing its last
     * sends), for at most the close timeout, so that its {@code Disconnected} comes before the new
     * {@code Connected}; skipped on that reader's own thread (a callback that connects again).
     */
    private void awaitLastEndReported() {
        Optional<Thread> last = life.lastReader();
        if (last.isEmpty()) {
            return;
        }
        try {
            Scope.join(last.get(), options.closeTimeout().plusMillis(100));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The body of the reader thread; a lost connection (not one the user ended) starts the reconnect
     * loop, unless the user took over since the connection was made ({@code generation}).
     */
    private void read(Link link, long generation) {
        DisconnectReason reason = DisconnectReason.CLOSED_BY_US;
        try {
            reason = Session.run(link, delivery, false, null);
        } catch (Error e) { // out of a callback: the connection ended with it (reported), and is lost as any other
            reason = new DisconnectReason.Failed(e);
            throw e;
        } finally {
            boolean looping = !(reason instanceof DisconnectReason.ClosedByUs) && life.disconnected()
                    && reconnector.start(generation);
            reconnector.settled(link);
            if (!looping) {
                delivery.events().ended(); // waits for data kept going since the loss end: no loop will connect
            }
        }
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
                .ifPresent(closing -> closing.disconnect(options.closeTimeout().plusMillis(100)));
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
        return address;
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
        return "TcpClient[" + state() + ", " + address + "]";
    }
}
