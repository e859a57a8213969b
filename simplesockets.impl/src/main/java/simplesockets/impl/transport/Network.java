package simplesockets.impl.transport;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;

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
}
