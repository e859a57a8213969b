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
     * A number unique among this server's connections, in the order they were accepted.
     *
     * @return the id
     */
    long id();

    /**
     * The peer's address.
     *
     * @return the remote address
     */
    InetSocketAddress remoteAddress();

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
     * Sends bytes to the peer and returns once all of them are written (or framed and written). Blocks
     * while the peer does not read, as TCP flow control demands.
     *
     * <p>One exception keeps streams cheap: when a read was longer than {@code receiveBufferSize} and
     * is handed to {@code onReceive} in several pieces, the sends that callback makes on the
     * connection's own thread are gathered (up to 64 KiB) and written together once it has handled the
     * last piece. They are still written before anything else is sent on this connection and before
     * {@link #disconnect()}; closing the whole server or client drops them.
     *
     * @param data the bytes; not changed
     * @throws IOException          if the connection is closed or writing fails
     * @throws java.net.ProtocolException if the framing is length-prefixed and {@code data} is longer
     *                              than the maximum frame size
     */
    void send(byte[] data) throws IOException;

    /**
     * Closes the connection. The disconnect callback (or event) follows once, with reason
     * {@link DisconnectReason.ClosedByUs}. Does nothing if it is already closed.
     */
    void disconnect();

    /**
     * Reads the next piece of data, blocking until it arrives. Only for a
     * {@link ServerOptions.Builder#handler(ConnectionHandler) connection handler}; when the server
     * reads for you (callbacks or polling) this throws {@link IllegalStateException}.
     *
     * @return the next piece of data, or empty at end of stream (or once this side closed)
     * @throws IOException           if reading fails or the peer breaks the framing
     * @throws IllegalStateException if the server, not a handler, reads this connection
     */
    Optional<byte[]> read() throws IOException;
}
