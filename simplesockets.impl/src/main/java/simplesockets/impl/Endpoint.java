package simplesockets.impl;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
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

    /** The socket file, for a Unix endpoint. */
    Optional<Path> unixPath() {
        return address instanceof UnixDomainSocketAddress unix ? Optional.of(unix.getPath()) : Optional.empty();
    }
}
