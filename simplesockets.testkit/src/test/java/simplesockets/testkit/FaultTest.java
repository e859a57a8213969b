package simplesockets.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import simplesockets.api.ClientEvent;
import simplesockets.api.ClientOptions;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.Framing;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;
import simplesockets.testkit.junit.LoopbackExtension;

/**
 * Every fault kind, and the library's reaction to it: the disconnect reason, the recorded failure,
 * and the server still serving its other clients.
 */
@Timeout(30)
@ExtendWith(LoopbackExtension.class)
class FaultTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final BlockingQueue<DisconnectReason> serverReasons = new LinkedBlockingQueue<>();

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] data) {
        return new String(data, StandardCharsets.UTF_8);
    }

    private TcpServer echoServer(LoopbackNetwork network, Framing framing) throws Exception {
        TcpServer server = network.server(ServerOptions.builder().port(0).framing(framing)
                .onReceive((c, d) -> c.send(d))
                .onDisconnect((c, r) -> serverReasons.add(r))
                .build());
        server.start();
        return server;
    }

    /** A polling server's next disconnect event, the events before it passed over: at most 1,000 of them, within 10 s. */
    private static ServerEvent.Disconnected awaitDisconnected(TcpServer server) throws InterruptedException {
        long deadline = System.nanoTime() + 2 * WAIT.toNanos();
        for (int i = 0; i < 1_000 && System.nanoTime() - deadline < 0; i++) {
            if (server.awaitEvent(WAIT).orElseThrow() instanceof ServerEvent.Disconnected gone) {
                return gone;
            }
        }
        throw new AssertionError("no disconnect among 1,000 events or within " + WAIT.multipliedBy(2));
    }

    private static DisconnectReason take(BlockingQueue<DisconnectReason> queue) throws InterruptedException {
        DisconnectReason reason = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (reason == null) {
            throw new AssertionError("no disconnect within " + WAIT);
        }
        return reason;
    }

    /** Another client still gets its echo: the fault hurt only its own connection. */
    private static void stillServes(LoopbackNetwork network, TcpServer server) throws Exception {
        TcpClient other = network.client(ClientOptions.builder().address(server.localAddress().orElseThrow())
                .framing(server.options().framing()).build());
        other.connect();
        other.send(bytes("other"));
        assertEquals("other", text(other.receive(WAIT).orElseThrow()));
        other.close();
    }

    private static DisconnectReason clientDisconnect(TcpClient client) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            var event = client.awaitEvent(WAIT);
            if (event.isPresent() && event.get() instanceof ClientEvent.Disconnected d) {
                return d.reason();
            }
        }
        throw new AssertionError("the client saw no disconnect");
    }

    @Test
    void resetIsAResetOnBothSides(LoopbackNetwork network) throws Exception {
        TcpServer server = echoServer(network, Framing.RAW);
        TcpClient client = network.client(ClientOptions.builder().address(server.localAddress().orElseThrow()).autoReceive(true).build());
        client.connect();
        Wire wire = network.takeWire(WAIT).orElseThrow();
        wire.apply(new Fault.Reset());
        assertEquals(DisconnectReason.RESET, take(serverReasons));
        assertEquals(DisconnectReason.RESET, clientDisconnect(client));
        assertTrue(server.exceptions().isEmpty(), "a reset is a disconnect, not a failure");
        stillServes(network, server);
    }

    /** A raw peer's send after a reset fails as a socket's does: with a JDK exception, never a testkit internal. */
    @Test
    void aRawPeerSeesAResetAsASocketException(LoopbackNetwork network) throws Exception {
        TcpServer server = echoServer(network, Framing.RAW);
        RawPeer peer = network.dial(server.localAddress().orElseThrow());
        peer.reset();
        IOException failed = assertThrows(IOException.class, () -> peer.send(bytes("after the reset")));
        assertEquals(java.net.SocketException.class, failed.getClass(), "a plain SocketException, as a socket throws");
        IOException alsoOnRead = assertThrows(IOException.class, () -> peer.read(WAIT));
        assertTrue(alsoOnRead.getClass().getName().startsWith("java."), "a JDK type: " + alsoOnRead.getClass());
    }

    @Test
    void closeIsAPeerCloseOnBothSides(LoopbackNetwork network) throws Exception {
        TcpServer server = echoServer(network, Framing.RAW);
        TcpClient client = network.client(ClientOptions.builder().address(server.localAddress().orElseThrow()).autoReceive(true).build());
        client.connect();
        network.takeWire(WAIT).orElseThrow().apply(new Fault.Close());
        assertEquals(DisconnectReason.PEER_CLOSED, take(serverReasons));
        assertEquals(DisconnectReason.PEER_CLOSED, clientDisconnect(client));
        stillServes(network, server);
    }

    @Test
    void halfCloseTowardsTheServerStillGetsThePolledReply(LoopbackNetwork network) throws Exception {
        TcpServer server = network.server(ServerOptions.builder().port(0).build()); // polling
        server.start();
        RawPeer peer = network.dial(server.localAddress().orElseThrow());
        peer.send(bytes("hi"));
        peer.wire().apply(new Fault.HalfClose(Direction.CLIENT_TO_SERVER));
        for (ServerEvent.Received r : server.awaitReceived(WAIT)) {
            server.send(r.connection(), r.data());
        }
        assertEquals("hi", text(peer.read(WAIT).orElseThrow()), "the reply crosses the open direction");
        assertTrue(peer.awaitClosed(WAIT), "then the server closes");
        assertEquals(DisconnectReason.PEER_CLOSED, awaitDisconnected(server).reason());
    }

    /**
     * A reply to a peer that has just closed its socket is taken, as TCP takes it (the peer's reset
     * answers only a later write), so the connection ends as the peer's close. Before, the in-memory
     * write failed at once as a reset, where TCP ended it as {@code PeerClosed}.
     */
    @Test
    void aReplyToAPeerThatJustClosedIsTakenAsOverTcp(LoopbackNetwork network) throws Exception {
        TcpServer server = echoServer(network, Framing.RAW);
        RawPeer peer = network.dial(server.localAddress().orElseThrow());
        peer.wire().apply(new Fault.Stall(Direction.CLIENT_TO_SERVER));
        peer.send(bytes("hi"));
        peer.close(); // before the server read "hi": its echo goes to a closed socket
        peer.wire().release(Direction.CLIENT_TO_SERVER);
        assertEquals(DisconnectReason.PEER_CLOSED, take(serverReasons));
        assertTrue(server.exceptions().isEmpty(), () -> "no failure: " + server.exceptions());
        stillServes(network, server);
    }

    /**
     * A reply a polling server sends after the peer closed the whole connection is taken and dropped, as
     * TCP takes it: the connection ends as a peer close, and nothing is recorded as a failure. Before,
     * the write failed ("output is shut down"), as if this side had shut its own output.
     */
    @Test
    void aReplyAfterThePeerClosedIsNoFailure(LoopbackNetwork network) throws Exception {
        TcpServer server = network.server(ServerOptions.builder().port(0).build()); // polling
        server.start();
        RawPeer peer = network.dial(server.localAddress().orElseThrow());
        peer.send(bytes("hi"));
        List<ServerEvent.Received> received = server.awaitReceived(WAIT);
        peer.wire().apply(new Fault.Close());
        for (ServerEvent.Received r : received) {
            server.send(r.connection(), r.data()); // queued: the connection's writer writes it after the close
        }
        assertEquals(DisconnectReason.PEER_CLOSED, awaitDisconnected(server).reason());
        assertTrue(server.exceptions().isEmpty(), () -> "no failure: " + server.exceptions());
    }

    @Test
    void halfCloseTowardsTheClientDisconnectsTheClientOnly(LoopbackNetwork network) throws Exception {
        TcpServer server = echoServer(network, Framing.RAW);
        TcpClient client = network.client(ClientOptions.builder().address(server.localAddress().orElseThrow()).autoReceive(true).build());
        client.connect();
        network.takeWire(WAIT).orElseThrow().apply(new Fault.HalfClose(Direction.SERVER_TO_CLIENT));
        assertEquals(DisconnectReason.PEER_CLOSED, clientDisconnect(client));
        // The client then closed its end, so the server sees the peer close too.
        assertEquals(DisconnectReason.PEER_CLOSED, take(serverReasons));
        stillServes(network, server);
    }

    @Test
    void streamEndingInsideAFrameIsARecordedFailure(LoopbackNetwork network) throws Exception {
        TcpServer server = echoServer(network, Framing.lengthPrefixed(100));
        RawPeer peer = network.dial(server.localAddress().orElseThrow());
        peer.send(new byte[] {0, 0, 0, 10, 1, 2, 3}); // 3 of 10 announced bytes
        peer.wire().apply(new Fault.HalfClose(Direction.CLIENT_TO_SERVER));
        DisconnectReason reason = take(serverReasons);
        Throwable cause = ((DisconnectReason.Failed) reason).cause();
        assertInstanceOf(java.net.ProtocolException.class, cause, "the peer broke the framing");
        assertInstanceOf(EOFException.class, cause.getCause());
        Failure failure = server.drainExceptions().getFirst();
        assertInstanceOf(Failure.Protocol.class, failure);
        assertEquals(peer.wire().clientAddress(), failure.peer().orElseThrow());
        stillServes(network, server);
    }

    @Test
    void stallHoldsBytesBackUntilReleased(LoopbackNetwork network) throws Exception {
        TcpServer server = network.server(ServerOptions.builder().port(0).build());
        server.start();
        RawPeer peer = network.dial(server.localAddress().orElseThrow());
        peer.wire().apply(new Fault.Stall(Direction.CLIENT_TO_SERVER));
        peer.send(bytes("held"));
        assertTrue(server.awaitReceived(Duration.ofMillis(200)).isEmpty(), "nothing crosses a stalled direction");
        peer.wire().release(Direction.CLIENT_TO_SERVER);
        assertEquals("held", text(server.awaitReceived(WAIT).getFirst().data()));
    }

    /**
     * Sends that arrive together are read together, as over TCP, where raw framing gives no message
     * boundaries: a polling server gets one piece for three sends. Before, every send was a piece of its
     * own, so a user's code that took a piece for a message passed here and failed over sockets.
     */
    @Test
    void sendsThatArriveTogetherAreOnePiece(LoopbackNetwork network) throws Exception {
        TcpServer server = network.server(ServerOptions.builder().port(0).build());
        server.start();
        RawPeer peer = network.dial(server.localAddress().orElseThrow());
        peer.wire().apply(new Fault.Stall(Direction.CLIENT_TO_SERVER));
        peer.send(bytes("one "));
        peer.send(bytes("two "));
        peer.send(bytes("three"));
        peer.wire().release(Direction.CLIENT_TO_SERVER);
        List<ServerEvent.Received> received = server.awaitReceived(WAIT);
        assertEquals(1, received.size(), "one read, one piece");
        assertEquals("one two three", text(received.getFirst().data()));
    }

    /**
     * A server that goes on sending after the connection closed learns it: the first write is taken, as
     * TCP takes it, and a later one fails, so the connection ends. Before, every write was dropped in
     * silence and the connection's sender never heard of the close.
     */
    @Test
    void aSenderThatGoesOnAfterACloseLearnsThePeerIsGone(LoopbackNetwork network) throws Exception {
        TcpServer server = network.server(ServerOptions.builder().port(0).handler(connection -> {
            byte[] tick = bytes("tick");
            for (int i = 0; i < 10_000; i++) { // bounded: a sender that never learns ends the test here
                connection.send(tick);
                if (i == 0) {
                    network.takeWire(WAIT).orElseThrow().apply(new Fault.Close());
                }
            }
        }).onDisconnect((c, r) -> serverReasons.add(r)).build());
        server.start();
        RawPeer peer = network.dial(server.localAddress().orElseThrow());
        DisconnectReason reason = take(serverReasons);
        assertEquals(DisconnectReason.RESET, reason, "a send after the close met the peer's reset, as over TCP");
        peer.close();
    }

    /** {@code awaitClosed} with no time to wait still looks once: it was false before it read anything. */
    @Test
    void awaitClosedWithoutWaitingLooksOnce(LoopbackNetwork network) throws Exception {
        TcpServer server = network.server(ServerOptions.builder().port(0).onConnect(Connection::disconnect).build());
        server.start();
        RawPeer peer = network.dial(server.localAddress().orElseThrow());
        assertTrue(peer.awaitClosed(WAIT), "the server closes it");
        assertTrue(peer.awaitClosed(Duration.ZERO), "and a look without waiting sees it closed too");
    }

    /**
     * On a manual clock, a delay counts the clock's time: bytes delayed an hour arrive when the test
     * advances the clock an hour, at once. Before, the delay ran on real time whatever the clock did.
     */
    @Test
    void aDelayOnAManualClockEndsWhenTheClockPassesIt() throws Exception {
        ManualClock clock = new ManualClock();
        try (LoopbackNetwork network = new LoopbackNetwork(clock)) {
            TcpServer server = network.server(ServerOptions.builder().port(0).onReceive((c, d) -> c.send(d)).build());
            server.start();
            RawPeer peer = network.dial(server.localAddress().orElseThrow());
            peer.wire().apply(new Fault.Delay(Direction.CLIENT_TO_SERVER, Duration.ofHours(1)));
            peer.send(bytes("an hour late"));
            assertThrows(java.net.SocketTimeoutException.class, () -> peer.read(Duration.ofMillis(200)),
                    "nothing before the clock moves");
            clock.advance(Duration.ofHours(1));
            assertEquals("an hour late", text(peer.read(WAIT).orElseThrow()));
        }
    }

    /**
     * Bytes a {@link Fault.Delay} still holds back have not arrived, so a disconnect meanwhile is an
     * orderly close, as a socket's is, and the reply sent before it reaches the peer. Before, the close
     * counted them as unread and reset the connection, which threw the reply away.
     */
    @Test
    void aDisconnectWithBytesStillDelayedClosesInOrderAndTheReplyArrives() throws Exception {
        ManualClock clock = new ManualClock();
        try (LoopbackNetwork network = new LoopbackNetwork(clock)) {
            java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
            TcpServer server = network.server(ServerOptions.builder().port(0).onReceive((c, d) -> {
                ready.await(); // "b" is sent
                c.send(bytes("reply"));
                c.disconnect();
            }).onDisconnect((c, r) -> serverReasons.add(r)).build());
            server.start();
            RawPeer peer = network.dial(server.localAddress().orElseThrow());
            peer.wire().apply(new Fault.Delay(Direction.CLIENT_TO_SERVER, Duration.ofSeconds(1)));
            peer.send(bytes("a"));
            clock.advance(Duration.ofSeconds(1)); // "a" arrives
            peer.send(bytes("b")); // and "b" is on its way when the server disconnects
            ready.countDown();
            assertEquals(DisconnectReason.CLOSED_BY_US, take(serverReasons), "the server closed it");
            assertEquals("reply", text(peer.read(WAIT).orElseThrow()), "read after the close: not reset away");
            assertTrue(peer.awaitClosed(WAIT), "then an orderly end of stream");
        }
    }

    /**
     * Bytes a {@link Fault.Delay} still holds back have not arrived, so a graceful close begun meanwhile
     * does not wait for them, as a socket's would not: on a manual clock that never moves, the close
     * still returns. Before, the drain counted them as arrived and waited for them, for as long as the
     * test did not advance the clock.
     */
    @Test
    void aDrainDoesNotWaitForBytesADelayHoldsBack() throws Exception {
        ManualClock clock = new ManualClock();
        try (LoopbackNetwork network = new LoopbackNetwork(clock)) {
            TcpServer server = network.server(ServerOptions.builder().port(0).onReceive((c, d) -> c.send(d)).build());
            server.start();
            RawPeer peer = network.dial(server.localAddress().orElseThrow());
            peer.wire().apply(new Fault.Delay(Direction.CLIENT_TO_SERVER, Duration.ofHours(1)));
            peer.send(bytes("still in flight"));
            assertTrue(peer.wire().awaitReading(Direction.CLIENT_TO_SERVER, WAIT), "the server reads");
            java.util.concurrent.CompletableFuture<Integer> closing =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> server.close(Duration.ofSeconds(10)));
            assertEquals(0, closing.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).intValue(),
                    "the drain ended without the clock moving");
            assertTrue(peer.awaitClosed(WAIT), "the connection closed");
        }
    }

    /** On a manual clock: the idle timeout counts the clock's time, which only the test moves. */
    @Test
    void aStalledPeerTimesOutWhenTheServerHasAnIdleTimeout() throws Exception {
        Duration idle = Duration.ofMillis(200);
        ManualClock clock = new ManualClock();
        try (LoopbackNetwork network = new LoopbackNetwork(clock)) {
            BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
            TcpServer server = network.server(ServerOptions.builder().port(0).idleTimeout(idle).onConnect(connected::add)
                    .onReceive((c, d) -> c.send(d)).onDisconnect((c, r) -> serverReasons.add(r)).build());
            server.start();
            RawPeer peer = network.dial(server.localAddress().orElseThrow());
            peer.wire().apply(new Fault.Stall(Direction.CLIENT_TO_SERVER));
            peer.send(bytes("never arrives"));
            Connection connection = connected.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(connection, "no connect within " + WAIT);
            // The idle time counts from the moment the server's read begins: wait for it, then step.
            assertTrue(peer.wire().awaitReading(Direction.CLIENT_TO_SERVER, WAIT), "the server did not read");
            clock.advance(idle.minusMillis(1));
            assertTrue(connection.isOpen(), "still open just under the idle timeout, at " + clock);
            assertTrue(serverReasons.isEmpty());
            // Past it and the check after it (a quarter of it): the checks run inside advance(), so the
            // close is decided when the step returns.
            clock.advance(idle.dividedBy(4).plusMillis(2));
            assertFalse(connection.isOpen(), "closed past the idle timeout, at " + clock);
            assertEquals(DisconnectReason.TIMED_OUT, take(serverReasons));
            assertTrue(peer.awaitClosed(WAIT), "the peer sees the close");
            assertTrue(server.exceptions().isEmpty(), "a timeout is a disconnect, not a failure");
            stillServes(network, server);
        }
    }

    @Test
    void fragmentSplitsEveryReadButFramingReassembles(LoopbackNetwork network) throws Exception {
        TcpServer raw = network.server(ServerOptions.builder().port(0).build());
        raw.start();
        network.faultNextConnection(new Fault.Fragment(Direction.CLIENT_TO_SERVER, 3));
        RawPeer peer = network.dial(raw.localAddress().orElseThrow());
        peer.send(bytes("abcdefgh"));
        List<String> pieces = new ArrayList<>();
        while (String.join("", pieces).length() < 8) {
            raw.awaitReceived(WAIT).forEach(r -> pieces.add(text(r.data())));
        }
        assertEquals(List.of("abc", "def", "gh"), pieces, "raw mode delivers each read");

        TcpServer framed = echoServer(network, Framing.lengthPrefixed(1000));
        network.faultNextConnection(new Fault.Fragment(Direction.CLIENT_TO_SERVER, 1));
        TcpClient client = network.client(ClientOptions.builder().address(framed.localAddress().orElseThrow())
                .framing(Framing.lengthPrefixed(1000)).build());
        client.connect();
        byte[] message = new byte[300];
        for (int i = 0; i < message.length; i++) {
            message[i] = (byte) i;
        }
        client.send(message);
        assertArrayEquals(message, client.receive(WAIT).orElseThrow(), "one byte at a time, one message out");
        assertTrue(framed.exceptions().isEmpty());
        stillServes(network, framed);
    }

    @Test
    void delayDelaysButKeepsOrder(LoopbackNetwork network) throws Exception {
        TcpServer server = network.server(ServerOptions.builder().port(0).framing(Framing.lengthPrefixed(100)).build());
        server.start();
        RawPeer peer = network.dial(server.localAddress().orElseThrow());
        peer.wire().apply(new Fault.Delay(Direction.CLIENT_TO_SERVER, Duration.ofMillis(150)));
        long sent = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            peer.send(ByteBuffer.allocate(5).putInt(1).put((byte) i).array());
        }
        List<Integer> got = new ArrayList<>();
        while (got.size() < 5) {
            server.awaitReceived(WAIT).forEach(r -> got.add((int) r.data()[0]));
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
        assertTrue(tookMillis >= 150, "delivered after " + tookMillis + " ms");
        assertEquals(List.of(0, 1, 2, 3, 4), got);
        assertTrue(server.clients().getFirst().isOpen(), "a slow network is not a disconnect");
    }

    @Test
    void trafficIsRecordedForTake(LoopbackNetwork network) throws Exception {
        TcpServer server = echoServer(network, Framing.lengthPrefixed(100));
        TcpClient client = network.client(ClientOptions.builder().address(server.localAddress().orElseThrow())
                .framing(Framing.lengthPrefixed(100)).build());
        client.connect();
        Wire wire = network.takeWire(WAIT).orElseThrow();
        client.send(bytes("abc"));
        assertArrayEquals(new byte[] {0, 0, 0, 3, 'a', 'b', 'c'}, wire.take(Direction.CLIENT_TO_SERVER, WAIT).orElseThrow(),
                "exactly the bytes on the wire, header included");
        assertArrayEquals(new byte[] {0, 0, 0, 3, 'a', 'b', 'c'}, wire.take(Direction.SERVER_TO_CLIENT, WAIT).orElseThrow());
        assertTrue(wire.take(Direction.CLIENT_TO_SERVER, Duration.ofMillis(50)).isEmpty());
        assertEquals(0, wire.droppedRecords(Direction.CLIENT_TO_SERVER));
    }
}
