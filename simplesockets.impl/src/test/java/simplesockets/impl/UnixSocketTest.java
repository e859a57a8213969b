package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.bytes;
import static simplesockets.impl.Peers.take;
import static simplesockets.impl.Peers.text;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import simplesockets.api.ClientOptions;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.Framing;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.ServerState;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;
import simplesockets.api.TlsOptions;

/**
 * Unix domain sockets through the same API: echo in every style, framing and limits, the socket
 * file's life (stale files, files in the way, permissions, removal), and the refusals.
 */
@Timeout(30)
class UnixSocketTest {

    @TempDir
    Path dir;

    private ServerOptions.Builder unix(Path socket) {
        return ServerOptions.builder().unixSocket(socket);
    }

    private ClientOptions.Builder client(Path socket) {
        return ClientOptions.builder().unixSocket(socket);
    }

    @Test
    void aCallbackServerEchoesToAClientAndBothShowThePath() throws Exception {
        Path socket = dir.resolve("echo.sock");
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(unix(socket).onConnect(connected::add)
                .onReceive((connection, data) -> connection.send(data)).build())) {
            server.start();
            assertTrue(Files.exists(socket), "the socket file is there once started");
            InetSocketAddress shown = server.localAddress().orElseThrow();
            assertEquals(socket.toString(), shown.getHostString());
            assertEquals(0, shown.getPort());
            try (TcpClient client = TcpClient.create(client(socket).build())) {
                client.connect();
                assertEquals(shown, client.address());
                client.send(bytes("over a file"));
                assertEquals("over a file", text(client.receive(Peers.WAIT).orElseThrow()));
                Connection connection = take(connected);
                assertEquals(shown, connection.remoteAddress(), "a Unix peer has no address of its own");
                assertEquals(List.of(connection), server.clients());
            }
        }
        assertFalse(Files.exists(socket), "close() removes the socket file");
    }

    /**
     * A graceful close keeps what had arrived, as over TCP: the bytes the kernel holds for a reader
     * stopped at its bound when the drain begins are delivered, then the connection closes long before
     * the grace. (Before, the drain shut the input at once and they were dropped.)
     */
    @Test
    void aGracefulCloseDeliversTheBytesTheKernelHeldWhenItBegan() throws Exception {
        Path socket = dir.resolve("drain.sock");
        byte[] sent = Peers.pattern(9, 32 * 1024);
        TcpServer server = TcpServer.create(unix(socket).maxQueuedBytesPerConnection(1024).build());
        server.start();
        try (server; SocketChannel peer = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer out = ByteBuffer.wrap(sent);
            while (out.hasRemaining()) {
                peer.write(out);
            }
            Peers.awaitCondition(() -> !server.clients().isEmpty() && server.clients().getFirst().stats().isReaderStalled(),
                    Peers.WAIT, () -> "the reader did not stop at its bound");

            long started = System.nanoTime();
            var closing = java.util.concurrent.CompletableFuture.supplyAsync(() -> server.close(Duration.ofSeconds(10)));
            byte[] received = Peers.pollBytes(server, sent.length, r -> { });
            assertEquals(sent.length, received.length, "every byte that had arrived before the drain was delivered");
            org.junit.jupiter.api.Assertions.assertArrayEquals(sent, received);
            assertEquals(0, closing.get(10, java.util.concurrent.TimeUnit.SECONDS).intValue(), "nothing was cut off");
            long tookMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
            org.junit.jupiter.api.Assertions.assertTrue(tookMillis < 5_000, "the drain ended on its own, not at the grace: " + tookMillis + " ms");
        }
    }

    @Test
    void thePollingStyleAndLineFramingWorkAsOverTcp() throws Exception {
        Path socket = dir.resolve("poll.sock");
        try (TcpServer server = TcpServer.create(unix(socket).framing(Framing.lines(64)).build())) {
            server.start();
            try (SocketChannel peer = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                peer.write(ByteBuffer.wrap(bytes("one\r\ntw")));
                peer.write(ByteBuffer.wrap(bytes("o\n")));
                List<String> lines = new java.util.ArrayList<>();
                long deadline = System.nanoTime() + Peers.WAIT.toNanos();
                while (lines.size() < 2 && System.nanoTime() < deadline) {
                    for (ServerEvent.Received r : server.awaitReceived(Duration.ofMillis(200))) {
                        lines.add(text(r.data()));
                        server.send(r.connection(), bytes("ok " + text(r.data())));
                    }
                }
                assertEquals(List.of("one", "two"), lines);
                ByteBuffer reply = ByteBuffer.allocate(14);
                while (reply.hasRemaining() && peer.read(reply) >= 0) {
                    // blocking reads until both replies are here
                }
                assertEquals("ok one\nok two\n", new String(reply.array(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void aHandlerAndMaxConnectionsWorkAsOverTcp() throws Exception {
        Path socket = dir.resolve("handler.sock");
        try (TcpServer server = TcpServer.create(unix(socket).maxConnections(1).handler(connection -> {
            for (var data = connection.read(); data.isPresent(); data = connection.read()) {
                connection.send(data.get());
            }
        }).build())) {
            server.start();
            try (SocketChannel first = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                first.write(ByteBuffer.wrap(bytes("hi")));
                ByteBuffer echo = ByteBuffer.allocate(2);
                while (echo.hasRemaining() && first.read(echo) >= 0) {
                    // until the echo is here: the first connection is registered
                }
                try (SocketChannel second = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                    assertEquals(-1, second.read(ByteBuffer.allocate(1)), "past maxConnections: closed at once");
                }
            }
        }
    }

    /**
     * Two threads that start the same server at once: one binds, the other finds it accepting and does
     * nothing, as {@code start()} says. The second used to probe the socket file for a stale server after
     * the first had bound it, so it threw "already listens" (recorded as a failure) and its probe reached
     * the first's accept loop as a client.
     */
    @Test
    void twoStartsAtOnceBindOnce() throws Exception {
        for (int round = 0; round < 100; round++) {
            Path socket = dir.resolve("race-" + round + ".sock");
            try (TcpServer server = TcpServer.create(unix(socket).build())) {
                java.util.concurrent.CyclicBarrier both = new java.util.concurrent.CyclicBarrier(2);
                java.util.concurrent.Callable<Void> start = () -> {
                    both.await(5, java.util.concurrent.TimeUnit.SECONDS);
                    server.start();
                    return null;
                };
                var first = Peers.startOn(Thread.ofVirtual(), "first", start);
                var second = Peers.startOn(Thread.ofVirtual(), "second", start);
                first.get(5, java.util.concurrent.TimeUnit.SECONDS);
                second.get(5, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(ServerState.ACCEPTING, server.state());
                assertTrue(server.exceptions().isEmpty(), "round " + round + ": " + server.exceptions());
                assertEquals(0, server.stats().connectionsAccepted(), "round " + round + ": nobody connected");
            }
        }
    }

    @Test
    void aStaleSocketFileIsReplacedButALiveOneOrAPlainFileIsNot() throws Exception {
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(stale)); // closing the channel leaves the file: a crashed server
        }
        assertTrue(Files.exists(stale));
        try (TcpServer server = TcpServer.create(unix(stale).onReceive((c, d) -> c.send(d)).build())) {
            server.start();
            assertEquals(ServerState.ACCEPTING, server.state());
            try (TcpServer second = TcpServer.create(unix(stale).build())) {
                BindException busy = assertThrows(BindException.class, second::start);
                assertTrue(busy.getMessage().contains("already listens"), busy.getMessage());
                assertEquals(ServerState.CREATED, second.state());
                assertInstanceOf(Failure.Accept.class, second.exceptions().getFirst(), "thrown and recorded");
            }
            try (TcpClient client = TcpClient.create(client(stale).build())) {
                client.connect();
                client.send(bytes("still mine"));
                assertEquals("still mine", text(client.receive(Peers.WAIT).orElseThrow()), "the first server is untouched");
            }
        }
        Path plain = dir.resolve("plain.txt");
        Files.writeString(plain, "not a socket");
        try (TcpServer server = TcpServer.create(unix(plain).build())) {
            BindException refused = assertThrows(BindException.class, server::start);
            assertTrue(refused.getMessage().contains("not a socket"), refused.getMessage());
        }
        assertEquals("not a socket", Files.readString(plain), "a file that is not a socket is never removed");
    }

    @Test
    void exitAcceptRemovesTheFileAndRestartBindsItAgainWithItsPermissions() throws Exception {
        Path socket = dir.resolve("perm.sock");
        try (TcpServer server = TcpServer.create(unix(socket)
                .unixSocketPermissions(PosixFilePermissions.fromString("rw-------"))
                .onReceive((c, d) -> c.send(d)).build())) {
            server.start();
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            server.exitAccept();
            assertFalse(Files.exists(socket), "nobody listens: no file");
            server.restart();
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            try (TcpClient client = TcpClient.create(client(socket).build())) {
                client.connect();
                client.send(bytes("back"));
                assertEquals("back", text(client.receive(Peers.WAIT).orElseThrow()));
            }
        }
    }

    /**
     * Giving the socket file its permissions can fail after the bind (here the file is not where the
     * listener put it). The start then fails, its state stays {@code CREATED}, and the listener is closed
     * again. Before, it kept listening, and its accept loop running, under a server that said it was not
     * started.
     */
    @Test
    void aStartWhosePermissionsFailClosesItsListener() throws Exception {
        java.util.concurrent.atomic.AtomicReference<simplesockets.impl.transport.Acceptor> bound = new java.util.concurrent.atomic.AtomicReference<>();
        simplesockets.impl.transport.Network elsewhere = new simplesockets.impl.transport.Network() {
            @Override
            public simplesockets.impl.transport.Acceptor bind(java.net.SocketAddress address, int backlog) throws IOException {
                // Listens on loopback TCP: no socket file appears at the path the options name.
                bound.set(SocketNetwork.INSTANCE.bind(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), backlog));
                return bound.get();
            }

            @Override
            public simplesockets.impl.transport.Transport connect(java.net.SocketAddress address, Duration timeout) throws IOException {
                return SocketNetwork.INSTANCE.connect(address, timeout);
            }
        };
        try (TcpServer server = new ServerEngine(elsewhere, unix(dir.resolve("perm.sock"))
                .unixSocketPermissions(PosixFilePermissions.fromString("rw-------")).build(), null)) {
            assertThrows(IOException.class, server::start);
            assertEquals(ServerState.CREATED, server.state());
            assertFalse(bound.get().isOpen(), "the listener was closed again");
        }
    }

    @Test
    void aClientWithNobodyListeningGetsAConnectFailure() {
        try (TcpClient client = TcpClient.create(client(dir.resolve("nobody.sock")).build())) {
            IOException thrown = assertThrows(IOException.class, client::connect);
            Failure.Connect recorded = assertInstanceOf(Failure.Connect.class, client.drainExceptions().getFirst());
            assertEquals(thrown, recorded.cause());
            assertEquals(dir.resolve("nobody.sock").toString(), recorded.target().getHostString());
        }
    }

    @Test
    void aPeerThatLeavesIsAPeerClosedDisconnect() throws Exception {
        Path socket = dir.resolve("bye.sock");
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(unix(socket).onDisconnect((c, r) -> reasons.add(r)).build())) {
            server.start();
            SocketChannel.open(UnixDomainSocketAddress.of(socket)).close();
            assertEquals(DisconnectReason.PEER_CLOSED, take(reasons));
        }
    }

    @Test
    void tlsAndKeepAliveAreRefusedAtBuildWithAReason() throws Exception {
        TlsOptions tls = TlsOptions.of(javax.net.ssl.SSLContext.getDefault());
        IllegalArgumentException noTls = assertThrows(IllegalArgumentException.class,
                () -> unix(dir.resolve("x.sock")).tls(tls).build());
        assertTrue(noTls.getMessage().contains("TLS over a Unix domain socket"), noTls.getMessage());
        assertThrows(IllegalArgumentException.class, () -> client(dir.resolve("x.sock")).keepAlive(true).build());
        assertThrows(IllegalArgumentException.class,
                () -> ServerOptions.builder().unixSocketPermissions(PosixFilePermissions.fromString("rw-------")).build(),
                "permissions without a socket file");
    }

    @Test
    void anIdleTimeoutClosesAQuietPeerAsOverTcp() throws Exception {
        Path socket = dir.resolve("idle.sock");
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(unix(socket).idleTimeout(Duration.ofMillis(300))
                .onDisconnect((c, r) -> reasons.add(r)).build())) {
            server.start();
            try (SocketChannel quiet = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                assertEquals(DisconnectReason.TIMED_OUT, take(reasons));
                assertEquals(-1, quiet.read(ByteBuffer.allocate(1)), "the quiet peer was closed");
            }
        }
    }

    @Test
    void aBalancerOnTheSameHostSendsThePeersAddressInAProxyHeader() throws Exception {
        Path socket = dir.resolve("proxy.sock");
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(unix(socket)
                .proxyProtocol(simplesockets.api.ProxyProtocol.trusting("10.0.0.0/8")) // no TCP peer involved
                .onConnect(connected::add).onReceive((c, d) -> c.send(d)).build())) {
            server.start();
            try (SocketChannel balancer = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                balancer.write(ByteBuffer.wrap(bytes("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\nhello")));
                ByteBuffer echo = ByteBuffer.allocate(5);
                while (echo.hasRemaining() && balancer.read(echo) >= 0) {
                    // until the echo is here
                }
                assertEquals("hello", new String(echo.array(), java.nio.charset.StandardCharsets.UTF_8));
                Connection connection = take(connected);
                assertEquals(new InetSocketAddress("203.0.113.7", 5555), connection.remoteAddress());
                assertEquals(socket.toString(), connection.proxyAddress().orElseThrow().getHostString());
            }
        }
    }

    /**
     * A socket file whose server does not accept (its backlog full: a hung old instance) is a live server's:
     * {@code start()} refuses it with a {@link BindException} at once, on any thread, and leaves the file.
     * Before, the probe's blocking connect took that file for stale and removed it on a virtual thread (the
     * connect failed at once there), and waited for good on a platform thread.
     */
    @Test
    void aSocketFileWhoseServerDoesNotAcceptIsLeftAlone() throws Exception {
        Path socket = dir.resolve("hung.sock");
        try (ServerSocketChannel hung = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            hung.bind(UnixDomainSocketAddress.of(socket), 1);
            List<SocketChannel> queued = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 16 && queued.size() == i; i++) { // until a connect would wait: the backlog is full
                    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                    channel.configureBlocking(false);
                    try {
                        channel.connect(UnixDomainSocketAddress.of(socket));
                        queued.add(channel);
                    } catch (IOException full) {
                        channel.close();
                    }
                }
                for (Thread.Builder thread : List.of(Thread.ofVirtual(), Thread.ofPlatform())) {
                    java.util.concurrent.CompletableFuture<Exception> started = new java.util.concurrent.CompletableFuture<>();
                    thread.start(() -> {
                        try (TcpServer second = TcpServer.create(unix(socket).build())) {
                            second.start();
                            started.complete(null);
                        } catch (Exception e) {
                            started.complete(e);
                        }
                    });
                    Exception thrown = started.get(Peers.WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                    assertInstanceOf(BindException.class, thrown, "refused on a " + thread.getClass().getSimpleName());
                    assertTrue(Files.exists(socket), "the file is still there");
                }
            } finally {
                for (SocketChannel channel : queued) {
                    channel.close();
                }
            }
        }
    }

    /**
     * Every peer of a Unix domain socket shows the socket's path, so an address names none of two: a send,
     * a disconnect and a look-up by address refuse it. Before, they acted on the oldest connection, and a
     * polling server that answered {@code send(received.address(), ...)} answered the wrong peer.
     */
    @Test
    void anAddressSharedByTwoPeersNamesNeither() throws Exception {
        Path socket = dir.resolve("shared.sock");
        try (TcpServer server = TcpServer.create(unix(socket).build());
                TcpClient first = TcpClient.create(client(socket).autoReceive(true).build());
                TcpClient second = TcpClient.create(client(socket).autoReceive(true).build())) {
            server.start();
            first.connect();
            Peers.awaitCondition(() -> server.clients().size() == 1, Peers.WAIT, () -> "the first is served");
            second.connect();
            second.send(bytes("from the second"));
            ServerEvent.Received received = server.awaitReceived(Peers.WAIT).get(0);
            java.net.SocketException refused = assertThrows(java.net.SocketException.class,
                    () -> server.send(received.address(), bytes("reply")));
            assertTrue(refused.getMessage().contains("send to the Connection"), refused.getMessage());
            assertTrue(server.client(received.address()).isEmpty(), "two connections are from that address");
            assertFalse(server.disconnect(received.address()), "neither is disconnected");
            assertEquals(2, server.clients().size());
            server.send(received.connection(), bytes("reply")); // the way that names one
            assertEquals("reply", text(second.receive(Peers.WAIT).orElseThrow()));
            assertTrue(first.awaitReceived(Duration.ofMillis(200)).isEmpty(), "nothing went to the first");
        }
    }
}
