package simplesockets.impl.transport;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.function.Consumer;

/** Where acceptors and client connections come from: real sockets, or in-memory pipes. */
public interface Network {

    /**
     * Binds and listens.
     *
     * @param address the address to bind: an {@code InetSocketAddress} (port 0 picks a free port), or, where
     *                the network has them, a {@code UnixDomainSocketAddress}
     * @param backlog the listen backlog
     * @return the listening acceptor
     * @throws IOException if binding fails
     */
    Acceptor bind(SocketAddress address, int backlog) throws IOException;

    /**
     * Connects to a listening acceptor.
     *
     * @param address the acceptor's address
     * @param timeout the longest the connect may take; {@link Duration#ZERO} for no limit
     * @return the connected transport
     * @throws IOException if nothing listens there or connecting fails
     */
    Transport connect(SocketAddress address, Duration timeout) throws IOException;

    /**
     * Connects as {@link #connect(SocketAddress, Duration)} does, first telling {@code underway} what ends
     * the connect in progress: closing it makes the connect fail at once, from any thread. The default
     * tells nothing, for a network whose connect never waits for long.
     *
     * @param address  the acceptor's address
     * @param timeout  the longest the connect may take; {@link Duration#ZERO} for no limit
     * @param underway told, before the connect may block, what closes it
     * @return the connected transport
     * @throws IOException if nothing listens there, connecting fails, or it was closed meanwhile
     */
    default Transport connect(SocketAddress address, Duration timeout, Consumer<Closeable> underway) throws IOException {
        return connect(address, timeout);
    }
}
