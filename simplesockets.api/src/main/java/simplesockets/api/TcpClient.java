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
 * <p>All methods are thread-safe.
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
     * Creates a client with the one implementation present.
     *
     * @param options the settings
     * @return a client in state {@link ClientState#CREATED}
     * @throws IllegalStateException if no implementation is present, or several are and none was
     *                               chosen with the system property {@code simplesockets.provider}
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
     * {@code onConnect} runs (or a {@link ClientEvent.Connected} is queued). On failure the exception
     * is recorded as a {@link Failure.Connect}, the state is {@link ClientState#DISCONNECTED}, and the
     * result is {@code false}, as in the seed.
     *
     * @return whether the client is now connected
     * @throws IllegalStateException if already connected, or closed
     */
    boolean connect();

    /**
     * Closes the current connection (firing its disconnect once) and connects again with a new
     * socket. The seed leaked the old socket here.
     *
     * @return whether the client is now connected
     * @throws IllegalStateException if the client is closed
     */
    boolean reconnect();

    /**
     * Sends bytes. From the caller's thread the bytes join the connection's queue, which its writer
     * thread writes in order, so this never writes to the socket itself; past
     * {@link ClientOptions#maxPendingSendBytes()} it waits for room under {@link SendOverflow#WAIT}
     * (the default). From the client's own callbacks it writes directly, as
     * {@link Connection#send(byte[])} does. A failed write disconnects the client at once: the state
     * is {@link ClientState#DISCONNECTED}, the failure is recorded, and the disconnect is reported
     * once.
     *
     * @param data the bytes
     * @throws java.net.SocketException if not connected, or the connection failed or timed out
     * @throws java.net.ProtocolException if the message is over the maximum frame size
     * @throws java.io.InterruptedIOException if interrupted while waiting for room; nothing was queued
     *                                    and the client stays connected
     * @throws IOException if writing fails otherwise
     */
    void send(byte[] data) throws IOException;

    /**
     * Turns background receiving on or off: the seed's {@code autorecv()}, but explicit instead of a
     * toggle. While on, data is read as it arrives and goes to {@code onReceive} or the queue. While
     * off, data is read only for {@link #receive(Duration)} and the awaits, and otherwise waits in
     * the socket. A read in progress when it is turned off still delivers its data.
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
     * @param timeout the longest wait
     * @return the data, or empty if none came in time or the connection ended
     * @throws InterruptedException if the waiting thread is interrupted
     */
    Optional<byte[]> receive(Duration timeout) throws InterruptedException;

    /**
     * Closes the connection and stops receiving. {@code onDisconnect} runs once (or a
     * {@link ClientEvent.Disconnected} is queued) with {@link DisconnectReason.ClosedByUs}. Does
     * nothing when not connected.
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
     * Whether the client is connected now: the seed's {@code event.is_connected}.
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
     * @return the address this client connects to (resolved when it connects)
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
     * {@link #hasNewData()}. With background receiving off, this reads on demand, as
     * {@link #receive(Duration)} does.
     *
     * @param timeout the longest wait
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
     * @param timeout the longest wait
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
     * @param timeout the longest wait
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
     * The recorded exceptions, oldest first: the seed's {@code return_exceptions(delete, reset)}, with
     * the same keywords as the server's.
     *
     * @param delete whether to empty the list
     * @param reset  whether to reset {@link #hasExceptions()}
     * @return a snapshot of the list
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
     * Closes the connection and joins the client's thread within
     * {@link ClientOptions#closeTimeout()}. Idempotent. A connected client's disconnect fires once.
     *
     * @throws IllegalStateException if the thread did not end in time; the client is closed anyway
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
     * @return 1 if sends were still unwritten at the grace and were cut off, else 0
     * @throws IllegalStateException as {@link #close()} does, if a thread did not end in time
     */
    int close(Duration grace);
}
