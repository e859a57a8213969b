package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.bytes;
import static simplesockets.impl.Peers.connect;
import static simplesockets.impl.Peers.loopback;
import static simplesockets.impl.Peers.take;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import simplesockets.api.CallbackName;
import simplesockets.api.ClientOptions;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.ServerEvent;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;

/**
 * One regression test per defect of the Python original, numbered as in the behaviour record. Each
 * runs over real loopback sockets.
 */
@Timeout(30)
class SeedDefectsTest {

    private record Ended(Connection connection, DisconnectReason reason) {
    }

    @Test
    void defect1_eofIsOneDisconnectWithPeerClosedAndNoSpin() throws Exception {
        BlockingQueue<Ended> ended = new LinkedBlockingQueue<>();
        AtomicInteger received = new AtomicInteger();
        try (TcpServer server = TcpServer.create(loopback()
                .onReceive((c, d) -> received.incrementAndGet())
                .onDisconnect((c, r) -> ended.add(new Ended(c, r)))
                .build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                peer.getOutputStream().write(bytes("bye"));
            }
            Ended end = take(ended);
            assertEquals(DisconnectReason.PEER_CLOSED, end.reason());
            assertFalse(end.connection().isOpen());
            assertTrue(server.clients().isEmpty(), "the closed client must leave clients()");
            server.close(); // joins every thread of the server: whatever else would fire has fired
            assertNull(ended.poll(), "onDisconnect must fire exactly once");
            assertEquals(1, received.get(), "an EOF must not be delivered as data");
            assertFalse(server.hasExceptions(), "EOF is not an exception");
        }
    }

    @Test
    void defect2_resetIsADisconnectWithReasonReset() throws Exception {
        BlockingQueue<Ended> ended = new LinkedBlockingQueue<>();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback()
                .onConnect(connected::add)
                .onReceive((c, d) -> { })
                .onDisconnect((c, r) -> ended.add(new Ended(c, r)))
                .build())) {
            server.start();
            Socket peer = connect(server.localAddress().orElseThrow());
            take(connected);
            peer.setSoLinger(true, 0); // close() now sends RST
            peer.close();
            Ended end = take(ended);
            assertEquals(DisconnectReason.RESET, end.reason());
            assertTrue(server.clients().isEmpty());
            server.close(); // joins every thread of the server: whatever else would fire has fired
            assertNull(ended.poll(), "onDisconnect must fire exactly once");
        }
    }

    /**
     * The same for a connection handler, whose {@code read()} shows the reset as a plain
     * {@code SocketException}: whether the handler passes it on or catches it and returns, the
     * connection ends with reason {@code Reset} and nothing is recorded as a failure. Before, a handler
     * that passed it on ended {@code Failed} with a {@code Failure.Io} recorded, and one that returned
     * ended {@code ClosedByUs}.
     */
    @ParameterizedTest(name = "a handler that passes the reset on: {0}")
    @ValueSource(booleans = {true, false})
    void defect2_aHandlersResetIsADisconnectWithReasonReset(boolean passesItOn) throws Exception {
        BlockingQueue<Ended> ended = new LinkedBlockingQueue<>();
        CountDownLatch read = new CountDownLatch(1);
        try (TcpServer server = TcpServer.create(loopback()
                .handler(c -> {
                    try {
                        while (c.read().isPresent()) {
                            read.countDown();
                        }
                    } catch (IOException e) {
                        if (passesItOn) {
                            throw e;
                        }
                    }
                })
                .onDisconnect((c, r) -> ended.add(new Ended(c, r)))
                .build())) {
            server.start();
            Socket peer = connect(server.localAddress().orElseThrow());
            peer.getOutputStream().write(bytes("x"));
            assertTrue(read.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS), "the handler read");
            peer.setSoLinger(true, 0); // close() now sends RST
            peer.close();
            assertEquals(DisconnectReason.RESET, take(ended).reason());
            assertTrue(server.exceptions().isEmpty(), "a reset is no failure: " + server.exceptions());
        }
    }

    /**
     * A reset that a write sees first (a handler that only sends) is the same ordinary disconnect: reason
     * {@code Reset}, nothing recorded. Before, a write's reset was recorded as a {@code Failure.Io}, a
     * read's was not, so what was recorded depended on which side met the reset first.
     */
    @Test
    void defect2_aResetThatAWriteSeesIsNoFailureEither() throws Exception {
        BlockingQueue<DisconnectReason> ended = new LinkedBlockingQueue<>();
        CountDownLatch gone = new CountDownLatch(1);
        try (TcpServer server = TcpServer.create(loopback()
                .handler(c -> {
                    gone.await(); // sends only once the peer has reset: its writes, not a read, meet the reset
                    byte[] chunk = new byte[64 * 1024];
                    for (int i = 0; i < 1_000; i++) {
                        c.send(chunk);
                    }
                })
                .onDisconnect((c, r) -> ended.add(r))
                .build())) {
            server.start();
            Socket peer = connect(server.localAddress().orElseThrow());
            Peers.awaitCondition(() -> server.clients().size() == 1, Peers.WAIT, () -> "not connected");
            peer.setSoLinger(true, 0); // close() now sends RST
            peer.close();
            gone.countDown();
            assertEquals(DisconnectReason.RESET, take(ended));
            assertTrue(server.exceptions().isEmpty(), "a reset is no failure: " + server.exceptions());
        }
    }

    /**
     * Past {@code maxConnections}, clients are closed at once, and a refused client fires no callback at
     * all: neither {@code onConnect} nor {@code onDisconnect} (the seed fired both for clients it refused).
     */
    @Test
    void defect3_maxConnectionsIsEnforced() throws Exception {
        AtomicInteger connects = new AtomicInteger();
        AtomicInteger disconnects = new AtomicInteger();
        TcpServer server = TcpServer.create(loopback().maxConnections(1)
                .closeTimeout(Duration.ofSeconds(5)) // close() joins every thread within it: the count below is then final
                .onConnect(c -> connects.incrementAndGet())
                .onDisconnect((c, r) -> disconnects.incrementAndGet()).build());
        try (server) {
            server.start();
            try (Socket first = connect(server.localAddress().orElseThrow());
                 Socket second = connect(server.localAddress().orElseThrow());
                 Socket third = connect(server.localAddress().orElseThrow())) {
                assertTrue(Peers.closedByPeer(second, Duration.ofSeconds(2)), "second client must be closed");
                assertTrue(Peers.closedByPeer(third, Duration.ofSeconds(2)), "third client must be closed");
                assertFalse(Peers.closedByPeer(first, Duration.ofMillis(100)), "the first stays connected");
                assertEquals(1, server.clients().size());
                Peers.awaitCondition(() -> connects.get() > 0, Peers.WAIT, () -> "the first client's onConnect");
                assertEquals(0, disconnects.get(), "the refused clients fired no onDisconnect");
            }
        }
        // Closed: every thread joined, so every callback that would fire has fired.
        assertEquals(1, connects.get(), "onConnect for the first client only");
        assertEquals(1, disconnects.get(), "onDisconnect for the first client only");
    }

    @Test
    void defect4_noDataLostOrReorderedWhenDrainsRunDuringReceives() throws Exception {
        int clients = 4;
        int messagesPerClient = 2_000;
        try (TcpServer server = TcpServer.create(loopback().build())) {
            server.start();
            List<Thread> senders = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                senders.add(Thread.ofVirtual().start(() -> {
                    try (Socket peer = connect(server.localAddress().orElseThrow())) {
                        OutputStream out = peer.getOutputStream();
                        for (int i = 0; i < messagesPerClient; i++) {
                            out.write(ByteBuffer.allocate(8).putInt(client).putInt(i).array());
                        }
                        out.flush();
                        peer.shutdownOutput();
                        peer.getInputStream().read(); // hold the connection until the server closes it
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            Map<Connection, ByteArrayOutputStream> perConnection = new HashMap<>();
            int expected = clients * messagesPerClient * 8;
            int got = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (got < expected && System.nanoTime() < deadline) {
                // Alternate the blocking and the non-blocking drain while four connection threads
                // keep appending: the seed swapped its list without a lock here and lost data.
                List<ServerEvent.Received> batch = new ArrayList<>(server.awaitReceived(Duration.ofMillis(100)));
                batch.addAll(server.drainReceived());
                for (ServerEvent.Received r : batch) {
                    perConnection.computeIfAbsent(r.connection(), k -> new ByteArrayOutputStream()).writeBytes(r.data());
                    got += r.data().length;
                }
            }
            assertEquals(expected, got, "every byte arrives");
            for (ByteArrayOutputStream stream : perConnection.values()) {
                ByteBuffer in = ByteBuffer.wrap(stream.toByteArray());
                int client = in.getInt(0);
                for (int i = 0; i < messagesPerClient; i++) {
                    assertEquals(client, in.getInt(), "bytes of one connection only");
                    assertEquals(i, in.getInt(), "in order");
                }
            }
            for (Thread sender : senders) {
                server.clients().forEach(server::disconnect);
                assertTrue(sender.join(Duration.ofSeconds(5)));
            }
        }
    }

    @Test
    void defect5_exceptionListIsBoundedAndCountsWhatItDrops() throws Exception {
        CountDownLatch fifty = new CountDownLatch(50);
        try (TcpServer server = TcpServer.create(loopback().maxRecordedFailures(10)
                .framing(simplesockets.api.Framing.lengthPrefixed(16)) // 50 frames in one write: 50 callbacks
                .onReceive((c, d) -> {
                    throw new IllegalStateException("boom " + d[0]);
                })
                .onFailure(f -> fifty.countDown()) // runs after the failure was recorded
                .build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                ByteBuffer frames = ByteBuffer.allocate(50 * 5);
                for (int i = 0; i < 50; i++) {
                    frames.putInt(1).put((byte) i);
                }
                peer.getOutputStream().write(frames.array());
                assertTrue(fifty.await(5, TimeUnit.SECONDS));
            }
            List<Failure> failures = server.exceptions();
            assertEquals(10, failures.size());
            assertEquals(40, server.droppedExceptions());
            assertEquals("boom 40", failures.getFirst().cause().getMessage(), "the newest ten are kept");
            assertTrue(failures.stream().allMatch(f -> f instanceof Failure.Callback cb && cb.callback() == CallbackName.ON_RECEIVE));
        }
    }

    @Test
    void defect6_throwingCallbacksAreRecordedAndTheServerGoesOn() throws Exception {
        BlockingQueue<byte[]> echoed = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback()
                .onConnect(c -> {
                    throw new IllegalStateException("onConnect bug");
                })
                .onReceive((c, d) -> {
                    c.send(d);
                    throw new IllegalStateException("onReceive bug");
                })
                .build())) {
            server.start();
            for (int round = 0; round < 3; round++) {
                try (Socket peer = connect(server.localAddress().orElseThrow())) {
                    peer.getOutputStream().write(bytes("ping" + round));
                    echoed.add(Peers.readExactly(peer, 5));
                    // The connection survived the throwing onReceive: it still echoes.
                    peer.getOutputStream().write(bytes("again"));
                    assertArrayEquals(bytes("again"), Peers.readExactly(peer, 5));
                }
            }
            assertEquals(3, echoed.size(), "the accept loop survived three throwing onConnects");
            List<Failure> failures = server.drainExceptions();
            assertTrue(failures.stream().anyMatch(f -> f instanceof Failure.Callback cb && cb.callback() == CallbackName.ON_CONNECT));
            assertTrue(failures.stream().anyMatch(f -> f instanceof Failure.Callback cb && cb.callback() == CallbackName.ON_RECEIVE));
        }
    }

    /**
     * A paused server closes a new client itself: the seed left it in the backlog, never answered while
     * the server stayed paused, so any wait tells the two apart (2 s here, room for a loaded machine).
     * And {@code close()} ends the live connection and joins every thread promptly: a close whose threads
     * do not end when asked waits out its close timeout for them, set to 5 s here (500 ms by default) so
     * that such a close fails the 2 s bound by seconds, while a healthy one, some milliseconds, leaves a
     * loaded machine seconds of slack.
     */
    @Test
    void defect7_stopAndExitAcceptDoNotLeaveClientsInTheBacklogAndCloseJoins() throws Exception {
        TcpServer server = TcpServer.create(loopback()
                .closeTimeout(Duration.ofSeconds(5)) // what a close whose threads do not end waits: far past the bound
                .build());
        server.start();
        InetSocketAddress address = server.localAddress().orElseThrow();
        server.stop();
        try (Socket paused = connect(address)) {
            assertTrue(Peers.closedByPeer(paused, Duration.ofSeconds(2)), "a paused server closes new clients at once");
        }
        server.start();
        server.exitAccept();
        assertThrows(ConnectException.class, () -> connect(address), "killed: the listening socket is closed");
        server.restart();
        Socket live = connect(address);
        long started = System.nanoTime();
        server.close();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(tookMillis < 2_000, "close() took " + tookMillis + " ms");
        assertTrue(Peers.closedByPeer(live, Duration.ofMillis(250)), "closed by close(): its end is there already");
        live.close();
        assertThrows(ConnectException.class, () -> connect(address), "closed: nothing listens");
        server.close(); // idempotent
    }

    @Test
    void defect8_awaitsBlockWithATimeoutInsteadOfSpinning() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().build())) {
            server.start();
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpuBefore = threads.getCurrentThreadCpuTime();
            long started = System.nanoTime();
            assertTrue(server.awaitReceived(Duration.ofMillis(300)).isEmpty());
            assertTrue(server.awaitEvent(Duration.ofMillis(300)).isEmpty());
            long wallMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            long cpuMillis = TimeUnit.NANOSECONDS.toMillis(threads.getCurrentThreadCpuTime() - cpuBefore);
            assertTrue(wallMillis >= 590, "the awaits waited their timeout: " + wallMillis + " ms");
            assertTrue(cpuMillis < 150, "waiting burnt " + cpuMillis + " ms of CPU in " + wallMillis + " ms");

            // And they wake as soon as something arrives.
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                Thread poller = Thread.currentThread();
                Thread.ofVirtual().start(() -> {
                    try {
                        // Write once the poller waits, so the await must wake for it.
                        Peers.awaitCondition(() -> poller.getState() == Thread.State.TIMED_WAITING, Peers.WAIT,
                                () -> "the poller did not start waiting");
                        peer.getOutputStream().write(bytes("wake"));
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                List<ServerEvent.Received> got = server.awaitReceived(Peers.WAIT);
                assertEquals("wake", Peers.text(got.getFirst().data()));
            }
        }
    }

    /**
     * A negative timeout does not wait, however negative: {@code Duration.toNanos()} overflows past about
     * 292 years, and the awaits threw {@code ArithmeticException} for such a duration.
     */
    @Test
    void defect8_aNegativeTimeoutLooksOnceHoweverNegative() throws Exception {
        Duration farBack = Duration.ofSeconds(Long.MIN_VALUE);
        try (TcpServer server = TcpServer.create(loopback().build())) {
            server.start();
            assertTrue(server.awaitEvent(farBack).isEmpty());
            assertTrue(server.awaitReceived(farBack).isEmpty());
            assertFalse(server.awaitNewData(farBack));
        }
        try (TcpClient client = TcpClient.create(ClientOptions.builder().port(1).build())) {
            assertTrue(client.awaitEvent(farBack).isEmpty());
            assertTrue(client.awaitReceived(farBack).isEmpty());
            assertFalse(client.awaitNewData(farBack));
        }
    }

    /**
     * The seed's {@code await_event(timeout=0)} meant "wait for as long as it takes" (and spun while it
     * did). Code ported word for word, {@code awaitEvent(Duration.ZERO)}, waits without a limit too, as
     * the API's rule for every timeout says (zero switches it off), parked, until the event comes or the
     * owner closes; before, it returned at once, and a loop around it spun as the seed's did.
     */
    @Test
    void defect8_aZeroTimeoutWaitsWithoutALimitAsTheSeedsZeroMeant() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().build())) {
            server.start();
            var waiter = new java.util.concurrent.atomic.AtomicReference<Thread>();
            var event = Peers.startOn(Thread.ofVirtual(), "awaits-event", () -> {
                waiter.set(Thread.currentThread());
                return server.awaitEvent(Duration.ZERO);
            });
            awaitParked(waiter);
            assertFalse(event.isDone(), "it waits, for as long as it takes");
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                assertInstanceOf(ServerEvent.Connected.class, event.get(Peers.WAIT.toSeconds(), TimeUnit.SECONDS).orElseThrow());
                var data = Peers.startOn(Thread.ofVirtual(), "awaits-data", () -> {
                    waiter.set(Thread.currentThread());
                    return server.awaitReceived(Duration.ZERO);
                });
                awaitParked(waiter);
                peer.getOutputStream().write(bytes("at last"));
                assertEquals("at last", Peers.text(data.get(Peers.WAIT.toSeconds(), TimeUnit.SECONDS).getFirst().data()));
            }
            var untilClosed = Peers.startOn(Thread.ofVirtual(), "awaits-close", () -> {
                waiter.set(Thread.currentThread());
                return server.awaitNewData(Duration.ZERO);
            });
            awaitParked(waiter);
            server.close();
            assertFalse(untilClosed.get(Peers.WAIT.toSeconds(), TimeUnit.SECONDS), "closing ends the wait");
        }
        try (TcpClient client = TcpClient.create(ClientOptions.builder().port(1).build())) {
            var waiter = new java.util.concurrent.atomic.AtomicReference<Thread>();
            var event = Peers.startOn(Thread.ofVirtual(), "client-awaits", () -> {
                waiter.set(Thread.currentThread());
                return client.awaitEvent(Duration.ZERO);
            });
            awaitParked(waiter);
            client.close();
            assertTrue(event.get(Peers.WAIT.toSeconds(), TimeUnit.SECONDS).isEmpty(), "closing ends the client's wait too");
        }
    }

    /** Waits until the thread in {@code waiter} is parked, as a wait does (not running, as a spin would be). */
    private static void awaitParked(java.util.concurrent.atomic.AtomicReference<Thread> waiter) {
        Peers.awaitCondition(() -> waiter.get() != null && (waiter.get().getState() == Thread.State.WAITING
                || waiter.get().getState() == Thread.State.TIMED_WAITING), Peers.WAIT, () -> "it did not wait: " + waiter.get());
    }

    @Test
    void defect9_everyExceptionHasOneShapeAndBothSidesShareTheKeywords() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().onReceive((c, d) -> {
            throw new IllegalArgumentException("server side");
        }).build())) {
            server.start();
            try (TcpClient client = TcpClient.create(ClientOptions.builder().address(server.localAddress().orElseThrow())
                    .autoReceive(true).onReceive(d -> {
                        throw new IllegalArgumentException("client side");
                    }).build())) {
                client.connect();
                client.send(bytes("hi"));
                // Callback style: nothing polls events, so failures are read from the exception lists.
                Peers.awaitCondition(server::hasExceptions, Peers.WAIT, () -> "the server recorded nothing");
                Failure onServer = server.exceptions().getFirst();
                server.send(server.clients().getFirst(), bytes("back"));
                Peers.awaitCondition(client::hasExceptions, Peers.WAIT, () -> "the client recorded nothing");
                Failure onClient = client.exceptions().getFirst();
                assertInstanceOf(Failure.Callback.class, onServer);
                assertInstanceOf(Failure.Callback.class, onClient);
                // The same method, the same keywords, the same type on both sides.
                List<Failure> fromServer = server.exceptions(true, true);
                List<Failure> fromClient = client.exceptions(true, true);
                assertEquals(List.of(onServer), fromServer);
                assertEquals(List.of(onClient), fromClient);
                assertFalse(server.hasExceptions());
                assertFalse(client.hasExceptions());
            }
        }
    }

    @Test
    void defect10_disconnectOfAnUnknownAddressIsAnErrorForTheCallerNotACallback() throws Exception {
        List<java.net.SocketAddress> disconnects = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (TcpServer server = TcpServer.create(loopback()
                .onDisconnect((c, r) -> disconnects.add(c.remoteAddress())).build())) {
            server.start();
            assertFalse(server.disconnect(new InetSocketAddress("127.0.0.1", 1)));
            assertThrows(java.net.SocketException.class,
                    () -> server.send(new InetSocketAddress("127.0.0.1", 1), bytes("x")));
            // A real peer that leaves is the one disconnect; had the calls above made one, it came first.
            java.net.SocketAddress leaving;
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                leaving = peer.getLocalSocketAddress(); // it leaves without sending: nothing waits for polling
            }
            Peers.awaitCondition(() -> disconnects.contains(leaving), Peers.WAIT, () -> "the peer's disconnect did not come");
            assertEquals(List.of(leaving), disconnects, "the peer's is the only disconnect");
        }
    }

    private static <T extends Throwable> void assertThrows(Class<T> type, org.junit.jupiter.api.function.Executable body,
            String message) {
        org.junit.jupiter.api.Assertions.assertThrows(type, body, message);
    }

    private static <T extends Throwable> void assertThrows(Class<T> type, org.junit.jupiter.api.function.Executable body) {
        org.junit.jupiter.api.Assertions.assertThrows(type, body);
    }
}
