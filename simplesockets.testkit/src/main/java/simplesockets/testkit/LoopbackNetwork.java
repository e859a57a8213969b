package simplesockets.testkit;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import simplesockets.api.ClientOptions;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;
import simplesockets.impl.transport.Acceptor;
import simplesockets.impl.ClientEngine;
import simplesockets.impl.ServerEngine;
import simplesockets.impl.transport.Network;
import simplesockets.impl.transport.Transport;

/**
 * An in-memory network: servers bind addresses on it and clients connect to them, with no ports and
 * no sockets. The servers and clients are the real simplesockets engine over in-memory pipes, so code
 * written against {@code simplesockets.api} runs on it unchanged.
 *
 * <p>Each pipe holds at most {@value #DEFAULT_PIPE_BYTES} bytes by default: a writer whose peer does
 * not read blocks, as over TCP. Closing the network closes every server and client it made.
 *
 * <p>It does not run TLS (options with {@code tls} set are refused with a clear message): the engine's
 * TLS is the JDK's {@code SSLSocket} layered over a real socket, and in-memory pipes are not sockets.
 * Test TLS over real sockets on 127.0.0.1, and everything else about a protocol here.
 *
 * <p>Thread-safe.
 */
public final class LoopbackNetwork implements AutoCloseable {

    /** The default capacity of each direction of a connection, in bytes. */
    public static final int DEFAULT_PIPE_BYTES = 64 * 1024;
    /** How many connections {@link #takeWire} keeps for the test before it drops the oldest. */
    private static final int MAX_UNTAKEN_WIRES = 256;

    private final int pipeBytes;
    private final boolean track;
    /** The time of every server and client made here, or null for real time. */
    private final ManualClock clock;
    /** Who listens where, and which client addresses are taken. */
    private final Addresses addresses = new Addresses();
    private final List<AutoCloseable> made = new CopyOnWriteArrayList<>();
    /** Guards {@link #closed} against a server or client made as the network finishes closing. */
    private final java.util.concurrent.locks.ReentrantLock making = new java.util.concurrent.locks.ReentrantLock();
    /** Set once {@link #close()} closed the last of what it made: the network makes nothing more. */
    private boolean closed;
    private final BlockingQueue<Wire> wires = new LinkedBlockingQueue<>(MAX_UNTAKEN_WIRES);
    private final java.util.concurrent.ConcurrentLinkedDeque<List<Fault>> pendingFaults = new java.util.concurrent.ConcurrentLinkedDeque<>();
    /** The transport seam the engines run over; package-private for tests. */
    final Network network = new Network() {
        @Override
        public Acceptor bind(SocketAddress address, int backlog) throws IOException {
            return addresses.bind(inet(address), backlog);
        }

        @Override
        public Transport connect(SocketAddress address, Duration timeout) throws IOException {
            return LoopbackNetwork.this.connect(inet(address));
        }
    };

    /** A network with the default pipe capacity. */
    public LoopbackNetwork() {
        this(DEFAULT_PIPE_BYTES);
    }

    /**
     * A network whose pipes hold {@code pipeBytes} bytes each way.
     *
     * @param pipeBytes the capacity of each direction of a connection; at least 1
     */
    public LoopbackNetwork(int pipeBytes) {
        this(pipeBytes, true, null);
    }

    /**
     * A network with the default pipe capacity whose servers and clients run on {@code clock}: their
     * idle and write timeouts, PROXY protocol header timeouts, half-close grace, graceful-close grace and back-offs move
     * only when the test {@linkplain ManualClock#advance advances} it, so tests of time never sleep.
     *
     * @param clock the clock
     */
    public LoopbackNetwork(ManualClock clock) {
        this(DEFAULT_PIPE_BYTES, true, java.util.Objects.requireNonNull(clock, "clock"));
    }

    /**
     * A network whose pipes hold {@code pipeBytes} bytes each way, on a manual clock.
     *
     * @param pipeBytes the capacity of each direction of a connection; at least 1
     * @param clock     the clock of every server and client made here
     */
    public LoopbackNetwork(int pipeBytes, ManualClock clock) {
        this(pipeBytes, true, java.util.Objects.requireNonNull(clock, "clock"));
    }

    /** With {@code track} off, the network does not keep what it made (the shared provider's network). */
    LoopbackNetwork(int pipeBytes, boolean track, ManualClock clock) {
        if (pipeBytes < 1) {
            throw new IllegalArgumentException("pipeBytes must be at least 1: " + pipeBytes);
        }
        this.pipeBytes = pipeBytes;
        this.track = track;
        this.clock = clock;
    }

    private simplesockets.impl.time.Clock engineClock() {
        return clock == null ? null : clock.stepped();
    }

    /**
     * A server on this network. Port 0 picks a free port, as over TCP.
     *
     * @param options the settings
     * @return a server in state CREATED, closed with this network
     * @throws IllegalArgumentException if the options ask for TLS or a Unix domain socket, which this
     *                                  network does not have
     * @throws IllegalStateException    if the network is closed
     */
    public TcpServer server(ServerOptions options) {
        refuseTls(options.tls().orElse(null));
        refuseUnixSocket(options.unixSocket());
        return track(new ServerEngine(network, options, engineClock()));
    }

    /**
     * A client on this network.
     *
     * @param options the settings
     * @return a client in state CREATED, closed with this network
     * @throws IllegalArgumentException if the options ask for TLS or a Unix domain socket, which this
     *                                  network does not have
     * @throws IllegalStateException    if the network is closed
     */
    public TcpClient client(ClientOptions options) {
        refuseTls(options.tls().orElse(null));
        refuseUnixSocket(options.unixSocket());
        return track(new ClientEngine(network, options, engineClock()));
    }

    /**
     * Keeps what was made, to close it with the network, and lets go of those closed since (so a network
     * that lives for a whole test class holds only what is open); refuses it once the network is closed.
     */
    private <T extends AutoCloseable> T track(T engine) {
        if (!track) {
            return engine;
        }
        making.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the loopback network is closed: make a new one");
            }
            made.removeIf(LoopbackNetwork::isClosed);
            made.add(engine);
        } finally {
            making.unlock();
        }
        return engine;
    }

    private static boolean isClosed(AutoCloseable engine) {
        return engine instanceof TcpServer server && server.state() == simplesockets.api.ServerState.CLOSED
                || engine instanceof TcpClient client && client.state() == simplesockets.api.ClientState.CLOSED;
    }

    private static InetSocketAddress inet(SocketAddress address) throws IOException {
        if (address instanceof InetSocketAddress inet) {
            return inet;
        }
        throw new IOException("the loopback network has TCP-like addresses only, not " + address);
    }

    private static void refuseUnixSocket(java.util.Optional<java.nio.file.Path> unixSocket) {
        if (unixSocket.isPresent()) {
            throw new IllegalArgumentException("the loopback network has no Unix domain sockets: test them over real"
                    + " sockets, and the rest of your protocol here with a host and port");
        }
    }

    private static void refuseTls(simplesockets.api.TlsOptions tls) {
        if (tls != null) {
            throw new IllegalArgumentException("the loopback network does not run TLS: the engine's TLS is the"
                    + " JDK's SSLSocket over a real socket; test TLS over real sockets on 127.0.0.1, and the rest of"
                    + " your protocol here with TLS off");
        }
    }

    private Transport connect(InetSocketAddress target) throws IOException {
        return connectWire(target).clientEnd();
    }

    private Wire connectWire(InetSocketAddress target) throws IOException {
        InetSocketAddress resolved = target.isUnresolved()
                ? new InetSocketAddress(InetAddress.getByName(target.getHostString()), target.getPort()) : target;
        MemoryAcceptor acceptor = addresses.listenerFor(resolved);
        if (acceptor == null) {
            throw new ConnectException("Connection refused: nothing listens on " + resolved);
        }
        InetSocketAddress local = addresses.freeClientAddress(resolved.getAddress());
        Wire wire = new Wire(local, acceptor.localAddress(), pipeBytes, engineClock(), track);
        MemoryTransport clientEnd = wire.clientEnd();
        addresses.opened(local, clientEnd);
        List<Fault> faults = pendingFaults.poll();
        if (faults != null) {
            faults.forEach(wire::apply);
        }
        if (!acceptor.offer(wire)) {
            addresses.release(local, clientEnd); // never connected: its address is free again
            if (faults != null) {
                pendingFaults.offerFirst(faults); // meant for the next connection made, which this was not
            }
            throw new ConnectException("Connection refused: the backlog of " + resolved + " is full");
        }
        if (track) {
            while (!wires.offer(wire)) {
                wires.poll(); // keep the newest connections for takeWire
            }
        }
        return wire;
    }

    /**
     * Connects a raw peer that the test drives by hand, as a plain socket over TCP.
     *
     * @param address a server's address on this network
     * @return the connected peer
     * @throws ConnectException if nothing listens there (nothing does once the network is closed)
     * @throws IOException      if the host name does not resolve
     */
    public RawPeer dial(InetSocketAddress address) throws IOException {
        return new RawPeer(connectWire(java.util.Objects.requireNonNull(address, "address")));
    }

    /**
     * Takes the oldest connection made on this network that was not taken yet, waiting up to the
     * timeout: the way to reach the wire under a {@link TcpClient}. The network keeps the 256 newest
     * connections not taken yet.
     *
     * @param timeout the longest wait, in real time; zero looks once without waiting
     * @return the connection, or empty if none was made in time
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public Optional<Wire> takeWire(Duration timeout) throws InterruptedException {
        return Optional.ofNullable(wires.poll(Waits.nanos(timeout), TimeUnit.NANOSECONDS));
    }

    /**
     * Queues faults for the next connection made on this network; they are applied the moment it
     * connects, before any byte moves. Each call queues for one more connection.
     *
     * @param faults the faults, applied in order
     */
    public void faultNextConnection(Fault... faults) {
        pendingFaults.add(List.of(faults));
    }

    /**
     * Closes every server and client made on this network, those made while it closes too (by a callback
     * of one it closes, say); from then on it makes none ({@link #server} and {@link #client} throw).
     * Calling it again does nothing.
     *
     * @throws IllegalStateException if one did not close cleanly; the others are closed anyway
     */
    @Override
    public void close() {
        List<Throwable> problems = new ArrayList<>();
        // Until none is left: one made while these close (by a callback, say) is closed too.
        while (!closedWithNothingLeft()) {
            for (AutoCloseable closeable : made) {
                made.remove(closeable);
                try {
                    closeable.close();
                } catch (Exception e) {
                    problems.add(e);
                }
            }
        }
        if (!problems.isEmpty()) {
            IllegalStateException e = new IllegalStateException("the loopback network did not close cleanly");
            problems.forEach(e::addSuppressed);
            throw e;
        }
    }

    /** Whether nothing made here is left to close; if so, the network is closed from now on. */
    private boolean closedWithNothingLeft() {
        making.lock();
        try {
            closed = closed || made.isEmpty();
            return closed;
        } finally {
            making.unlock();
        }
    }
}
