package simplesockets.impl.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/** Where acceptors and client connections come from: real sockets, or in-memory pipes. */
public interface Network {

    /**
     * Binds and listens.
     *
     * @param address the address to bind; port 0 picks a free port
     * @param backlog the listen backlog
     * @return the listening acceptor
     * @throws IOException if binding fails
     */
    Acceptor bind(InetSocketAddress address, int backlog) throws IOException;

    /**
     * Connects to a listening acceptor.
     *
     * @param address the acceptor's address
     * @param timeout the longest the connect may take; {@link Duration#ZERO} for no limit
     * @return the connected transport
     * @throws IOException if nothing listens there or connecting fails
     */
    Transport connect(InetSocketAddress address, Duration timeout) throws IOException;
}
