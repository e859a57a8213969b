package simplesockets.testkit.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.ClientEvent;
import simplesockets.api.ClientOptions;
import simplesockets.api.ClientState;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.ReconnectPolicy;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;
import simplesockets.testkit.LoopbackNetwork;
import simplesockets.testkit.Direction;
import simplesockets.testkit.ManualClock;
import simplesockets.testkit.RawPeer;

/**
 * Tests of time as a library author writes them, with the testkit's public API only ({@link ManualClock}
 * and {@link LoopbackNetwork#LoopbackNetwork(ManualClock)}); in a package of its own, so that the
 * compiler holds it to that API. Nothing here sleeps: a 30 s timeout takes no real time.
 */
@Timeout(60)
class ManualClockUsageTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private static <T> T take(BlockingQueue<T> queue) throws InterruptedException {
        T item = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(item, "nothing arrived within " + WAIT);
        return item;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anIdleConnectionIsClosedOnceTheClockPassesTheIdleTimeout() throws Exception {
        Duration idle = Duration.ofSeconds(30);
        ManualClock clock = new ManualClock();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        try (LoopbackNetwork network = new LoopbackNetwork(clock)) {
            TcpServer server = network.server(ServerOptions.builder().port(0).idleTimeout(idle)
                    .onConnect(connected::add).onReceive((c, d) -> c.send(d))
                    .onDisconnect((c, r) -> reasons.add(r)).build());
            server.start();
            RawPeer peer = network.dial(server.localAddress().orElseThrow());
            Connection connection = take(connected);

            // Idle time counts from the moment the server's read begins: wait for it, then step.
            assertTrue(peer.wire().awaitReading(Direction.CLIENT_TO_SERVER, WAIT), "the server did not read");
            clock.advance(Duration.ofSeconds(29));
            assertTrue(connection.isOpen(), "29 s of silence is not 30");

            // A peer that talks is not idle: the count starts again with each read.
            peer.send(bytes("ping"));
            assertEquals("ping", new String(peer.read(WAIT).orElseThrow(), StandardCharsets.UTF_8));
            assertTrue(peer.wire().awaitReading(Direction.CLIENT_TO_SERVER, WAIT), "the server did not read again");
            clock.advance(Duration.ofSeconds(29));
            assertTrue(connection.isOpen(), "29 s since the last data is not 30, at " + clock);
            assertTrue(reasons.isEmpty());

            // Now silence past the timeout and the check after it (a quarter of it): the server checks inside
            // advance(), so the close is decided when the step returns.
            clock.advance(Duration.ofSeconds(9));
            assertFalse(connection.isOpen(), "38 s of silence is past 30 and the check after it, at " + clock);
            assertEquals(DisconnectReason.TIMED_OUT, take(reasons));
            assertTrue(peer.awaitClosed(WAIT), "the peer sees the close");
            assertTrue(server.exceptions().isEmpty(), "a timeout is a disconnect, not a failure");
        }
    }

    @Test
    void aLostClientReconnectsOnceTheClockPassesItsBackOff() throws Exception {
        ManualClock clock = new ManualClock();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (LoopbackNetwork network = new LoopbackNetwork(clock)) {
            TcpServer server = network.server(ServerOptions.builder().port(0).onConnect(connected::add).build());
            server.start();
            TcpClient client = network.client(ClientOptions.builder().address(server.localAddress().orElseThrow()).autoReceive(true)
                    .reconnect(ReconnectPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(10)).withJitter(0))
                    .build());
            client.connect();
            take(connected).disconnect(); // the server drops the client

            ClientEvent event;
            do {
                event = client.awaitEvent(WAIT).orElseThrow();
            } while (!(event instanceof ClientEvent.Reconnecting));
            ClientEvent.Reconnecting reconnecting = (ClientEvent.Reconnecting) event;
            assertEquals(1, reconnecting.attempt());
            assertEquals(Duration.ofSeconds(1), reconnecting.delay());
            assertTrue(clock.awaitWaiters(1, WAIT), "the back-off began"); // so the clock moves it

            clock.advance(Duration.ofMillis(999));
            assertEquals(ClientState.DISCONNECTED, client.state(), "no attempt before the back-off ends");
            assertTrue(connected.isEmpty());

            clock.advance(Duration.ofMillis(1));
            do {
                event = client.awaitEvent(WAIT).orElseThrow();
            } while (!(event instanceof ClientEvent.Connected));
            take(connected);
            assertTrue(client.isConnected());
            assertFalse(clock.awaitWaiters(1, Duration.ZERO), "no back-off left");
        }
    }
}
