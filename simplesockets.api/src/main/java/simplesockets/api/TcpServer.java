package simplesockets.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A TCP server: the seed's {@code TCPServer}, done right.
 *
 * <p>Each connection is served on its own virtual thread. React to it in one of three styles:
 * <ul>
 *   <li><b>callbacks</b> ({@link ServerOptions.Builder#onReceive}, ...), called on the connection's
 *       thread;</li>
 *   <li><b>polling</b>, the seed's style: the methods in the table below, for events whose callback is
 *       not set;</li>
 *   <li><b>a blocking handler</b> ({@link ServerOptions.Builder#handler}), the seed's
 *       {@code handle_client}.</li>
 * </ul>
 *
 * <p><b>Polling.</b> A polling server keeps its events in one queue, in the order they happened:
 * {@link ServerEvent.Received} data among connects, disconnects and failures. Each event is taken
 * once, by whichever method gets to it first, and no method waits by spinning.
 * <table class="striped">
 *   <caption>The polling methods</caption>
 *   <thead><tr><th>method</th><th>returns</th><th>blocks</th><th>takes</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@link #hasNewData()}</td><td>whether data waits</td><td>no</td><td>nothing</td></tr>
 *     <tr><td>{@link #awaitNewData(Duration)}</td><td>as {@code hasNewData}, once data waits</td>
 *         <td>until data waits, the timeout, or close</td><td>nothing</td></tr>
 *     <tr><td>{@link #drainReceived()}</td><td>all data waiting, oldest first</td><td>no</td>
 *         <td>the {@code Received} events only; the others stay queued, in order</td></tr>
 *     <tr><td>{@link #awaitReceived(Duration)}</td><td>as {@code drainReceived}, once some data
 *         waits</td><td>until data waits, the timeout, or close</td><td>as {@code drainReceived}</td></tr>
 *     <tr><td>{@link #pollEvent()}</td><td>the oldest event of any kind</td><td>no</td><td>that one
 *         event</td></tr>
 *     <tr><td>{@link #awaitEvent(Duration)}</td><td>as {@code pollEvent}, once an event waits</td>
 *         <td>until an event waits, the timeout, or close</td><td>that one event</td></tr>
 *   </tbody>
 * </table>
 * Data is never dropped: while nobody takes it, the server stops reading that connection (see
 * {@link ServerOptions#maxQueuedBytesPerConnection()}). Data you took counts against that bound until
 * you call any of these methods again, since you are still answering it; so a loop that takes a batch
 * and then sends its replies is not handed a second batch meanwhile. Connects, disconnects and failures are
 * bounded by {@link ServerOptions#maxQueuedEvents()}: a loop that only drains data lets the oldest of
 * them go, counted by {@link #droppedEvents()} (failures stay in {@link #exceptions()} either way).
 *
 * <p>The lifecycle is {@link ServerState}: {@link #start()} binds and accepts, {@link #stop()}
 * pauses (new connections are closed at once), {@link #exitAccept()} ends accepting and closes the
 * listening socket, {@link #restart()} binds again, and {@link #close()} ends everything. A call the
 * state does not allow throws {@link IllegalStateException} saying what the call needs and what the
 * state is. The package documentation lists the rules every method follows (absence, limits, errors,
 * blocking, threads).
 *
 * <p>All methods are thread-safe. Received data of one connection is delivered in order and never
 * lost, whatever threads poll. The received-data queue is bounded per connection: when nobody polls,
 * the server stops reading that connection, and TCP flow control slows its sender.
 *
 * {@snippet :
 * try (TcpServer server = TcpServer.create(ServerOptions.builder().port(9999).build())) {
 *     server.start();
 *     while (running) {
 *         for (ServerEvent.Received r : server.awaitReceived(Duration.ofSeconds(1))) {
 *             try {
 *                 server.send(r.connection(), r.data());
 *                 server.disconnect(r.connection());
 *             } catch (IOException e) {
 *                 // this client is gone: disconnected after an earlier piece of its message, or it left
 *             }
 *         }
 *     }
 * }
 * }
 */
public interface TcpServer extends AutoCloseable {

    /**
     * Creates a server on real sockets: with the implementation {@code simplesockets.impl}, whatever
     * else is present (the testkit's in-memory network is used only when asked for by name, or when it
     * is the only implementation). See {@link simplesockets.api.spi.SocketsProvider} for the rule.
     *
     * @param options the settings
     * @return a server in state {@link ServerState#CREATED}; nothing is bound until {@link #start()}
     * @throws IllegalStateException if no implementation is present, or the system property
     *                               {@code simplesockets.provider} names one that is not
     */
    static TcpServer create(ServerOptions options) {
        return Providers.find(null).newServer(Objects.requireNonNull(options, "options"));
    }

    /**
     * Creates a server with the implementation of the given name.
     *
     * @param options  the settings
     * @param provider the provider's name, such as {@code "socket"} or {@code "loopback"}
     * @return a server in state {@link ServerState#CREATED}
     * @throws IllegalStateException if no provider has that name
     */
    static TcpServer create(ServerOptions options, String provider) {
        Objects.requireNonNull(provider, "provider");
        return Providers.find(provider).newServer(Objects.requireNonNull(options, "options"));
    }

    /**
     * The settings this server was created with.
     *
     * @return the options
     */
    ServerOptions options();

    /**
     * Binds (the first time) and accepts connections. From {@link ServerState#PAUSED} it resumes
     * accepting; when already accepting it does nothing.
     *
     * <p>Blocks while binding (a host name is resolved first). A failed bind is thrown and also
     * recorded as a {@link Failure.Accept}, and the server stays {@link ServerState#CREATED}, so
     * {@code start()} may be tried again.
     *
     * @throws IOException           if binding fails (the port is in use, say)
     * @throws IllegalStateException if the server is {@link ServerState#KILLED} (it needs
     *                               {@link #restart()}) or closed
     */
    void start() throws IOException;

    /**
     * Pauses accepting: new connections are closed at once and fire no callback. Existing connections
     * are served. When already paused it does nothing.
     *
     * @throws IllegalStateException if the server is not accepting or paused
     */
    void stop();

    /**
     * Ends the accept loop and closes the listening socket, so no client waits in the backlog.
     * Existing connections are served. When already killed it does nothing. Blocks until the accept
     * loop has ended, at most {@link ServerOptions#closeTimeout()}.
     *
     * @throws IllegalStateException if the server never started or is closed
     */
    void exitAccept();

    /**
     * After {@link #exitAccept()}: binds the same address again and accepts. Blocks while it binds,
     * and first until the old accept loop has ended, if an {@code exitAccept()} on another thread is
     * still waiting for it or it was not waited for (at most {@link ServerOptions#closeTimeout()}, and at
     * least a second, so that a zero close timeout never leaves the port taken; the loop ends within
     * microseconds of its socket's close). An {@code exitAccept()} on another thread meanwhile is waited
     * for the same way, up to three waits in all. None of these waits holds up a {@code close()},
     * {@code stop()} or {@code exitAccept()} on another thread.
     *
     * @throws IOException           if binding fails: a {@link java.net.BindException} too when an old
     *                               accept loop is still there after those waits (the state stays
     *                               {@link ServerState#KILLED}; try again later)
     * @throws IllegalStateException if the server is not {@link ServerState#KILLED}, or a graceful
     *                               {@link #close(Duration)} has begun (it stays {@code KILLED} while it
     *                               waits for the last connections)
     */
    void restart() throws IOException;

    /**
     * The lifecycle state.
     *
     * @return the state now
     */
    ServerState state();

    /**
     * Whether new connections are accepted now: the seed's {@code event.accepting_thread.run}.
     *
     * @return {@code true} in state {@link ServerState#ACCEPTING}
     */
    default boolean isAccepting() {
        return state() == ServerState.ACCEPTING;
    }

    /**
     * Whether the accept loop was ended: the seed's {@code killed}.
     *
     * @return {@code true} in states {@link ServerState#KILLED} and {@link ServerState#CLOSED}
     */
    default boolean isKilled() {
        ServerState state = state();
        return state == ServerState.KILLED || state == ServerState.CLOSED;
    }

    /**
     * The address the server is bound to, with the real port when port 0 was asked for. It stays known
     * after {@link #exitAccept()} and {@link #close()}, for logs.
     *
     * @return the local address, or empty before the first {@link #start()} bound it
     */
    Optional<InetSocketAddress> localAddress();

    /**
     * The open connections, oldest first: the seed's {@code clients}.
     *
     * @return a snapshot that does not change
     */
    List<Connection> clients();

    /**
     * The open connection from an address. Over a Unix domain socket every peer shows the socket's path,
     * so there the address names no one connection: use the {@link Connection} of an event or callback.
     *
     * @param address the peer's address
     * @return the connection, or empty if no open connection is from that address, or several are
     */
    Optional<Connection> client(InetSocketAddress address);

    /**
     * Sends bytes to one connection: the seed's {@code send_data}. The same as
     * {@link Connection#send(byte[])}: from any thread but the connection's own, it queues the bytes
     * for the connection's writer and never waits for the peer.
     *
     * @param connection the connection
     * @param data       the bytes
     * @throws IOException if the connection is closed, writing fails, or the peer does not read (see
     *                     {@link SendOverflow})
     */
    void send(Connection connection, byte[] data) throws IOException;

    /**
     * Sends bytes to the open connection from an address.
     *
     * @param address the peer's address
     * @param data    the bytes
     * @throws IOException if no connection from that address is open, or several are (over a Unix domain
     *                     socket, all are: send to the {@link Connection}), writing fails, or the peer does
     *                     not read (see {@link SendOverflow})
     */
    void send(InetSocketAddress address, byte[] data) throws IOException;

    /**
     * Sends bytes to every open connection, one after another, as {@link Connection#send(byte[])} does:
     * from any thread but a connection's own, the bytes are queued for each connection's writer, and
     * under the server's default {@link SendOverflow#DISCONNECT} it never waits for a peer (under
     * {@link SendOverflow#WAIT} it waits for room at a peer that does not read; on a connection's own
     * thread, as in a callback, the bytes to that connection are written at once). A connection whose
     * send fails is skipped, and ended as that send ends it: a peer that does not read is cut off (a
     * {@link Failure.SlowConsumer} is recorded), a failed write is recorded as a {@link Failure.Io}, and
     * a reset is an ordinary disconnect, not recorded. Under {@link SendOverflow#WAIT}, an interrupt of
     * the calling thread while it waits skips each connection that has no room (nothing is queued to it,
     * and it stays open), and the thread's interrupt status stays set.
     *
     * <p>The bytes are framed once for all, and a copy is kept, so the caller may reuse its array.
     *
     * @param data the bytes
     * @return how many connections were sent the bytes
     * @throws IllegalArgumentException if the framing cannot carry {@code data} (a line with a line break,
     *                                  or past the framing's maximum); nothing is sent
     */
    int broadcast(byte[] data);

    /**
     * Closes a connection; its disconnect fires once with {@link DisconnectReason.ClosedByUs}.
     *
     * @param connection the connection
     * @return {@code true} if it was open, {@code false} if it was already closed (then nothing fires)
     */
    boolean disconnect(Connection connection);

    /**
     * Closes the connection from an address: the seed's {@code disconnect(address)}.
     *
     * @param address the peer's address
     * @return {@code true} if such a connection was open and is now closed; {@code false} if there was
     *         none, or several (over a Unix domain socket, all peers share one address), in which case
     *         none is closed and no callback fires (the seed called {@code on_disconnect} anyway)
     */
    boolean disconnect(InetSocketAddress address);

    /**
     * Whether received data waits for polling: the seed's {@code event.new_data}, derived from the
     * queue itself.
     *
     * @return {@code true} if {@link #drainReceived()} would return something
     */
    boolean hasNewData();

    /**
     * Waits until received data is waiting, without taking it: the blocking form of
     * {@link #hasNewData()}, the seed's {@code event.new_data.wait()}. Blocks; never spins.
     *
     * @param timeout the longest wait; {@link Duration#ZERO} waits without a limit (the seed's {@code timeout=0}),
     *                and a negative one does not wait
     * @return {@code true} if data is waiting, {@code false} if none came in time or the server closed
     * @throws InterruptedException if the waiting thread is interrupted
     */
    boolean awaitNewData(Duration timeout) throws InterruptedException;

    /**
     * Takes all received data waiting for polling, oldest first: the seed's
     * {@code return_recved_data()}. Afterwards {@link #hasNewData()} is {@code false} until more
     * arrives. Other events stay queued.
     *
     * @return the data, in order per connection; empty if none
     */
    List<ServerEvent.Received> drainReceived();

    /**
     * Waits until received data is waiting, then takes all of it. Blocks; never spins.
     *
     * @param timeout the longest wait; {@link Duration#ZERO} waits without a limit (the seed's {@code timeout=0}),
     *                and a negative one does not wait
     * @return the data, or an empty list if none came in time or the server closed
     * @throws InterruptedException if the waiting thread is interrupted
     */
    List<ServerEvent.Received> awaitReceived(Duration timeout) throws InterruptedException;

    /**
     * Takes the oldest event waiting for polling, without waiting.
     *
     * @return the event, or empty
     */
    Optional<ServerEvent> pollEvent();

    /**
     * Waits for the next event waiting for polling and takes it: the seed's {@code await_event}, in the
     * order things happened. Blocks; never spins.
     *
     * @param timeout the longest wait; {@link Duration#ZERO} waits without a limit (the seed's {@code timeout=0}),
     *                and a negative one does not wait
     * @return the event, or empty if none came in time or the server closed
     * @throws InterruptedException if the waiting thread is interrupted
     */
    Optional<ServerEvent> awaitEvent(Duration timeout) throws InterruptedException;

    /**
     * Whether an exception was recorded since the flag was last reset: the seed's
     * {@code event.exception.occurred}.
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
     * Takes all recorded exceptions and resets the flag: {@code exceptions(true, true)}.
     *
     * @return the exceptions, oldest first
     */
    default List<Failure> drainExceptions() {
        return exceptions(true, true);
    }

    /**
     * How many recorded exceptions were dropped because the list was full.
     *
     * @return the count since the server was created
     */
    long droppedExceptions();

    /**
     * How many connect, disconnect or failure events waiting for polling were dropped because their
     * queue was full.
     *
     * @return the count since the server was created
     */
    long droppedEvents();

    /**
     * The server's figures now, for operators: connections open, accepted, refused and closed; bytes and
     * messages in and out; bytes queued for polling and pending for writers; readers held back by
     * backpressure; slow consumers cut off; dropped events and exceptions; failures by kind. Its
     * {@code toString()} is one line, for a log.
     *
     * <p>Costs no lock on the data path: each connection's counters, written only by its own threads,
     * are added up on request (with those of connections that ended). Never blocks for long; any
     * thread; legal in every state (after {@link #close()}, the final figures).
     *
     * @return a snapshot that does not change
     */
    ServerStats stats();

    /**
     * Stops accepting, closes the listening socket and every connection, and joins every thread the
     * server started, within {@link ServerOptions#closeTimeout()} (plus a little). Idempotent, and
     * legal in every state. Disconnect callbacks of open connections fire on the way, with
     * {@link DisconnectReason.ClosedByUs}. A call while another thread's close is under way waits for it
     * to finish, within the same bound, unless it comes from one of the server's own threads (a
     * callback's), which that close is waiting for. When the close under way was made by one of the
     * server's own threads (a callback closed its server), a call from any other thread also waits, within
     * the same bound, for that thread to end, since its connection is closed and reported only once its
     * callback returns (a callback that closes its server and then never returns, one that calls
     * {@code System.exit} after it, say, keeps a shutdown hook's {@code close()} waiting that long). A call during a graceful {@link #close(Duration)} does not wait for its grace: it
     * ends it now, closing the connections still busy as if the grace had run out (that
     * {@code close(Duration)} counts them as cut off).
     *
     * <p>Never throws. A thread that does not end in time (a callback or handler that ignores
     * interrupts, say) is logged at error level with its stack; everything else is released anyway.
     */
    @Override
    void close();

    /**
     * Closes gracefully: stops accepting at once (the state moves to {@link ServerState#KILLED}), then
     * lets every connection finish the work in hand for up to {@code grace}, then closes what is left
     * as {@link #close()} does. A connection's work in hand is what it had received before the drain
     * began: its callbacks run to the end, a handler's {@link Connection#read()} returns end of stream
     * after the data received so far, data waiting for polling can still be drained and answered,
     * and every send made until then is written. A connection whose work is done is closed with
     * {@link DisconnectReason.ClosedByUs} as soon as it is done ({@link DisconnectReason.PeerClosed} if its
     * peer had closed before the graceful close began).
     *
     * <p>Blocks the calling thread for at most {@code grace} plus {@link ServerOptions#closeTimeout()}
     * (plus a little). Idempotent: once closed, it returns 0 at once. A connection cut off at the grace
     * is logged at info. Called from a connection's own handler or callback (a "shutdown" command, say,
     * or its {@code onFailure}), it waits for the others only: that connection cannot finish while its
     * thread waits here, so it is neither waited for nor counted, whether it is still open or has ended
     * already (disconnected first, or failed), and it is closed with the rest. A polling server calls it from
     * another thread than its polling loop (a shutdown hook, say), and the loop goes on polling during
     * the grace: called from the loop itself, nothing drains the data waiting for polling, so the call
     * waits the whole grace and counts those connections as cut off. A {@link #close()} from another
     * thread meanwhile ends the grace at once: what is still busy is closed and counted as cut off.
     *
     * @param grace how long connections may take to finish; {@link Duration#ZERO} behaves as
     *              {@link #close()}
     * @return how many connections were still busy at the grace and were cut off; 0 when everything
     *         finished in time (with a zero grace, every connection open but the caller's own is cut off,
     *         and counted)
     */
    int close(Duration grace);
}
