package simplesockets.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A TCP client: the seed's {@code TCPClient}, done right.
 *
 * <p>The lifecycle is {@link ClientState}: {@link #connect()}, {@link #disconnect()},
 * {@link #reconnect()}, and {@link #close()}. Data arrives in one of two ways:
 * <ul>
 *   <li>in the background, after {@link #autoReceive(boolean) autoReceive(true)}: to the
 *       {@code onReceive} callback, or queued for {@link #drainReceived()} and
 *       {@link #awaitReceived(Duration)};</li>
 *   <li>on demand, with {@link #receive(Duration)}, for request and response.</li>
 * </ul>
 *
 * <p><b>Polling.</b> Without {@code onReceive}, the client keeps its events in one queue, in the
 * order they happened: {@link ClientEvent.Received} data among connects, disconnects, reconnect
 * attempts and failures. Each event is taken once, by whichever method gets to it first; no method
 * waits by spinning. With background receiving off, the methods that wait read on demand.
 * <table class="striped">
 *   <caption>The polling methods</caption>
 *   <thead><tr><th>method</th><th>returns</th><th>blocks</th><th>takes</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@link #hasNewData()}</td><td>whether data waits</td><td>no</td><td>nothing</td></tr>
 *     <tr><td>{@link #awaitNewData(Duration)}</td><td>as {@code hasNewData}, once data waits</td>
 *         <td>until data waits, the timeout, or the end</td><td>nothing</td></tr>
 *     <tr><td>{@link #receive(Duration)}</td><td>the oldest piece of data</td><td>until data comes,
 *         the timeout, or the end of the connection</td><td>that piece</td></tr>
 *     <tr><td>{@link #drainReceived()}</td><td>all data waiting, oldest first</td><td>no</td>
 *         <td>the {@code Received} events only; the others stay queued, in order</td></tr>
 *     <tr><td>{@link #awaitReceived(Duration)}</td><td>as {@code drainReceived}, once some data
 *         waits</td><td>until data waits, the timeout, or the end</td><td>as {@code drainReceived}</td></tr>
 *     <tr><td>{@link #pollEvent()}</td><td>the oldest event of any kind</td><td>no</td><td>that one
 *         event</td></tr>
 *     <tr><td>{@link #awaitEvent(Duration)}</td><td>as {@code pollEvent}, once an event waits</td>
 *         <td>until an event waits, or the timeout</td><td>that one event</td></tr>
 *   </tbody>
 * </table>
 * A wait for data ends with the connection: on a client that is not connected, it returns at once with
 * what is queued, unless the reconnect loop ({@link ClientOptions#reconnect()}) may still connect. Then it
 * waits through the loop's back-off for the next connection's data, so a poll loop never spins, and ends,
 * empty, when the loop stops without a connection (it gives up, or {@link #disconnect()} or
 * {@link #close()} ends it).
 * Data is never dropped: while nobody takes it, the client stops reading (see
 * {@link ClientOptions#maxQueuedBytes()}); data you took counts against that bound until you call a
 * polling method again. The other events are bounded by
 * {@link ClientOptions#maxQueuedEvents()}: past it the oldest go, counted by {@link #droppedEvents()}.
 *
 * <p>All methods are thread-safe. The package documentation lists the rules every method follows
 * (absence, limits, errors, blocking, threads).
 *
 * {@snippet :
 * try (TcpClient client = TcpClient.create(ClientOptions.builder().host("localhost").port(9999).build())) {
 *     client.connect();
 *     client.send("Test".getBytes(StandardCharsets.UTF_8));
 *     client.receive(Duration.ofSeconds(5)).ifPresent(data -> System.out.println(new String(data)));
 * }
 * }
 */
public interface TcpClient extends AutoCloseable {

    /**
     * Creates a client on real sockets: with the implementation {@code simplesockets.impl}, whatever
     * else is present (the testkit's in-memory network is used only when asked for by name, or when it
     * is the only implementation). See {@link simplesockets.api.spi.SocketsProvider} for the rule.
     *
     * @param options the settings
     * @return a client in state {@link ClientState#CREATED}
     * @throws IllegalStateException if no implementation is present, or the system property
     *                               {@code simplesockets.provider} names one that is not
     */
    static TcpClient create(ClientOptions options) {
        return Providers.find(null).newClient(Objects.requireNonNull(options, "options"));
    }

    /**
     * Creates a client with the implementation of the given name.
     *
     * @param options  the settings
     * @param provider the provider's name, such as {@code "socket"} or {@code "loopback"}
     * @return a client in state {@link ClientState#CREATED}
     * @throws IllegalStateException if no provider has that name
     */
    static TcpClient create(ClientOptions options, String provider) {
        Objects.requireNonNull(provider, "provider");
        return Providers.find(provider).newClient(Objects.requireNonNull(options, "options"));
    }

    /**
     * The settings this client was created with.
     *
     * @return the options
     */
    ClientOptions options();

    /**
     * Connects to the server. On success the state is {@link ClientState#CONNECTED} and
     * {@code onConnect} runs (or a {@link ClientEvent.Connected} is queued). On failure the state is
     * {@link ClientState#DISCONNECTED}, the exception is thrown, and it is also recorded (the seed
     * returned {@code False} and recorded it): as a {@link Failure.Tls} when the TLS handshake failed
     * or timed out, else as a {@link Failure.Connect}. Blocks for at most
     * {@link ClientOptions#connectTimeout()} (plus the TLS handshake, if any, within its
     * {@link TlsOptions#handshakeTimeout()}), and, when the connection
     * before is still reporting its end, up to {@link ClientOptions#closeTimeout()} and one second more
     * (its last sends, then its socket's close), so that its disconnect comes before this connect. It
     * takes over from the reconnect loop: an attempt of the loop under way is cut short (and not
     * recorded as a failure) before this connect begins, which waits up to
     * {@link ClientOptions#closeTimeout()} more for a callback the loop runs; a call refused with
     * {@link IllegalStateException} takes nothing over. The host name is looked up first,
     * by the JDK's resolver, within the connect timeout, which bounds the lookup and the connect together;
     * a {@link #close()} cuts a lookup short as it cuts a connect (the resolver's own wait goes on, on a
     * thread of the client's, which {@code close()} waits for as for its others). Called from the client's own
     * {@code onReceive} or {@code onDisconnect} (its reader thread), it cannot wait for that thread:
     * the old connection's end is then reported when the callback returns, after the new
     * {@code onConnect}. An {@link Error} thrown by {@code onConnect} ends the new connection (reported as
     * a disconnect) and reaches the caller.
     *
     * @throws IOException           if the server cannot be reached: a
     *                               {@link java.net.ConnectException} when it refuses, a
     *                               {@link java.net.SocketTimeoutException} after the connect timeout
     *                               or the handshake timeout, a {@link javax.net.ssl.SSLException} when
     *                               the handshake fails
     * @throws IllegalStateException if already connected (it needs a client that is not connected:
     *                               use {@link #reconnect()}), if another {@code connect()} or
     *                               {@code reconnect()} is in progress, or if closed
     */
    void connect() throws IOException;

    /**
     * Closes the current connection (firing its disconnect once) and connects again with a new
     * socket. The seed leaked the old socket here. Blocks as {@link #disconnect()} does, then as
     * {@link #connect()} does.
     *
     * @throws IOException           as {@link #connect()} does; the client is then disconnected
     * @throws IllegalStateException if the client is closed, or if another {@code connect()} or
     *                               {@code reconnect()} is in progress
     */
    void reconnect() throws IOException;

    /**
     * Sends bytes. From the caller's thread the bytes join the connection's queue, which its writer
     * thread writes in order, so this never writes to the socket itself; past
     * {@link ClientOptions#maxPendingSendBytes()} it waits for room under {@link SendOverflow#WAIT}
     * (the default). From the client's {@code onReceive} on its reader thread it writes directly, as
     * {@link Connection#send(byte[])} does; from {@code onConnect}, which runs on the thread that
     * connects, it is queued like any other thread's. From {@code onDisconnect} it throws: the
     * connection is gone by then (reconnect first). A failed write disconnects the client at once: the state
     * is {@link ClientState#DISCONNECTED}, the failure is recorded, and the disconnect is reported
     * once.
     *
     * @param data the bytes
     * @throws java.net.SocketException if not connected, or the connection failed
     * @throws java.net.SocketTimeoutException if the connection ended by its write or idle timeout (a
     *                                    {@link java.io.InterruptedIOException} too, but the client is
     *                                    disconnected)
     * @throws java.net.ProtocolException if {@code data} breaks the framing, before anything is written:
     *                                    over the maximum frame or line size, or, with lines, holding a
     *                                    {@code \n}
     * @throws java.io.InterruptedIOException (other than a {@code SocketTimeoutException}) if interrupted
     *                                    while waiting for room; nothing was queued and the client stays
     *                                    connected
     * @throws IOException if writing fails otherwise
     */
    void send(byte[] data) throws IOException;

    /**
     * Turns background receiving on or off: the seed's {@code autorecv()}, but explicit instead of a
     * toggle. While on, data is read as it arrives and goes to {@code onReceive} or the queue. While
     * off, data is read only for {@link #receive(Duration)} and the awaits (without {@code onReceive};
     * with it, nothing is read), and otherwise waits in the socket. A read in progress when it is
     * turned off, or begun for a {@code receive} or an await that then timed out, still delivers its
     * data, which waits for the next call; such a read also sees the peer's close.
     *
     * <p>Never waits for data or for the reader: it takes effect for the reader's next read, and
     * {@link #isAutoReceiving()} says so at once. Any thread may call it, the client's callbacks too.
     *
     * @param on whether to receive in the background
     */
    void autoReceive(boolean on);

    /**
     * Whether background receiving is on.
     *
     * @return the setting
     */
    boolean isAutoReceiving();

    /**
     * Takes the next piece of received data, reading it if background receiving is off. Blocks up to
     * the timeout; never spins.
     *
     * @param timeout the longest wait; {@link Duration#ZERO} waits without a limit (the seed's {@code timeout=0}),
     *                and a negative one does not wait
     * @return the data, or empty if none came in time or the connection ended
     * @throws InterruptedException if the waiting thread is interrupted
     */
    Optional<byte[]> receive(Duration timeout) throws InterruptedException;

    /**
     * Closes the connection and stops receiving. {@code onDisconnect} runs once (or a
     * {@link ClientEvent.Disconnected} is queued) with {@link DisconnectReason.ClosedByUs}. When not
     * connected it closes nothing, but it still ends the {@link ReconnectPolicy reconnect loop}: a
     * loss after which this is called (from {@code onDisconnect}, say) is not reconnected.
     *
     * <p>Blocks until the connection is closed and {@code onDisconnect} has run, for at most
     * {@link ClientOptions#closeTimeout()} plus one second: the sends made before this call are written
     * first, within the close timeout, and then the socket is closed and its writer's end awaited (a
     * writer blocked by a server that does not read ends when the socket closes). Called from the
     * client's own callbacks, it does not wait.
     */
    void disconnect();

    /**
     * The seed's {@code shutdown()}: the same as {@link #close()}.
     */
    default void shutdown() {
        close();
    }

    /**
     * The lifecycle state.
     *
     * @return the state now
     */
    ClientState state();

    /**
     * Whether the client is connected now: the seed's {@code event.is_connected}. With background
     * receiving off (the default), the client reads only while someone waits for data, so a peer's
     * close is seen, and the state moves, only at the next such wait or when a send fails (only then do
     * {@code idleTimeout} and the reconnect policy come into play); turn {@link #autoReceive(boolean)}
     * on to see it at once.
     *
     * @return {@code true} in state {@link ClientState#CONNECTED}
     */
    default boolean isConnected() {
        return state() == ClientState.CONNECTED;
    }

    /**
     * Whether a connect has ever succeeded: the seed's {@code event.connected}.
     *
     * @return {@code true} after the first successful connect
     */
    boolean hasConnected();

    /**
     * Whether the client was connected and is not now: the seed's {@code event.disconnected}.
     *
     * @return {@code true} after a disconnect, until the next successful connect
     */
    boolean isDisconnected();

    /**
     * The server's address: the seed's {@code Address}.
     *
     * @return the address this client connects to: its host name and port as given (unresolved) from the
     *         start of each connect until it succeeds, then the address it connected to, looked up
     */
    InetSocketAddress address();

    /**
     * This side's address while connected.
     *
     * @return the local address, or empty when not connected
     */
    Optional<InetSocketAddress> localAddress();

    /**
     * Whether received data waits for polling: the seed's {@code event.new_data}.
     *
     * @return {@code true} if {@link #drainReceived()} would return something
     */
    boolean hasNewData();

    /**
     * Waits until received data is waiting, without taking it: the blocking form of
     * {@link #hasNewData()}, the seed's {@code event.new_data.wait()}. With background receiving off,
     * this reads on demand, as {@link #receive(Duration)} does. Blocks; never spins.
     *
     * @param timeout the longest wait; {@link Duration#ZERO} waits without a limit (the seed's {@code timeout=0}),
     *                and a negative one does not wait
     * @return {@code true} if data is waiting, {@code false} if none came in time or the connection
     *         ended
     * @throws InterruptedException if the waiting thread is interrupted
     */
    boolean awaitNewData(Duration timeout) throws InterruptedException;

    /**
     * Takes all received data waiting for polling, oldest first: the seed's
     * {@code return_recved_data()}.
     *
     * @return the pieces of data in order; empty if none
     */
    List<byte[]> drainReceived();

    /**
     * Waits until received data is waiting, then takes all of it. Blocks; never spins.
     *
     * @param timeout the longest wait; {@link Duration#ZERO} waits without a limit (the seed's {@code timeout=0}),
     *                and a negative one does not wait
     * @return the data in order, or an empty list if none came in time
     * @throws InterruptedException if the waiting thread is interrupted
     */
    List<byte[]> awaitReceived(Duration timeout) throws InterruptedException;

    /**
     * Takes the oldest event waiting for polling, without waiting.
     *
     * @return the event, or empty
     */
    Optional<ClientEvent> pollEvent();

    /**
     * Waits for the next event waiting for polling and takes it: the seed's {@code await_event}, in
     * the order things happened.
     *
     * @param timeout the longest wait; {@link Duration#ZERO} waits without a limit (the seed's {@code timeout=0}),
     *                and a negative one does not wait
     * @return the event, or empty if none came in time
     * @throws InterruptedException if the waiting thread is interrupted
     */
    Optional<ClientEvent> awaitEvent(Duration timeout) throws InterruptedException;

    /**
     * Whether an exception was recorded since the flag was last reset.
     *
     * @return the flag
     */
    boolean hasExceptions();

    /**
     * The recorded exceptions, oldest first, left in place: {@code exceptions(false, false)}.
     *
     * @return a snapshot of the list
     */
    default List<Failure> exceptions() {
        return exceptions(false, false);
    }

    /**
     * The seed's {@code return_exceptions(delete, reset)}, for code ported from it: prefer
     * {@link #exceptions()} and {@link #drainExceptions()}, which say what they do.
     *
     * @param delete whether to empty the list
     * @param reset  whether to reset {@link #hasExceptions()}
     * @return a snapshot of the list, oldest first
     */
    List<Failure> exceptions(boolean delete, boolean reset);

    /**
     * Takes all recorded exceptions and resets the flag.
     *
     * @return the exceptions, oldest first
     */
    default List<Failure> drainExceptions() {
        return exceptions(true, true);
    }

    /**
     * How many recorded exceptions were dropped because the list was full.
     *
     * @return the count since the client was created
     */
    long droppedExceptions();

    /**
     * How many connect, disconnect, reconnect and failure events waiting for polling were dropped
     * because their queue was full (see {@link ClientOptions#maxQueuedEvents()}).
     *
     * @return the count since the client was created
     */
    long droppedEvents();

    /**
     * The client's figures now, across reconnects: connections made and ended; bytes and messages in
     * and out; bytes queued for polling and pending for the writer; how often its reader was held back
     * by backpressure; slow-consumer cut-offs; dropped events and exceptions; failures by kind. Its
     * {@code toString()} is one line, for a log.
     *
     * <p>Costs no lock on the data path. Never blocks for long; any thread; legal in every state.
     *
     * @return a snapshot that does not change
     */
    ClientStats stats();

    /**
     * Closes the connection and joins the client's thread within
     * {@link ClientOptions#closeTimeout()}. Idempotent. A connected client's disconnect fires once, before
     * this returns; a connect's {@code onConnect} still running on another thread is waited for first,
     * within the same bound (so the close can take up to twice the close timeout). A connect still waiting for the server on another thread is ended at once:
     * it throws a {@link java.net.SocketException}, and nothing of it is recorded on the closed client. A
     * call while another thread's close is under way waits for it to finish, within the same bound,
     * unless it comes from one of the client's own threads (a callback's), which that close waits for.
     *
     * <p>Never throws. A thread that does not end in time (a callback that ignores interrupts, say) is
     * logged at error level with its stack; everything else is released anyway.
     */
    @Override
    void close();

    /**
     * Closes gracefully: stops any reconnecting, lets every send made so far be written, for up to
     * {@code grace}, then closes as {@link #close()} does (a callback still running then gets
     * {@link ClientOptions#closeTimeout()} to finish). Received data not yet polled is not waited for.
     * Blocks for at most {@code grace} plus {@link ClientOptions#closeTimeout()} (plus a little).
     * Idempotent.
     *
     * @param grace how long the connection may take to finish; {@link Duration#ZERO} behaves as
     *              {@link #close()}
     * @return 1 if sends were still unwritten at the grace and were cut off (with a zero grace, any queued
     *         send), else 0
     */
    int close(Duration grace);
}
