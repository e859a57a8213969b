package simplesockets.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import simplesockets.impl.transport.Transport;

/** One end of an in-memory connection: it reads {@code in} and writes {@code out}. */
final class MemoryTransport implements Transport {

    private final Pipe in;
    private final Pipe out;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private volatile boolean closed;
    /** Whether the next read, once the input is ending, waits for the rest of a message. The reader's only. */
    private boolean restAsked;
    /** Runs once this end closes: the network lets its address go. */
    private volatile Runnable whenClosed = () -> { };
    /** Runs once just before this end closes, whoever closes it ({@link #beforeClose}). */
    private final java.util.concurrent.atomic.AtomicReference<Runnable> first = new java.util.concurrent.atomic.AtomicReference<>();

    MemoryTransport(Pipe in, Pipe out, InetSocketAddress local, InetSocketAddress remote) {
        this.in = in;
        this.out = out;
        this.local = local;
        this.remote = remote;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        boolean rest = restAsked; // asked for this read only
        restAsked = false;
        return in.read(buffer, offset, length, 0, rest);
    }

    /**
     * As a socket: later reads take what has arrived, then return end of stream; a read already waiting
     * for bytes that had not arrived ends at once, unless it waits for the rest of a message.
     */
    @Override
    public boolean endInput(simplesockets.impl.time.Clock clock) {
        in.endInput();
        return false;
    }

    /**
     * The next read, once the input is ending, waits for more: the rest of a message begun; as a socket,
     * not once the stream itself ended, so a reader whose peer ended mid-message sees the end at once.
     */
    @Override
    public boolean awaitRest() {
        restAsked = true;
        return in.restMayCome();
    }

    /** A read with its own timeout, for {@link RawPeer}. */
    int read(byte[] buffer, Duration timeout) throws IOException {
        return in.read(buffer, 0, buffer.length, Math.max(1, Waits.nanos(timeout)));
    }

    @Override
    public void write(byte[] buffer, int offset, int length) throws IOException {
        write(buffer, offset, length, 0);
    }

    /** A write that waits for room at most {@code timeoutNanos} ({@code 0} for no limit), for {@link RawPeer}. */
    void write(byte[] buffer, int offset, int length, long timeoutNanos) throws IOException {
        if (closed) {
            throw new SocketException("Socket closed");
        }
        out.write(buffer, offset, length, timeoutNanos);
    }

    @Override
    public void shutdownOutput() {
        out.end();
    }

    /** As TCP: reads return what already arrived, then end of stream; the peer can still write. */
    @Override
    public void shutdownInput() {
        in.shutdownReader();
    }

    /**
     * The loopback network does not run TLS: the engine's TLS is the JDK's {@code SSLSocket} layered
     * over a real socket, and pipes are not sockets. {@link LoopbackNetwork} refuses TLS options up
     * front; this is the guard behind that.
     */
    @Override
    public simplesockets.impl.transport.Transport startTls(simplesockets.api.TlsOptions tls, boolean clientMode,
            String peerHost, simplesockets.impl.time.Clock clock) {
        throw new UnsupportedOperationException("the loopback network does not run TLS");
    }

    /** In memory there is no Nagle's algorithm and no keep-alive to set. */
    @Override
    public void configure(boolean tcpNoDelay, boolean keepAlive, simplesockets.api.KeepAlive tuning) {
    }

    /** As a real socket's: a server gives back a preparing connection's slot before the peer can see the close. */
    @Override
    public void beforeClose(Runnable hook) {
        first.set(hook);
    }

    /**
     * Closes as TCP does: the peer reads end of stream after what is in flight, and writes to us fail.
     * Closing with unread bytes still waiting makes a reset instead, as the kernel does. The
     * {@link #beforeClose} hook runs first.
     */
    @Override
    public void close() {
        Runnable hook = first.getAndSet(null);
        if (hook != null) {
            hook.run();
        }
        closed = true;
        whenClosed.run();
        if (in.hasUnread()) {
            Pipe.resetBoth(in, out);
            return;
        }
        in.closeReader();
        out.end();
    }

    /** Runs {@code hook} when this end closes (at once if it has). */
    void whenClosed(Runnable hook) {
        whenClosed = hook;
        if (closed) {
            hook.run();
        }
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }
}
