package simplesockets.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.ClientEvent;
import simplesockets.api.ClientOptions;
import simplesockets.api.ClientState;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.Framing;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.ServerState;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;

/** The real engine over in-memory pipes: the same behaviour as over sockets, with no ports. */
@Timeout(30)
class LoopbackNetworkTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] data) {
        return new String(data, StandardCharsets.UTF_8);
    }

    private static <T> T take(BlockingQueue<T> queue) throws InterruptedException {
        T item = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (item == null) {
            throw new AssertionError("nothing arrived within " + WAIT);
        }
        return item;
    }

    @Test
    void echoOverPipesWithTheSameApi() throws Exception {
        try (LoopbackNetwork network = new LoopbackNetwork()) {
            TcpServer server = network.server(ServerOptions.builder().port(0)
                    .onReceive((c, d) -> c.send(d)).build());
            server.start();
            assertTrue(server.localAddress().orElseThrow().getPort() > 0);
            TcpClient client = network.client(ClientOptions.builder().address(server.localAddress().orElseThrow()).build());
            client.connect();
            client.send(bytes("ping"));
            assertEquals("ping", text(client.receive(WAIT).orElseThrow()));
            assertEquals(1, server.clients().size());
        }
    }

    @Test
    void nothingListeningIsAConnectFailure() {
        try (LoopbackNetwork network = new LoopbackNetwork()) {
            TcpClient client = network.client(ClientOptions.builder().port(1234).build());
            java.io.IOException thrown = assertThrows(java.io.IOException.class, client::connect);
            assertSame(thrown, assertInstanceOf(Failure.Connect.class, client.drainExceptions().getFirst()).cause(),
                    "thrown and recorded");
        }
    }

    @Test
    void aBoundAddressCannotBeBoundTwice() throws Exception {
        try (LoopbackNetwork network = new LoopbackNetwork()) {
            TcpServer first = network.server(ServerOptions.builder().port(7000).build());
            first.start();
            TcpServer second = network.server(ServerOptions.builder().port(7000).build());
            assertThrows(java.net.BindException.class, second::start);
            first.close();
            second.start();
            assertEquals(ServerState.ACCEPTING, second.state());
        }
    }

    @Test
    void disconnectReasonsCrossThePipes() throws Exception {
        BlockingQueue<DisconnectReason> serverSide = new LinkedBlockingQueue<>();
        BlockingQueue<simplesockets.api.Connection> accepted = new LinkedBlockingQueue<>();
        try (LoopbackNetwork network = new LoopbackNetwork()) {
            TcpServer server = network.server(ServerOptions.builder().port(0).onReceive((c, d) -> { })
                    .onConnect(accepted::add)
                    .onDisconnect((c, r) -> serverSide.add(r)).build());
            server.start();
            TcpClient client = network.client(ClientOptions.builder().address(server.localAddress().orElseThrow()).autoReceive(true)
                    .closeTimeout(Duration.ofSeconds(5)).build()); // disconnect() queues the end within this bound
            client.connect();
            client.disconnect();
            assertEquals(DisconnectReason.PEER_CLOSED, take(serverSide));
            assertInstanceOf(ClientEvent.Connected.class, client.pollEvent().orElseThrow());
            assertEquals(DisconnectReason.CLOSED_BY_US,
                    ((ClientEvent.Disconnected) client.pollEvent().orElseThrow()).reason());

            client.connect();
            take(accepted); // the first connection's
            take(accepted).disconnect();
            assertEquals(DisconnectReason.CLOSED_BY_US, take(serverSide));
            ClientEvent event;
            do {
                event = client.awaitEvent(WAIT).orElseThrow();
            } while (!(event instanceof ClientEvent.Disconnected));
            assertEquals(DisconnectReason.PEER_CLOSED, ((ClientEvent.Disconnected) event).reason());
            assertEquals(ClientState.DISCONNECTED, client.state());
        }
    }

    @Test
    void lengthPrefixedFramingAndPollingRunOnTheSameEngine() throws Exception {
        try (LoopbackNetwork network = new LoopbackNetwork(16)) {
            TcpServer server = network.server(ServerOptions.builder().port(0).framing(Framing.lengthPrefixed(1000)).build());
            server.start();
            TcpClient client = network.client(ClientOptions.builder().address(server.localAddress().orElseThrow())
                    .framing(Framing.lengthPrefixed(1000)).build());
            client.connect();
            byte[] big = new byte[900];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) i;
            }
            client.send(bytes("a"));
            client.send(big); // through a 16-byte pipe: many partial reads
            List<byte[]> got = new java.util.ArrayList<>();
            while (got.size() < 2) {
                server.awaitReceived(WAIT).forEach(r -> got.add(r.data()));
            }
            assertEquals("a", text(got.get(0)));
            assertArrayEquals(big, got.get(1));
        }
    }

    @Test
    void backpressureStallsTheWriterOfAnUndrainedConnection() throws Exception {
        try (LoopbackNetwork network = new LoopbackNetwork(1024)) {
            TcpServer server = network.server(ServerOptions.builder().port(0).maxQueuedBytesPerConnection(4096).build());
            server.start();
            TcpClient client = network.client(ClientOptions.builder().address(server.localAddress().orElseThrow()).build());
            client.connect();
            // The first MiB is queued for the client's writer, which the server stops reading; the
            // second send waits for room (the client's default SendOverflow.WAIT).
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    client.send(new byte[1 << 20]);
                    client.send(new byte[1 << 20]);
                } catch (java.io.IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertFalse(writer.join(Duration.ofMillis(300)), "the writer is stalled");
            long drained = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (drained < (2 << 20) && System.nanoTime() < deadline) {
                for (ServerEvent.Received r : server.awaitReceived(Duration.ofMillis(100))) {
                    drained += r.data().length;
                }
            }
            assertEquals(2 << 20, drained);
            assertTrue(writer.join(WAIT));
        }
    }

    /**
     * With the testkit on the path, {@code TcpServer.create} without a name still gives real sockets (a
     * plain {@code java.net.Socket} is served), and the in-memory network is had by its name: checked by
     * what only it can do, binding an address a real socket holds, and serving a client there that the
     * real socket would leave unanswered ({@code isConnected()} alone holds on real sockets too).
     */
    @Test
    void theQuickStartGetsRealSocketsWhileTheTestkitIsPresentAndTheLoopbackOnlyByName() throws Exception {
        // Both providers are on this module's test path: the README's quick start must still get real sockets.
        try (TcpServer server = TcpServer.create(ServerOptions.builder().port(0)
                .onReceive((connection, data) -> connection.send(data)).build())) {
            server.start();
            try (java.net.Socket peer = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(),
                    server.localAddress().orElseThrow().getPort())) {
                peer.setSoTimeout(5_000);
                peer.getOutputStream().write("real".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertArrayEquals("real".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        peer.getInputStream().readNBytes(4), "a plain java.net.Socket is served");
            }
        }
        // By name, the in-memory network: the server binds the very address a real socket of ours holds
        // (port 0, so the kernel picked it), which real sockets refuse; and the client, by name too, is
        // echoed by that server, not by the real socket, which never reads nor writes.
        try (java.net.ServerSocket held = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                TcpServer server = TcpServer.create(ServerOptions.builder()
                        .host(held.getInetAddress().getHostAddress()).port(held.getLocalPort())
                        .onReceive((connection, data) -> connection.send(data)).build(), LoopbackProvider.NAME)) {
            server.start();
            assertEquals(held.getLocalSocketAddress(), server.localAddress().orElseThrow(),
                    "bound beside a real listening socket: only the in-memory network allows that");
            try (TcpClient client = TcpClient.create(ClientOptions.builder().address(server.localAddress().orElseThrow()).build(),
                    LoopbackProvider.NAME)) {
                client.connect();
                assertTrue(client.isConnected(), "the in-memory network, asked for by name");
                client.send("memory".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertArrayEquals("memory".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        client.receive(WAIT).orElseThrow(), "echoed by the in-memory server, not met by the silent real socket");
            }
        }
    }
    /**
     * Two live connections never share a client address, however many came and went in between: the
     * ephemeral ports skip those in use, as the kernel's do. They wrapped after 16,384 connections and
     * handed a live connection's address to a new one, so {@code send(address)} could reach the wrong peer.
     */
    @Test
    void aLiveConnectionsClientAddressIsNeverHandedOutAgain() throws Exception {
        try (LoopbackNetwork network = new LoopbackNetwork()) {
            java.util.concurrent.Semaphore accepted = new java.util.concurrent.Semaphore(0);
            TcpServer server = network.server(ServerOptions.builder().port(0).onReceive((c, d) -> { })
                    .onConnect(c -> accepted.release()).build());
            server.start();
            java.net.InetSocketAddress address = server.localAddress().orElseThrow();
            RawPeer kept = network.dial(address);
            java.net.InetSocketAddress keptAddress = kept.wire().clientAddress();
            for (int i = 0; i < 16_400; i++) { // past the 16,384 ephemeral ports
                assertTrue(accepted.tryAcquire(5, TimeUnit.SECONDS), "the server accepts each connection in turn");
                RawPeer passing = network.dial(address);
                assertFalse(passing.wire().clientAddress().equals(keptAddress),
                        "connection " + i + " was given the address of a live one: " + keptAddress);
                passing.close();
            }
            kept.close();
        }
    }

    /**
     * A raw peer's send to a server that does not read (its direction stalled, the pipe full) gives up
     * after its timeout with a {@link java.net.SocketTimeoutException}: what fit stays in the pipe, the
     * connection stays open, and the server reads it all once released. It waited for good before.
     */
    @Test
    void aRawPeersSendToAServerThatDoesNotReadEndsAtItsTimeout() throws Exception {
        try (LoopbackNetwork network = new LoopbackNetwork(16)) {
            BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
            TcpServer server = network.server(ServerOptions.builder().port(0)
                    .onReceive((c, d) -> received.add(d)).build());
            server.start();
            RawPeer peer = network.dial(server.localAddress().orElseThrow());
            peer.wire().apply(new Fault.Stall(Direction.CLIENT_TO_SERVER));
            byte[] data = new byte[24];
            java.util.Arrays.fill(data, (byte) 'x');
            long began = System.nanoTime();
            java.net.SocketTimeoutException timedOut = assertThrows(java.net.SocketTimeoutException.class,
                    () -> peer.send(data, Duration.ofMillis(200)));
            assertTrue(System.nanoTime() - began >= Duration.ofMillis(200).toNanos(), "waited its timeout");
            assertTrue(timedOut.getMessage().contains("16 of 24 bytes"), timedOut.getMessage());
            assertThrows(IllegalArgumentException.class, () -> peer.send(data, Duration.ZERO));
            peer.wire().release(Direction.CLIENT_TO_SERVER);
            int got = 0;
            while (got < 16) {
                got += take(received).length;
            }
            assertEquals(16, got, "what fit arrived, and nothing more");
            peer.send(bytes("more"));
            assertEquals("more", text(take(received)), "the connection stays open");
        }
    }

    /**
     * A closed network makes nothing more (a server or client made after it closed would never be closed
     * with it), and closing it twice does nothing.
     */
    @Test
    void aClosedNetworkMakesNothingMore() {
        LoopbackNetwork network = new LoopbackNetwork();
        TcpServer server = network.server(ServerOptions.builder().port(0).build());
        network.close();
        assertEquals(ServerState.CLOSED, server.state(), "closed with the network");
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> network.server(ServerOptions.builder().port(0).build()));
        assertTrue(refused.getMessage().contains("closed"), refused.getMessage());
        assertThrows(IllegalStateException.class, () -> network.client(ClientOptions.builder().port(1).build()));
        network.close();
    }

    /**
     * A timeout too long for a {@code long} of nanoseconds ({@code ChronoUnit.FOREVER}'s) waits as long as
     * it takes, where it threw {@code ArithmeticException}.
     */
    @Test
    void aTimeoutOfForeverWaitsInsteadOfThrowing() throws Exception {
        Duration forever = java.time.temporal.ChronoUnit.FOREVER.getDuration();
        try (LoopbackNetwork network = new LoopbackNetwork()) {
            TcpServer server = network.server(ServerOptions.builder().port(0).onReceive((c, d) -> c.send(d)).build());
            server.start();
            RawPeer peer = network.dial(server.localAddress().orElseThrow());
            Wire wire = network.takeWire(forever).orElseThrow();
            peer.send(bytes("ping"), forever);
            assertEquals("ping", text(peer.read(forever).orElseThrow()));
            assertEquals("ping", text(wire.take(Direction.CLIENT_TO_SERVER, forever).orElseThrow()));
            assertTrue(wire.awaitReading(Direction.CLIENT_TO_SERVER, forever));
        }
    }
}
