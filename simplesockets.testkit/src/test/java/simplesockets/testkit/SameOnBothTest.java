package simplesockets.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import simplesockets.api.ClientOptions;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;

/**
 * Tests written only against {@code simplesockets.api}, run unchanged on the loopback network and on
 * real sockets: what passes on the fake says something about the real thing.
 */
@Timeout(60)
class SameOnBothTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    static Stream<Supplier<Fixture>> fixtures() {
        return Fixture.all().stream();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static <T> T take(BlockingQueue<T> queue) throws InterruptedException {
        T item = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (item == null) {
            throw new AssertionError("nothing arrived within " + WAIT);
        }
        return item;
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void echoClientAndServer(Supplier<Fixture> make) throws Exception {
        try (Fixture fixture = make.get()) {
            TcpServer server = fixture.server(ServerOptions.builder().onReceive((c, d) -> c.send(d)));
            server.start();
            TcpClient client = fixture.client(ClientOptions.builder().address(server.localAddress().orElseThrow()));
            client.connect();
            client.send(bytes("ping"));
            assertEquals("ping", new String(client.receive(WAIT).orElseThrow(), StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void peerCloseAndResetAreOneDisconnectEach(Supplier<Fixture> make) throws Exception {
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (Fixture fixture = make.get()) {
            TcpServer server = fixture.server(ServerOptions.builder().onConnect(connected::add)
                    .onReceive((c, d) -> { }).onDisconnect((c, r) -> reasons.add(r)));
            server.start();
            Fixture.Peer closing = fixture.dial(server.localAddress().orElseThrow());
            take(connected);
            closing.close();
            assertEquals(DisconnectReason.PEER_CLOSED, take(reasons));

            Fixture.Peer resetting = fixture.dial(server.localAddress().orElseThrow());
            take(connected);
            resetting.reset();
            assertEquals(DisconnectReason.RESET, take(reasons));
            assertNull(reasons.poll(100, TimeUnit.MILLISECONDS), "exactly once each");
            assertTrue(server.clients().isEmpty());
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void theConnectionLimitHolds(Supplier<Fixture> make) throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (Fixture fixture = make.get()) {
            TcpServer server = fixture.server(ServerOptions.builder().maxConnections(2).onConnect(connected::add));
            server.start();
            Fixture.Peer a = fixture.dial(server.localAddress().orElseThrow());
            Fixture.Peer b = fixture.dial(server.localAddress().orElseThrow());
            take(connected);
            take(connected);
            Fixture.Peer c = fixture.dial(server.localAddress().orElseThrow());
            assertTrue(c.awaitClosed(WAIT), "the third is refused");
            assertFalse(a.awaitClosed(Duration.ofMillis(50)));
            assertEquals(2, server.clients().size());
            b.close();
            c.close();
            a.close();
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void polledDataArrivesWholeAndInOrderPerConnection(Supplier<Fixture> make) throws Exception {
        int peers = 3;
        int chunks = 300;
        try (Fixture fixture = make.get()) {
            TcpServer server = fixture.server(ServerOptions.builder().maxQueuedBytesPerConnection(4096));
            server.start();
            List<Fixture.Peer> all = new ArrayList<>();
            List<ByteArrayOutputStream> sent = new ArrayList<>();
            for (int p = 0; p < peers; p++) {
                all.add(fixture.dial(server.localAddress().orElseThrow()));
                sent.add(new ByteArrayOutputStream());
            }
            CountDownLatch done = new CountDownLatch(peers);
            for (int p = 0; p < peers; p++) {
                Fixture.Peer peer = all.get(p);
                ByteArrayOutputStream record = sent.get(p);
                int id = p;
                Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < chunks; i++) {
                            byte[] chunk = bytes(id + ":" + i + ";");
                            record.writeBytes(chunk);
                            peer.send(chunk);
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            java.util.Map<java.net.InetSocketAddress, ByteArrayOutputStream> got = new java.util.HashMap<>();
            long expected = 0;
            assertTrue(done.await(30, TimeUnit.SECONDS));
            for (ByteArrayOutputStream s : sent) {
                expected += s.size();
            }
            long total = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (total < expected && System.nanoTime() < deadline) {
                for (ServerEvent.Received r : server.awaitReceived(Duration.ofMillis(200))) {
                    got.computeIfAbsent(r.address(), k -> new ByteArrayOutputStream()).writeBytes(r.data());
                    total += r.data().length;
                }
            }
            for (int p = 0; p < peers; p++) {
                assertArrayEquals(sent.get(p).toByteArray(), got.get(all.get(p).localAddress()).toByteArray());
            }
        }
    }
}
