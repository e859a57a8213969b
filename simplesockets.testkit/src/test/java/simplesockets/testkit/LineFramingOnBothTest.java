package simplesockets.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import simplesockets.api.ClientOptions;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.Framing;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;

/**
 * Line framing on the loopback network and on real sockets alike: the testkit runs the engine's own
 * line codec, so a line protocol can be tested with no ports.
 */
@Timeout(60)
class LineFramingOnBothTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int MAX = 16;

    static Stream<Supplier<Fixture>> fixtures() {
        return Fixture.all().stream();
    }

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

    @ParameterizedTest
    @MethodSource("fixtures")
    void linesArriveWholeHoweverTheyAreCut(Supplier<Fixture> make) throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> ends = new LinkedBlockingQueue<>();
        try (Fixture fixture = make.get()) {
            TcpServer server = fixture.server(ServerOptions.builder().framing(Framing.lines(MAX))
                    .onReceive((c, d) -> lines.add(text(d))).onDisconnect((c, r) -> ends.add(r)));
            server.start();
            Fixture.Peer peer = fixture.dial(server.localAddress().orElseThrow());
            peer.send(bytes("hel"));
            peer.send(bytes("lo\r"));
            peer.send(bytes("\n\nwor"));
            peer.send(bytes("ld\nthe last"));
            peer.shutdownOutput();
            for (String expected : List.of("hello", "", "world", "the last")) {
                assertEquals(expected, take(lines));
            }
            assertEquals(DisconnectReason.PEER_CLOSED, take(ends));
            assertTrue(lines.isEmpty(), "nothing but whole lines: " + lines);
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void anOverLongLineEndsThatConnectionOnly(Supplier<Fixture> make) throws Exception {
        BlockingQueue<DisconnectReason> ends = new LinkedBlockingQueue<>();
        try (Fixture fixture = make.get()) {
            TcpServer server = fixture.server(ServerOptions.builder().framing(Framing.lines(MAX))
                    .onReceive((c, d) -> c.send(d)).onDisconnect((c, r) -> ends.add(r)));
            server.start();
            TcpClient client = fixture.client(ClientOptions.builder().address(server.localAddress().orElseThrow())
                    .framing(Framing.lines(MAX)));
            client.connect();
            Fixture.Peer bad = fixture.dial(server.localAddress().orElseThrow());
            bad.send(bytes("x".repeat(MAX + 1)));
            DisconnectReason reason = take(ends);
            assertInstanceOf(ProtocolException.class, assertInstanceOf(DisconnectReason.Failed.class, reason).cause());
            Failure failure = server.drainExceptions().getFirst();
            assertInstanceOf(Failure.Protocol.class, failure);
            assertEquals(bad.localAddress(), failure.peer().orElseThrow());
            assertTrue(bad.awaitClosed(WAIT));

            client.send(bytes("x".repeat(MAX)));
            assertEquals("x".repeat(MAX), text(client.receive(WAIT).orElseThrow()), "the other connection goes on");
            assertFalse(client.hasExceptions());
        }
    }

    @Test
    void onTheLoopbackNetworkTheWireCarriesEachLineWithItsNewline() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (LoopbackNetwork network = new LoopbackNetwork()) {
            TcpServer server = network.server(ServerOptions.builder().port(0).framing(Framing.lines(MAX))
                    .onConnect(connected::add).build());
            server.start();
            RawPeer peer = network.dial(server.localAddress().orElseThrow());
            Connection connection = take(connected);
            assertThrows(ProtocolException.class, () -> connection.send(bytes("two\nlines")));
            connection.send(bytes("one"));
            connection.send(bytes("two\r"));
            connection.disconnect();
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            for (int i = 0; i < 10; i++) {
                var read = peer.read(WAIT);
                if (read.isEmpty()) {
                    break;
                }
                wire.writeBytes(read.get());
            }
            assertEquals("one\ntwo\r\n", text(wire.toByteArray()), "the refused send wrote nothing");
        }
    }
}
