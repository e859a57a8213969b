package simplesockets.impl;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import simplesockets.api.KeepAlive;
import simplesockets.api.TlsOptions;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Acceptor;
import simplesockets.impl.transport.Transport;

/**
 * The seam over Unix domain sockets (JEP 380): blocking {@link SocketChannel}s, which park a virtual
 * thread as sockets do. A Unix peer has no address of its own, so both ends of a connection show the
 * socket file's path ({@link UnixSocketFile#shown}). The socket file is removed when the listener
 * closes.
 */
final class UnixNetwork {

    private UnixNetwork() {
    }

    static Acceptor bind(UnixDomainSocketAddress address, int backlog) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(address, backlog);
            return new UnixAcceptor(channel, address.getPath());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Connects. A listener whose backlog is full (one that does not accept) keeps a blocking connect
     * waiting with no limit of its own: the caller bounds it by closing what {@code underway} is told.
     */
    static Transport connect(UnixDomainSocketAddress address, java.util.function.Consumer<java.io.Closeable> underway)
            throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        underway.accept(channel);
        try {
            channel.connect(address);
            return new UnixTransport(channel, UnixSocketFile.shown(address.getPath()));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A listening Unix socket; closing it removes its file. */
    private static final class UnixAcceptor implements Acceptor {
        private final ServerSocketChannel channel;
        private final Path path;
        private final InetSocketAddress shown;
        private final java.util.concurrent.atomic.AtomicBoolean removed = new java.util.concurrent.atomic.AtomicBoolean();

        UnixAcceptor(ServerSocketChannel channel, Path path) {
            this.channel = channel;
            this.path = path;
            this.shown = UnixSocketFile.shown(path);
        }

        @Override
        public Transport accept() throws IOException {
            SocketChannel accepted = channel.accept();
            return new UnixTransport(accepted, shown);
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public InetSocketAddress localAddress() {
            return shown;
        }

        /**
         * Removes the socket file, then closes the channel: the other way round, another server could
         * take the path between the two (its start finds the file refused and binds a new one), and this
         * close would remove that server's live file. Removed once, whoever closes again.
         */
        @Override
        public void close() throws IOException {
            try {
                if (removed.compareAndSet(false, true)) {
                    UnixSocketFile.remove(path);
                }
            } finally {
                channel.close();
            }
        }
    }

    /**
     * One connection over a Unix socket. TCP options do not apply; TLS is refused by the options.
     *
     * <p>A graceful close keeps what has already arrived, as over TCP, though a channel can neither count
     * the bytes waiting nor time a read out: once the input is ending, each read is given
     * {@link Transports#INPUT_SETTLE} on the owner's clock, after which the input is shut down under it.
     * Bytes that had arrived are returned at once; a read that finds none ends the stream a moment later.
     * A read the reader makes inside a message it began ({@link #awaitRest()}) has no such bound: it waits
     * for the rest as long as the close's grace leaves the channel open, as over TCP.
     */
    private static final class UnixTransport implements Transport {
        private final SocketChannel channel;
        private final InetSocketAddress shown;
        /** Set by {@link #endInput(Clock)}: the clock that bounds each later read. */
        private volatile Clock ending;
        /** Whether a read that may wait is under way (before the input was ending). */
        private volatile boolean reading;
        /** Whether the next read, once ending, waits for the rest of a message ({@link #awaitRest()}). The reader's only. */
        private boolean restAsked;
        /** Whether, once ending, a read saw the end or had the input shut under it: nothing more can come. */
        private volatile boolean inputEnded;

        UnixTransport(SocketChannel channel, InetSocketAddress shown) {
            this.channel = channel;
            this.shown = shown;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            ByteBuffer into = ByteBuffer.wrap(buffer, offset, length);
            boolean rest = restAsked;
            restAsked = false;
            try {
                Clock clock = ending;
                if (clock != null) {
                    return readSettling(into, clock, rest);
                }
                reading = true;
                try {
                    // Looked at again once reading is published: the ending side sets ending, then looks at reading.
                    clock = ending;
                    return clock != null ? readSettling(into, clock, rest) : channel.read(into);
                } finally {
                    reading = false;
                }
            } catch (IOException e) {
                throw Transports.resetByPeer(e, channel.isOpen());
            }
        }

        /**
         * A read once the input is ending: what has arrived, or end of stream within a moment; or, when the
         * reader asked for the rest of a message, whatever comes within the close's grace.
         */
        private int readSettling(ByteBuffer into, Clock clock, boolean rest) throws IOException {
            Clock.Timer settle = rest ? null : clock.schedule(Transports.INPUT_SETTLE, () -> {
                inputEnded = true;
                try {
                    channel.shutdownInput();
                } catch (IOException e) {
                    // closed: the read ends anyway
                }
            });
            try {
                int n = channel.read(into);
                if (n < 0) {
                    inputEnded = true;
                }
                return n;
            } finally {
                if (settle != null) {
                    settle.cancel();
                }
            }
        }

        @Override
        public boolean endInput(Clock clock) {
            ending = clock;
            return reading;
        }

        /** Asked before a read inside a message too, so that a drain beginning just then cannot bound that read. */
        @Override
        public boolean awaitRest() {
            restAsked = true;
            return ending != null && !inputEnded;
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            ByteBuffer bytes = ByteBuffer.wrap(buffer, offset, length);
            try {
                while (bytes.hasRemaining()) {
                    channel.write(bytes); // blocking: writes at least one byte, or throws
                }
            } catch (IOException e) {
                throw Transports.resetByPeer(e, channel.isOpen());
            }
        }

        @Override
        public void shutdownOutput() throws IOException {
            channel.shutdownOutput();
        }

        @Override
        public void shutdownInput() throws IOException {
            channel.shutdownInput();
        }

        @Override
        public void configure(boolean tcpNoDelay, boolean keepAlive, KeepAlive tuning) {
            // TCP options: nothing to set on a Unix socket (keep-alive is refused by the options)
        }

        @Override
        public Transport startTls(TlsOptions tls, boolean clientMode, String peerHost, Clock clock)
                throws IOException {
            throw new IOException("TLS over a Unix domain socket is not supported");
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return shown;
        }

        @Override
        public InetSocketAddress localAddress() {
            return shown;
        }

        @Override
        public String toString() {
            return "unix:" + shown.getHostString();
        }
    }
}
