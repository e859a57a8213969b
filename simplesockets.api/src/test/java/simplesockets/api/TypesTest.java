package simplesockets.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Options validate and keep the seed's defaults; records copy their arrays; sealed types switch. */
class TypesTest {

    /**
     * Values the engine could not use are refused when the options are made, with a message, never
     * later inside the engine: durations past what nanoseconds count (about 292 years; they threw
     * {@code ArithmeticException} from {@code create}, {@code close} or the reconnect loop), keep-alive
     * times that are not whole seconds TCP takes (they were truncated, or refused by the socket), and
     * a primitive type for an attribute key (no value is an instance of it).
     */
    @Test
    void valuesTheEngineCouldNotUseAreRefusedUpFront() {
        Duration forever = java.time.temporal.ChronoUnit.FOREVER.getDuration();
        assertThrows(IllegalArgumentException.class, () -> ServerOptions.builder().idleTimeout(forever).build());
        assertThrows(IllegalArgumentException.class, () -> ClientOptions.builder().closeTimeout(forever).build());
        assertThrows(IllegalArgumentException.class, () -> ReconnectPolicy.exponential(Duration.ofMillis(100), forever));
        assertEquals(Duration.ofNanos(Long.MAX_VALUE), ReconnectPolicy.exponential(Duration.ofMillis(100),
                Duration.ofNanos(Long.MAX_VALUE)).withJitter(0).delay(200), "the longest cap still counts");
        assertThrows(IllegalArgumentException.class, () -> new KeepAlive(Duration.ofMillis(500), Duration.ZERO, 0));
        assertThrows(IllegalArgumentException.class, () -> new KeepAlive(Duration.ofSeconds(40_000), Duration.ZERO, 0));
        assertThrows(IllegalArgumentException.class, () -> new KeepAlive(Duration.ZERO, Duration.ZERO, 128));
        assertEquals(Duration.ofSeconds(60), new KeepAlive(Duration.ofSeconds(60), Duration.ofSeconds(10), 3).idle());
        assertThrows(IllegalArgumentException.class, () -> Attributes.Key.of("n", int.class));
        assertEquals("n", Attributes.Key.of("n", Integer.class).name());
    }

    /**
     * A frame or line maximum past 1 GiB is refused: a buffer that doubles toward it would ask for an
     * array Java cannot make (an {@code OutOfMemoryError} from a peer's announced length), and a line's
     * count could overflow.
     */
    @Test
    void framingMaximaPastOneGibibyteAreRefused() {
        assertEquals(Framing.LARGEST, ((Framing.LengthPrefixed) Framing.lengthPrefixed(1 << 30)).maxFrameBytes());
        assertThrows(IllegalArgumentException.class, () -> Framing.lengthPrefixed((1 << 30) + 1));
        assertThrows(IllegalArgumentException.class, () -> Framing.lengthPrefixed(Integer.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> Framing.lines(Integer.MAX_VALUE));
        assertEquals(Framing.LARGEST, ((Framing.Lines) Framing.lines(1 << 30)).maxLineBytes());
    }

    /**
     * At the cap, the jitter still spreads the waits: a wait it would take past {@code maxDelay} is folded
     * back below it. Clipped, about half of the waits at the cap were exactly {@code maxDelay}, and a fleet
     * of clients that lost one server came back in step.
     */
    @Test
    void waitsAtTheCapStaySpreadOut() {
        ReconnectPolicy policy = ReconnectPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(1)).withJitter(1);
        int atTheCap = 0;
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 2_000; i++) {
            Duration wait = policy.delay(5);
            assertTrue(wait.compareTo(Duration.ofSeconds(1)) <= 0, "never past maxDelay: " + wait);
            atTheCap += wait.equals(Duration.ofSeconds(1)) ? 1 : 0;
            least = Math.min(least, wait.toMillis());
        }
        assertTrue(atTheCap < 20, atTheCap + " of 2,000 waits were exactly maxDelay");
        assertTrue(least < 100, "spread down to near 0 with a jitter of 1, least " + least + " ms");
    }

    /** A trusted proxy that begins with neither a hex digit nor a colon is refused as it is, never looked up by name. */
    @Test
    void aTrustedProxyThatIsNoLiteralIsRefusedWithoutALookup() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProxyProtocol.trusting(".::1"));
        assertTrue(e.getMessage().contains(".::1"), e.getMessage());
    }

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
    void receivedHandsOverItsArrayWithoutCopies() {
        byte[] data = {1, 2, 3};
        ClientEvent.Received received = new ClientEvent.Received(data, Instant.EPOCH);
        assertSame(data, received.data(), "the taker owns the array: no copy in or out");
        assertEquals(received, new ClientEvent.Received(new byte[] {1, 2, 3}, Instant.EPOCH), "equal by content");
        assertEquals(received.hashCode(), new ClientEvent.Received(new byte[] {1, 2, 3}, Instant.EPOCH).hashCode());
        assertTrue(received.toString().contains("3 bytes"));
    }

    @Test
    void optionsHaveNoPublicConstructorsSoAnOptionCanBeAdded() {
        for (Class<?> type : List.of(ServerOptions.class, ClientOptions.class, TlsOptions.class, ReconnectPolicy.class)) {
            assertEquals(0, type.getConstructors().length, type + " is made only by its builder or factories");
            assertTrue(java.lang.reflect.Modifier.isFinal(type.getModifiers()), type + " is final");
        }
        assertEquals(3, KeepAlive.class.getConstructors()[0].getParameterCount(), "a small record is fine");
    }

    /**
     * A TLS handshake timeout that is {@code null} is refused by its setter, and one that is not positive by
     * {@code build()} with a message, before any store is read, as each one's Javadoc says; a keep-alive out
     * of TCP's ranges is refused by its setter.
     */
    @Test
    void badTlsTimeoutsAndKeepAlivesAreRefusedWhereTheirJavadocSays() {
        assertThrows(NullPointerException.class, () -> TlsOptions.builder().handshakeTimeout(null));
        for (Duration bad : List.of(Duration.ZERO, Duration.ofSeconds(-1))) {
            TlsOptions.Builder builder = TlsOptions.builder()
                    .keyStore(java.nio.file.Path.of("no-such-store.p12"), new char[0]).handshakeTimeout(bad);
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, builder::build,
                    "refused before the missing store is read");
            assertTrue(thrown.getMessage().contains("handshakeTimeout"), thrown.getMessage());
        }
        assertThrows(IllegalArgumentException.class,
                () -> ServerOptions.builder().keepAlive(Duration.ofMillis(1500), Duration.ZERO, 0));
        assertThrows(IllegalArgumentException.class,
                () -> ClientOptions.builder().keepAlive(Duration.ZERO, Duration.ZERO, 128));
    }

    @Test
    void conflictingOptionsAreRefusedAtBuildWithAMessage() {
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> ServerOptions.builder()
                .handler(connection -> { }).onReceive((connection, data) -> { }).build());
        assertTrue(both.getMessage().contains("handler and onReceive"), both.getMessage());
        // Turning keep-alive off drops its tuning, last call winning as everywhere: options made with tuning
        // can be turned off through toBuilder() (it was refused as a contradiction there, with no way out).
        ClientOptions tuned = ClientOptions.builder().keepAlive(Duration.ofSeconds(30), Duration.ofSeconds(5), 3).build();
        ClientOptions off = tuned.toBuilder().keepAlive(false).build();
        assertFalse(off.keepAlive());
        assertEquals(KeepAlive.SYSTEM, off.keepAliveTuning());
        ServerOptions server = ServerOptions.builder().keepAlive(Duration.ofSeconds(30), Duration.ofSeconds(5), 3).build()
                .toBuilder().keepAlive(false).unixSocket(java.nio.file.Path.of("/tmp/x.sock")).build();
        assertFalse(server.keepAlive(), "and then a Unix socket, which has no keep-alive");
        ServerOptions.builder().handler(connection -> { }).build();
        ServerOptions.builder().onReceive((connection, data) -> { }).build();
        // A client's port 0 reaches no server: refused when built, not at connect().
        IllegalArgumentException portZero = assertThrows(IllegalArgumentException.class,
                () -> ClientOptions.builder().port(0).build());
        assertTrue(portZero.getMessage().contains("the server's"), portZero.getMessage());
        ClientOptions.builder().port(0).unixSocket(java.nio.file.Path.of("/tmp/x.sock")).build(); // the port is not used
    }

    @Test
    void optionalPartsAreOptionalNeverNull() {
        ServerOptions server = ServerOptions.builder().build();
        assertEquals(Optional.empty(), server.tls());
        assertEquals(Optional.empty(), server.handler());
        assertEquals(Optional.empty(), server.onReceive());
        ClientOptions client = ClientOptions.builder().build();
        assertEquals(Optional.empty(), client.reconnect());
        assertEquals(Optional.empty(), client.onFailure());
        ServerOptions.OnReceive echo = (connection, data) -> connection.send(data);
        assertSame(echo, ServerOptions.builder().onReceive(echo).build().onReceive().orElseThrow());
        assertTrue(server.toString().startsWith("ServerOptions[host=127.0.0.1"), server.toString());
    }

    @Test
    void failuresSayWhichPeerIfAny() {
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 5);
        assertEquals(Optional.empty(), new Failure.Accept(new IOException(), Instant.EPOCH).peer());
        assertEquals(Optional.of(peer), new Failure.Io(peer, new IOException(), Instant.EPOCH).peer());
        assertEquals(Optional.of(peer), new Failure.Protocol(peer, new ProtocolException(), Instant.EPOCH).peer());
        assertEquals(Optional.of(peer), new Failure.Callback(CallbackName.ON_CONNECT, peer, new RuntimeException(),
                Instant.EPOCH).peer());
        assertEquals("onConnect", CallbackName.ON_CONNECT.builderMethod());
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
