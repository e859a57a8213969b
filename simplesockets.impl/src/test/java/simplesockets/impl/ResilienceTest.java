package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.bytes;
import static simplesockets.impl.Peers.connect;
import static simplesockets.impl.Peers.loopback;
import static simplesockets.impl.Peers.take;
import static simplesockets.impl.Peers.text;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.ClientEvent;
import simplesockets.api.ClientOptions;
import simplesockets.api.Connection;
import simplesockets.api.Failure;
import simplesockets.api.ReconnectPolicy;
import simplesockets.api.ServerState;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;
import simplesockets.impl.time.SteppedClock;
import simplesockets.impl.transport.Acceptor;
import simplesockets.impl.transport.Network;
import simplesockets.impl.transport.Transport;

/**
 * What a peer, or a server that misbehaves toward a client, must not be able to do: make reconnects
 * spin, end the accept loop, or race a restart into a second listener; and what an operator can tune
 * (keep-alive probes). Over real loopback sockets.
 */
@Timeout(60)
class ResilienceTest {

    /** A server that accepts and closes at once, as a full server does, counting the connects. */
    private static final class SlamsTheDoor implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger accepted = new AtomicInteger();
        /** When each connect came, by {@code clock}: the test's stepped clock, if it has one. */
        final List<Long> at = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Thread loop;

        SlamsTheDoor() throws IOException {
            this(System::nanoTime);
        }

        SlamsTheDoor(java.util.function.LongSupplier clock) throws IOException {
            loop = Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try (Socket peer = socket.accept()) {
                        at.add(clock.getAsLong());
                        accepted.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        @Override
        public void close() throws Exception {
            socket.close();
            loop.join(Peers.WAIT);
        }
    }

    @Test
    void reconnectBackOffGrowsAgainstAServerThatClosesAtOnce() throws Exception {
        SteppedClock clock = new SteppedClock();
        try (SlamsTheDoor server = new SlamsTheDoor(clock::nanoTime);
                TcpClient client = new ClientEngine(SocketNetwork.INSTANCE, ClientOptions.builder()
                        .port(server.socket.getLocalPort()).autoReceive(true)
                        .reconnect(ReconnectPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(10))).build(),
                        clock)) {
            client.connect();
            Duration step = Duration.ofMillis(50);
            // 8 s of the clock, in steps, each taken while the reconnect loop waits out its back-off.
            for (int i = 0; i < 160; i++) {
                assertTrue(clock.awaitSleepers(1, Peers.WAIT), "the reconnect loop waits on the clock");
                clock.advance(step);
            }
            int connects = server.accepted.get();
            System.out.println("connects in 8 s of back-off: " + connects);
            // 0.1, 0.3, 0.7, 1.5, 3.1, 6.3 s (each ±20%): six or so, never the 80 of a count that starts over.
            assertTrue(connects >= 3 && connects <= 15, "connects in 8 s: " + connects);
            // Each wait longer than the one before: doubling, with jitter of ±20%, is at least 1.33 times
            // as long; a clock step (50 ms) of slack for when each connect is seen.
            List<Long> gaps = new java.util.ArrayList<>();
            for (int i = 1; i < server.at.size(); i++) {
                gaps.add((server.at.get(i) - server.at.get(i - 1)) / 1_000_000);
            }
            for (int i = 1; i < gaps.size(); i++) {
                assertTrue(gaps.get(i) + 50 > gaps.get(i - 1) * 5 / 4, "the back-off grows: gaps in ms " + gaps);
            }
        }
    }

    @Test
    void theAttemptCountStartsAgainOnlyAfterAStableConnection() throws Exception {
        SteppedClock clock = new SteppedClock();
        BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TcpClient client = new ClientEngine(SocketNetwork.INSTANCE, ClientOptions.builder()
                        .port(server.getLocalPort()).autoReceive(true)
                        .reconnect(ReconnectPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(10))
                                .withJitter(0).withStableAfter(Duration.ofSeconds(5))).build(), clock)) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        accepted.add(server.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            client.connect();
            // Lost at once: attempt 1 (100 ms); lost at once again: attempt 2 (200 ms), not 1 again.
            take(accepted).close();
            assertEquals(1, awaitReconnecting(client).attempt());
            assertTrue(clock.awaitSleepers(1, Peers.WAIT), "the back-off began");
            clock.advance(Duration.ofMillis(100));
            take(accepted).close();
            assertEquals(2, awaitReconnecting(client).attempt());
            assertTrue(clock.awaitSleepers(1, Peers.WAIT), "the back-off began");
            clock.advance(Duration.ofMillis(200));
            // This one stays up past stableAfter: the next loss starts from attempt 1.
            Socket stable = take(accepted);
            awaitConnected(client);
            clock.advance(Duration.ofSeconds(5));
            stable.close();
            ClientEvent.Reconnecting again = awaitReconnecting(client);
            assertEquals(1, again.attempt());
            assertEquals(Duration.ofMillis(100), again.delay());
            client.close();
            server.close();
            acceptor.join(Peers.WAIT);
        }
    }

    private static ClientEvent.Reconnecting awaitReconnecting(TcpClient client) throws InterruptedException {
        for (int i = 0; i < 20; i++) {
            ClientEvent event = client.awaitEvent(Peers.WAIT).orElseThrow();
            if (event instanceof ClientEvent.Reconnecting r) {
                return r;
            }
        }
        throw new AssertionError("no Reconnecting event");
    }

    private static void awaitConnected(TcpClient client) throws InterruptedException {
        for (int i = 0; i < 20; i++) {
            if (client.awaitEvent(Peers.WAIT).orElseThrow() instanceof ClientEvent.Connected) {
                return;
            }
        }
        throw new AssertionError("no Connected event");
    }

    @Test
    void aZeroInitialDelayIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReconnectPolicy.exponential(Duration.ZERO, Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("positive"), e.getMessage());
    }

    @Test
    void theAcceptLoopSurvivesAnErrorAndKeepsServing() throws Exception {
        AtomicBoolean failNext = new AtomicBoolean(true);
        Network failing = AcceptHook.around(real -> {
            if (failNext.getAndSet(false)) {
                throw new OutOfMemoryError("simulated: no memory for the next connection");
            }
            return real.accept();
        });
        SteppedClock clock = new SteppedClock();
        try (TcpServer server = new ServerEngine(failing, loopback().onReceive((c, d) -> c.send(d)).build(), clock)) {
            server.start();
            assertTrue(clock.awaitSleepers(1, Peers.WAIT), "the accept loop backs off after the error");
            assertEquals(ServerState.ACCEPTING, server.state());
            Failure failure = server.exceptions().getFirst();
            assertInstanceOf(Failure.Accept.class, failure);
            assertInstanceOf(OutOfMemoryError.class, failure.cause());
            clock.advance(Duration.ofMillis(10));
            try (Socket fresh = connect(server.localAddress().orElseThrow())) {
                fresh.getOutputStream().write(bytes("still here"));
                assertEquals("still here", text(Peers.readExactly(fresh, 10)));
            }
        }
    }

    @Test
    void restartCannotBindWhileAnExitAcceptIsStillClosingTheListener() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().build())) {
            server.start();
            AtomicInteger bindFailures = new AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<IOException> firstFailure = new java.util.concurrent.atomic.AtomicReference<>();
            AtomicInteger restarts = new AtomicInteger();
            long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            Thread exiting = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 20_000 && System.nanoTime() < until; i++) {
                    server.exitAccept();
                }
            });
            Thread restarting = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 20_000 && System.nanoTime() < until; i++) {
                    try {
                        server.restart();
                        restarts.incrementAndGet();
                    } catch (IllegalStateException e) {
                        // not KILLED at that moment: fine
                    } catch (IOException e) {
                        bindFailures.incrementAndGet();
                        firstFailure.compareAndSet(null, e);
                    }
                }
            });
            exiting.join(Peers.WAIT);
            restarting.join(Peers.WAIT);
            System.out.println("restarts: " + restarts.get() + ", bind failures: " + bindFailures.get());
            assertTrue(restarts.get() > 0, "the race was run");
            assertEquals(0, bindFailures.get(), () -> "a restart bound while the old listener was still open: "
                    + firstFailure.get());
            if (server.state() == ServerState.KILLED) {
                server.restart();
            }
            assertEquals(ServerState.ACCEPTING, server.state());
            try (Socket fresh = connect(server.localAddress().orElseThrow())) {
                Peers.awaitCondition(() -> server.clients().size() == 1, Peers.WAIT, () -> "the server no longer accepts");
            }
        }
    }

    @Test
    void keepAliveProbesAreTunedOnEverySocket() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback()
                .keepAlive(Duration.ofSeconds(60), Duration.ofSeconds(10), 3).onConnect(connected::add).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                Socket socket = ((SocketTransport) ((Link) take(connected)).transport()).socket();
                assertTrue(socket.getKeepAlive());
                List<Integer> tuned = List.of(socket.getOption(ExtendedSocketOptions.TCP_KEEPIDLE),
                        socket.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL),
                        socket.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT));
                assertEquals(List.of(60, 10, 3), tuned);
                assertTrue(peer.isConnected());
            }
        }
    }
}
