package simplesockets.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Options validate and keep the seed's defaults; records copy their arrays; sealed types switch. */
class TypesTest {

    @Test
    void optionsRejectOutOfRangeValues() {
        assertThrows(IllegalArgumentException.class, () -> ServerOptions.builder().port(70_000).build());
        assertThrows(IllegalArgumentException.class, () -> ServerOptions.builder().backlog(-1).build());
        assertThrows(IllegalArgumentException.class, () -> ServerOptions.builder().receiveBufferSize(0).build());
        assertThrows(IllegalArgumentException.class, () -> ServerOptions.builder().maxConnections(-1).build());
        assertThrows(IllegalArgumentException.class,
                () -> ServerOptions.builder().closeTimeout(Duration.ofSeconds(-1)).build());
        assertThrows(NullPointerException.class, () -> ServerOptions.builder().framing(null).build());
        assertThrows(IllegalArgumentException.class, () -> ClientOptions.builder().maxQueuedBytes(0).build());
        assertThrows(IllegalArgumentException.class, () -> Framing.lengthPrefixed(0));
        assertThrows(IllegalArgumentException.class, () -> Framing.lines(0));
        assertEquals(new Framing.Lines(1), Framing.lines(1));
    }

    @Test
    void toBuilderRoundTrips() {
        ServerOptions server = ServerOptions.builder().port(9999).maxConnections(3).framing(Framing.lengthPrefixed(9)).build();
        assertEquals(server, server.toBuilder().build());
        ClientOptions client = ClientOptions.builder().host("::1").port(1).autoReceive(true).build();
        assertEquals(client, client.toBuilder().build());
        assertEquals(new InetSocketAddress("127.0.0.1", 7).getPort(),
                ClientOptions.builder().address(new InetSocketAddress("127.0.0.1", 7)).build().port());
    }

    @Test
    void receivedCopiesItsBytesInAndOut() {
        byte[] data = {1, 2, 3};
        ClientEvent.Received received = new ClientEvent.Received(data, Instant.EPOCH);
        data[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, received.data());
        assertNotSame(received.data(), received.data());
        assertEquals(received, new ClientEvent.Received(new byte[] {1, 2, 3}, Instant.EPOCH));
        assertTrue(received.toString().contains("3 bytes"));
    }

    @Test
    void failuresSayWhichPeerIfAny() {
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 5);
        assertEquals(Optional.empty(), new Failure.Accept(new IOException(), Instant.EPOCH).peer());
        assertEquals(Optional.of(peer), new Failure.Io(peer, new IOException(), Instant.EPOCH).peer());
        assertEquals(Optional.of(peer), new Failure.Protocol(peer, new ProtocolException(), Instant.EPOCH).peer());
        assertEquals(Optional.empty(), new Failure.Callback("onConnect", null, new RuntimeException(), Instant.EPOCH).peer());
    }

    @Test
    void disconnectReasonsAreExhaustive() {
        java.util.List<String> texts = new java.util.ArrayList<>();
        for (DisconnectReason reason : new DisconnectReason[] {DisconnectReason.CLOSED_BY_US, DisconnectReason.PEER_CLOSED,
                DisconnectReason.RESET, DisconnectReason.TIMED_OUT, DisconnectReason.SLOW_CONSUMER,
                new DisconnectReason.Failed(new IOException())}) {
            // No default branch: the compiler proves the switch covers every reason.
            texts.add(switch (reason) {
                case DisconnectReason.ClosedByUs c -> "us";
                case DisconnectReason.PeerClosed p -> "peer";
                case DisconnectReason.Reset r -> "reset";
                case DisconnectReason.TimedOut t -> "timeout";
                case DisconnectReason.SlowConsumer s -> "slow";
                case DisconnectReason.Failed f -> "failed";
            });
        }
        assertEquals(java.util.List.of("us", "peer", "reset", "timeout", "slow", "failed"), texts);
    }
}
