package simplesockets.impl;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a server binds or a client connects: a TCP address or a Unix domain socket file, and how it is
 * shown where the API speaks of addresses (a Unix socket as its path, unresolved, port 0).
 *
 * @param address what the network binds or connects to
 * @param shown   the same, as the API shows it
 */
record Endpoint(SocketAddress address, InetSocketAddress shown) {

    /** A Unix socket file, or else a TCP host and port; the host name is resolved here, outside any lock. */
    static Endpoint of(Optional<Path> unixSocket, String host, int port) {
        if (unixSocket.isPresent()) {
            Path path = unixSocket.get();
            return new Endpoint(UnixDomainSocketAddress.of(path), UnixSocketFile.shown(path));
        }
        InetSocketAddress tcp = new InetSocketAddress(host, port);
        return new Endpoint(tcp, tcp);
    }

    /**
     * Where a client connects: as {@link #of}, but a host name is not looked up here; {@link #lookedUp()}
     * does it, on a thread that the connect timeout and a close need not wait for.
     */
    static Endpoint toReach(Optional<Path> unixSocket, String host, int port) {
        if (unixSocket.isPresent()) {
            return of(unixSocket, host, port);
        }
        InetSocketAddress named = InetSocketAddress.createUnresolved(host, port);
        return new Endpoint(named, named);
    }

    /** Whether the host name is still to be looked up. */
    boolean needsLookUp() {
        return address instanceof InetSocketAddress tcp && tcp.isUnresolved();
    }

    /**
     * The same host and port, the name looked up by the JDK's resolver: it blocks as long as the resolver
     * takes, and no interrupt ends it.
     *
     * @throws UnknownHostException if the name is not found
     */
    Endpoint lookedUp() throws UnknownHostException {
        InetSocketAddress named = (InetSocketAddress) address;
        InetSocketAddress found = new InetSocketAddress(named.getHostString(), named.getPort());
        if (found.isUnresolved()) {
            throw new UnknownHostException(named.getHostString());
        }
        return new Endpoint(found, found);
    }

    /** The socket file, for a Unix endpoint. */
    Optional<Path> unixPath() {
        return address instanceof UnixDomainSocketAddress unix ? Optional.of(unix.getPath()) : Optional.empty();
    }
}
