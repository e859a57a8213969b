package simplesockets.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * One client connected to a {@link TcpServer}: the seed's client socket and address in one handle.
 *
 * <p>All methods are thread-safe. {@link #send(byte[])} may be called from any thread, concurrently;
 * each call's bytes (or frame) go out whole, never interleaved with another call's.
 */
public interface Connection {

    /**
     * A number unique among this server's connections, in the order they were accepted; with TLS or
     * the PROXY protocol, in the order their handshake or header was done, since a connection counts
     * only from then on.
     *
     * @return the id
     */
    long id();

    /**
     * The peer's address: the client's. With {@link ServerOptions#proxyProtocol() the PROXY protocol}
     * on, it is the client's address as the proxy's header told it (the proxy's own address is
     * {@link #proxyAddress()}). Never blocks; any thread.
     *
     * @return the remote address
     */
    InetSocketAddress remoteAddress();

    /**
     * The address of the proxy (a load balancer) this connection came through, when a
     * {@linkplain ProxyProtocol PROXY protocol} header named the client: then
     * {@link #remoteAddress()} is that client's address and this is the socket's real peer. Never
     * blocks; any thread.
     *
     * @return the proxy's address; empty without the PROXY protocol, and for a header that named no
     *         client (a version 2 {@code LOCAL} or version 1 {@code UNKNOWN} header), whose connection
     *         keeps the real peer as {@link #remoteAddress()}
     */
    Optional<InetSocketAddress> proxyAddress();

    /**
     * This side's address.
     *
     * @return the local address
     */
    InetSocketAddress localAddress();

    /**
     * Whether the connection is still open for sending.
     *
     * @return {@code true} until it is disconnected
     */
    boolean isOpen();

    /**
     * Sends bytes to the peer. Thread-safe; the bytes of two sends never interleave.
     *
     * <ul>
     *   <li>On the connection's own thread (its callbacks, its handler), it writes directly and returns
     *       once every byte is written: it blocks while this peer does not read (at most the write
     *       timeout, if set), which holds up only this connection. One exception keeps streams cheap:
     *       while {@code onReceive} handles the pieces of one long read, its sends are gathered (up to
     *       64 KiB) and written together after the last piece.</li>
     *   <li>On any other thread, it never waits for the peer: the bytes join this connection's queue,
     *       which its own writer thread writes in order, and it returns at once. Past
     *       {@code maxPendingSendBytes} the options' {@link SendOverflow} applies: the connection is
     *       disconnected as a slow consumer and this throws, or this waits for room.</li>
     * </ul>
     *
     * <p>Gathered and queued bytes are written before anything sent later and before a
     * {@link #disconnect()} closes the connection; closing the whole server or client drops them.
     * A failed write ends the connection at once, whichever thread saw it: {@link #isOpen()} turns
     * false, the failure is recorded, and the disconnect is reported once.
     *
     * @param data the bytes; not changed, and not kept: what is queued is a copy, so the array may be
     *             reused as soon as this returns
     * @throws java.net.SocketException   if the connection is closed, writing failed, or the peer did not
     *                                    read what was sent (a slow consumer)
     * @throws java.net.SocketTimeoutException if the connection ended by its write or idle timeout (a
     *                                    {@link java.io.InterruptedIOException} too, but the connection is
     *                                    closed)
     * @throws java.net.ProtocolException if {@code data} breaks the framing, before anything is written:
     *                                    longer than the maximum of {@link Framing.LengthPrefixed} or
     *                                    {@link Framing.Lines}, or, with lines, holding a {@code \n}
     * @throws java.io.InterruptedIOException (other than a {@code SocketTimeoutException}) if interrupted
     *                                    while waiting for room under
     *                                    {@link SendOverflow#WAIT}; nothing was queued, the connection
     *                                    stays open, and the interrupt flag is set again
     * @throws IOException                if writing fails otherwise
     */
    void send(byte[] data) throws IOException;

    /**
     * Closes the connection: it is closed for sending at once, and the sends made before this call
     * are still written (for at most the options' {@code closeTimeout}) before the socket closes. The
     * disconnect callback (or event) follows once, with reason {@link DisconnectReason.ClosedByUs}.
     * Does nothing if it is already closed. Never blocks; any thread.
     */
    void disconnect();

    /**
     * This connection's own state: typed values the application keeps with it, cleared right after
     * its disconnect was reported (see {@link Attributes}). Never blocks; any thread.
     *
     * @return the attributes, the same object for the connection's whole life
     */
    Attributes attributes();

    /**
     * This connection's figures now: bytes and messages in and out, received bytes waiting for
     * polling, sends waiting for its writer, and how often its reader was held back by backpressure.
     * Takes no lock its data path uses; never blocks; any thread. After the connection ended, its
     * final figures.
     *
     * @return a snapshot that does not change
     */
    ConnectionStats stats();

    /**
     * Reads the next piece of data, blocking until it arrives. Only for a
     * {@link ServerOptions.Builder#handler(ConnectionHandler) connection handler}; when the server
     * reads for you (callbacks or polling) this throws {@link IllegalStateException}.
     *
     * @return the next piece of data, or empty at end of stream (or once this side closed)
     * @throws IOException           if reading fails or the peer breaks the framing; the connection has
     *                               then ended ({@link #isOpen()} false, closed, and its failure recorded
     *                               unless it was a reset, which is an ordinary disconnect), and a later
     *                               call returns empty
     * @throws IllegalStateException if the server, not a handler, reads this connection
     */
    Optional<byte[]> read() throws IOException;
}
