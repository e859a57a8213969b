package simplesockets.impl.transport;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;

/** A bound, listening endpoint: the seam's server side. */
public interface Acceptor extends Closeable {

    /**
     * Waits for the next connection.
     *
     * @return the connection
     * @throws IOException if the acceptor is closed (then {@link #isOpen()} is {@code false}) or
     *                     accepting fails
     */
    Transport accept() throws IOException;

    /**
     * Whether it still listens.
     *
     * @return {@code false} once {@link #close()} was called
     */
    boolean isOpen();

    /**
     * The bound address, with the real port.
     *
     * @return the local address
     */
    InetSocketAddress localAddress();

    /**
     * Stops listening, so that new peers are refused, and wakes a blocked {@link #accept()}.
     * Idempotent.
     *
     * @throws IOException if closing fails
     */
    @Override
    void close() throws IOException;
}
