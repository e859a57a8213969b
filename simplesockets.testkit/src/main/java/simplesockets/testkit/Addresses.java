package simplesockets.testkit;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link LoopbackNetwork}'s address table, as a kernel keeps one: who listens where, which client
 * addresses open connections hold, and the ephemeral port to try next.
 *
 * <p>Thread-safe, without a lock: concurrent maps and an atomic counter.
 */
final class Addresses {

    private static final int FIRST_EPHEMERAL_PORT = 49_152;
    private static final int PORTS = 65_536 - FIRST_EPHEMERAL_PORT;

    private final ConcurrentHashMap<InetSocketAddress, MemoryAcceptor> listening = new ConcurrentHashMap<>();
    /**
     * The client ends of connections not yet closed, by their address (or {@link #RESERVED} while one is
     * made): a new connection never gets one of these addresses.
     */
    private final ConcurrentHashMap<InetSocketAddress, Object> clientsOpen = new ConcurrentHashMap<>();
    private static final Object RESERVED = new Object();
    private final AtomicInteger nextPort = new AtomicInteger();

    /** Listens at {@code requested}; port 0 picks a free port, as over TCP. The acceptor lets it go when it closes. */
    MemoryAcceptor bind(InetSocketAddress requested, int backlog) throws IOException {
        refuseWhatTcpRefuses(requested);
        InetSocketAddress address = requested;
        if (requested.getPort() == 0) {
            // Ephemeral ports cycle, skipping bound ones, as the kernel's do.
            for (int tries = 0; tries < PORTS; tries++) {
                address = new InetSocketAddress(requested.getAddress(), ephemeralPort());
                if (!listening.containsKey(address) && !clientsOpen.containsKey(address)) {
                    break;
                }
            }
        }
        MemoryAcceptor acceptor = new MemoryAcceptor(address, backlog, a -> listening.remove(a.localAddress(), a));
        if (listening.putIfAbsent(address, acceptor) != null) {
            throw new BindException("Address already in use: " + address);
        }
        return acceptor;
    }

    /**
     * A bind that a real socket refuses is refused here too, so that a test does not pass where the server
     * would not start: a host name that did not resolve, and an address of no interface of this machine.
     */
    private static void refuseWhatTcpRefuses(InetSocketAddress requested) throws IOException {
        if (requested.isUnresolved()) {
            throw new java.net.SocketException("Unresolved address: " + requested.getHostString());
        }
        InetAddress host = requested.getAddress();
        if (!host.isAnyLocalAddress() && !host.isLoopbackAddress()
                && java.net.NetworkInterface.getByInetAddress(host) == null) {
            throw new BindException("Cannot assign requested address: " + host.getHostAddress()
                    + " is no address of this machine");
        }
    }

    /**
     * What listens at {@code resolved}, or else, for a specific host, at the wildcard address on its port;
     * {@code null} if nothing does.
     */
    MemoryAcceptor listenerFor(InetSocketAddress resolved) {
        MemoryAcceptor acceptor = listening.get(resolved);
        if (acceptor == null && !resolved.getAddress().isAnyLocalAddress()) {
            acceptor = listening.get(new InetSocketAddress(resolved.getPort()));
        }
        return acceptor;
    }

    /**
     * Reserves a client address whose port no open connection of this network uses, nor a listener, from
     * the ephemeral ports in turn, as the kernel picks one: two live connections never share a client
     * address, however many came and went in between.
     */
    InetSocketAddress freeClientAddress(InetAddress host) throws IOException {
        for (int tries = 0; tries < PORTS; tries++) {
            InetSocketAddress address = new InetSocketAddress(host, ephemeralPort());
            if (!listening.containsKey(address) && clientsOpen.putIfAbsent(address, RESERVED) == null) {
                return address;
            }
        }
        throw new BindException("Cannot assign requested address: every ephemeral port of " + host + " is in use");
    }

    /** The client end {@code end} holds the address reserved for it, {@code local}, until it closes. */
    void opened(InetSocketAddress local, MemoryTransport end) {
        clientsOpen.put(local, end); // in place of the reservation
        end.whenClosed(() -> clientsOpen.remove(local, end));
    }

    /** The client end {@code end} never connected: its address {@code local} is free again. */
    void release(InetSocketAddress local, MemoryTransport end) {
        clientsOpen.remove(local, end);
    }

    private int ephemeralPort() {
        return FIRST_EPHEMERAL_PORT + Math.floorMod(nextPort.getAndIncrement(), PORTS);
    }
}
