package simplesockets.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import simplesockets.api.ClientOptions;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;

/**
 * Where a test's servers, clients and raw peers live: the in-memory loopback network, or real
 * sockets on 127.0.0.1. Tests written against the API take a fixture and run unchanged on both.
 */
interface Fixture extends AutoCloseable {

    /** A raw client, as a plain socket: send bytes, half-close, close, reset. */
    interface Peer extends AutoCloseable {
        void send(byte[] data) throws IOException;

        void shutdownOutput() throws IOException;

        /** Whether the server ended the connection (end of stream or reset) within the timeout. */
        boolean awaitClosed(Duration timeout);

        void reset() throws IOException;

        InetSocketAddress localAddress();

        @Override
        void close();
    }

    /**
     * Arguments for a parameterized property over both fixtures: the name, a fresh-fixture supplier,
     * and how many examples to try on each (real sockets are slower, so they get fewer).
     */
    static Stream<Arguments> both(int loopbackExamples, int socketExamples) {
        return Stream.of(
                Arguments.of("loopback", (Supplier<Fixture>) Loopback::new, loopbackExamples),
                Arguments.of("socket", (Supplier<Fixture>) Sockets::new, socketExamples));
    }

    String name();

    TcpServer server(ServerOptions.Builder options);

    TcpClient client(ClientOptions.Builder options);

    Peer dial(InetSocketAddress address) throws IOException;

    @Override
    void close();

    /** Both fixtures, for parameterised tests. */
    static List<Supplier<Fixture>> all() {
        return List.of(Loopback::new, Sockets::new);
    }

    /** The in-memory network. */
    final class Loopback implements Fixture {
        private final LoopbackNetwork network = new LoopbackNetwork();

        @Override
        public String name() {
            return "loopback";
        }

        @Override
        public TcpServer server(ServerOptions.Builder options) {
            return network.server(options.port(0).build());
        }

        @Override
        public TcpClient client(ClientOptions.Builder options) {
            return network.client(options.build());
        }

        @Override
        public Peer dial(InetSocketAddress address) throws IOException {
            RawPeer peer = network.dial(address);
            return new Peer() {
                @Override
                public void send(byte[] data) throws IOException {
                    peer.send(data);
                }

                @Override
                public void shutdownOutput() {
                    peer.shutdownOutput();
                }

                @Override
                public boolean awaitClosed(Duration timeout) {
                    return peer.awaitClosed(timeout);
                }

                @Override
                public void reset() {
                    peer.reset();
                }

                @Override
                public InetSocketAddress localAddress() {
                    return peer.wire().clientAddress();
                }

                @Override
                public void close() {
                    peer.close();
                }
            };
        }

        @Override
        public void close() {
            network.close();
        }

        @Override
        public String toString() {
            return name();
        }
    }

    /** Real TCP sockets on 127.0.0.1, through the "socket" provider. */
    final class Sockets implements Fixture {
        private final List<AutoCloseable> made = new ArrayList<>();

        @Override
        public String name() {
            return "socket";
        }

        @Override
        public TcpServer server(ServerOptions.Builder options) {
            TcpServer server = TcpServer.create(options.host("127.0.0.1").port(0).build(), "socket");
            made.add(server);
            return server;
        }

        @Override
        public TcpClient client(ClientOptions.Builder options) {
            TcpClient client = TcpClient.create(options.build(), "socket");
            made.add(client);
            return client;
        }

        @Override
        public Peer dial(InetSocketAddress address) throws IOException {
            Socket socket = new Socket();
            socket.connect(address, 5_000);
            made.add(socket);
            return new Peer() {
                @Override
                public void send(byte[] data) throws IOException {
                    socket.getOutputStream().write(data);
                }

                @Override
                public void shutdownOutput() throws IOException {
                    socket.shutdownOutput();
                }

                @Override
                public boolean awaitClosed(Duration timeout) {
                    long deadline = System.nanoTime() + timeout.toNanos();
                    byte[] sink = new byte[8192];
                    try {
                        while (true) {
                            long left = (deadline - System.nanoTime()) / 1_000_000;
                            if (left <= 0) {
                                return false;
                            }
                            socket.setSoTimeout((int) left);
                            if (socket.getInputStream().read(sink) < 0) {
                                return true;
                            }
                        }
                    } catch (SocketTimeoutException e) {
                        return false;
                    } catch (IOException e) {
                        return true;
                    }
                }

                @Override
                public void reset() throws IOException {
                    socket.setSoLinger(true, 0);
                    socket.close();
                }

                @Override
                public InetSocketAddress localAddress() {
                    return (InetSocketAddress) socket.getLocalSocketAddress();
                }

                @Override
                public void close() {
                    try {
                        socket.close();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            };
        }

        @Override
        public void close() {
            List<Exception> problems = new ArrayList<>();
            for (AutoCloseable closeable : made.reversed()) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    problems.add(e);
                }
            }
            made.clear();
            if (!problems.isEmpty()) {
                IllegalStateException e = new IllegalStateException("fixture did not close cleanly");
                problems.forEach(e::addSuppressed);
                throw e;
            }
        }

        @Override
        public String toString() {
            return name();
        }

        static InetAddress loopback() {
            return InetAddress.getLoopbackAddress();
        }
    }
}
