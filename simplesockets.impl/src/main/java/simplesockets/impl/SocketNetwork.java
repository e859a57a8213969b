package simplesockets.impl;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocket;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Acceptor;
import simplesockets.impl.transport.Network;
import simplesockets.impl.transport.Transport;

/**
 * The seam over real {@link java.net.Socket}s, and over Unix domain sockets ({@link UnixNetwork}).
 * Blocking sockets are cheap on virtual threads.
 */
final class SocketNetwork implements Network {

    static final SocketNetwork INSTANCE = new SocketNetwork();

    private SocketNetwork() {
    }

    @Override
    public Acceptor bind(SocketAddress address, int backlog) throws IOException {
        if (address instanceof UnixDomainSocketAddress unix) {
            return UnixNetwork.bind(unix, backlog);
        }
        ServerSocket socket = new HookedSocket.Listening();
        try {
            socket.setReuseAddress(true);
            socket.bind(address, backlog);
            return new SocketAcceptor(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public Transport connect(SocketAddress address, Duration timeout) throws IOException {
        return connect(address, timeout, socket -> { });
    }

    @Override
    public Transport connect(SocketAddress address, Duration timeout, Consumer<Closeable> underway) throws IOException {
        if (address instanceof UnixDomainSocketAddress unix) {
            return UnixNetwork.connect(unix, underway);
        }
        Socket socket = new Socket();
        underway.accept(socket);
        try {
            socket.connect(address, Math.toIntExact(Math.min(timeout.toMillis(), Integer.MAX_VALUE)));
            return new SocketTransport(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * A TLS connection. Closing it sends close_notify, unless a write is blocked (the peer does not
     * read): then the plain socket under it is closed at once, so that close stays bounded. A
     * close_notify that cannot be written within {@link #CLOSE_NOTIFY_WAIT} is cut short the same way,
     * by a timer on the owner's clock (no thread of its own).
     */
    static final class TlsTransport extends SocketTransport {
        private static final Duration CLOSE_NOTIFY_WAIT = Duration.ofMillis(200);
        private final Socket plain;
        private final Clock clock;
        private volatile boolean writing;

        TlsTransport(SSLSocket ssl, Socket plain, Clock clock) throws IOException {
            super(ssl);
            this.plain = plain;
            this.clock = clock;
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            writing = true;
            try {
                super.write(buffer, offset, length);
            } finally {
                writing = false;
            }
        }

        /** Through the plain socket: the TLS socket itself refuses to shut down its input. */
        @Override
        void shutSocketInput() throws IOException {
            plain.shutdownInput();
        }

        /**
         * What the TLS socket counts as available is plaintext it has already decrypted; records the
         * kernel holds are not counted. They are read too, each read waiting a moment at most for the
         * rest of a record.
         */
        @Override
        boolean moreArrived() throws IOException {
            return plain.getInputStream().available() > 0;
        }

        @Override
        public boolean closeMayWait() {
            return true; // up to CLOSE_NOTIFY_WAIT
        }

        @Override
        public void close() throws IOException {
            closing();
            if (writing || plain.isClosed()) {
                plain.close();
                return;
            }
            Clock.Timer cut = clock.schedule(CLOSE_NOTIFY_WAIT, () -> {
                try {
                    plain.close();
                } catch (IOException e) {
                    // closed anyway
                }
            });
            try {
                super.close();
            } finally {
                cut.cancel();
                plain.close();
            }
        }
    }

    private static final class SocketAcceptor implements Acceptor {
        private final ServerSocket socket;
        /** The last accepted connection's local address, which the next one most likely shares. */
        private volatile InetSocketAddress lastLocal;

        SocketAcceptor(ServerSocket socket) {
            this.socket = socket;
        }

        @Override
        public Transport accept() throws IOException {
            Socket accepted = socket.accept();
            try {
                SocketTransport transport = new SocketTransport(accepted, lastLocal);
                lastLocal = transport.localAddress();
                return transport;
            } catch (IOException | RuntimeException e) {
                accepted.close();
                throw e;
            }
        }

        @Override
        public boolean isOpen() {
            return !socket.isClosed();
        }

        @Override
        public InetSocketAddress localAddress() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
