package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.bytes;
import static simplesockets.impl.Peers.loopback;
import static simplesockets.impl.Peers.take;
import static simplesockets.impl.Peers.text;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.ClientEvent;
import simplesockets.api.ClientOptions;
import simplesockets.api.ClientState;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.Framing;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;

/** Every client capability of the seed, over real loopback sockets. */
@Timeout(30)
class ClientTest {

    private static ClientOptions.Builder to(TcpServer server) {
        return ClientOptions.builder().address(server.localAddress().orElseThrow());
    }

    private static TcpServer echoServer() throws IOException {
        TcpServer server = TcpServer.create(loopback().onReceive((c, d) -> c.send(d)).build());
        server.start();
        return server;
    }

    /**
     * {@code onReceive} gets data only while the client receives in the background, as the seed's
     * {@code on_receive} ran only under {@code autorecv()}: with it off (the default), data waits in the
     * socket until {@code autoReceive(true)}, and a disconnect meanwhile ends the waiting reader. Before,
     * a client with {@code onReceive} read in the background whatever the setting said.
     */
    @Test
    void onReceiveGetsDataOnlyWhileReceivingInTheBackground() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> ended = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().onConnect(c -> c.send(bytes("hi"))).build())) {
            server.start();
            try (TcpClient client = TcpClient.create(to(server).onReceive(d -> received.add(text(d)))
                    .onDisconnect(ended::add).build())) {
                client.connect();
                assertFalse(client.isAutoReceiving());
                assertNull(received.poll(300, TimeUnit.MILLISECONDS), "nothing read while receiving is off");
                client.autoReceive(true);
                assertEquals("hi", take(received));
                client.autoReceive(false);
                client.disconnect();
                assertEquals(DisconnectReason.CLOSED_BY_US, take(ended));
                client.connect(); // a reader that waits for receiving to be turned on ...
                client.disconnect(); // ... ends with its connection
                assertEquals(DisconnectReason.CLOSED_BY_US, take(ended));
                assertNull(received.poll(), "nothing was read for it");
            }
        }
    }

    /**
     * An {@code Error} that escapes {@code onConnect} (callbacks record exceptions, but an error such as
     * a class that failed to load goes on) reaches the caller of {@code connect()}, and the connection
     * it was made for ends with it: the client is disconnected, its end is reported, and the server sees
     * it close. Before, the client stayed CONNECTED with no thread reading the connection. The end is
     * {@code Failed} with the error, as when an error escapes a callback on the connection's own thread
     * (it was {@code ClosedByUs}, which the user did not do).
     */
    @Test
    void anErrorFromOnConnectEndsTheConnectionItWasMadeFor() throws Exception {
        BlockingQueue<DisconnectReason> serverSaw = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> clientSaw = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().onDisconnect((c, why) -> serverSaw.add(why)).build())) {
            server.start();
            try (TcpClient client = TcpClient.create(to(server)
                    .onConnect(() -> {
                        throw new NoClassDefFoundError("a class the callback needed");
                    })
                    .onDisconnect(clientSaw::add).build())) {
                assertThrows(NoClassDefFoundError.class, client::connect);
                assertEquals(ClientState.DISCONNECTED, client.state(), "the connection ended with the error");
                DisconnectReason.Failed failed = assertInstanceOf(DisconnectReason.Failed.class, take(clientSaw),
                        "its end was reported");
                assertInstanceOf(NoClassDefFoundError.class, failed.cause());
                assertEquals(DisconnectReason.PEER_CLOSED, take(serverSaw), "the server saw it close");
                assertEquals(client.stats().connects(), client.stats().disconnects(), "counted open, then closed: " + client.stats());
            }
        }
    }

    @Test
    void defaultsAreTheSeeds() {
        ClientOptions defaults = ClientOptions.builder().build();
        assertEquals(25567, defaults.port());
        assertEquals(2048, defaults.receiveBufferSize());
        assertFalse(defaults.autoReceive(), "autorecv starts off, as in the seed");
        try (TcpClient client = TcpClient.create(defaults)) {
            assertEquals(ClientState.CREATED, client.state());
            assertEquals(25567, client.address().getPort());
            assertFalse(client.isConnected());
            assertFalse(client.hasConnected());
            assertFalse(client.isDisconnected());
        }
    }

    @Test
    void tutorialClientWithAutoReceiveAndPolling() throws Exception {
        try (TcpServer server = echoServer(); TcpClient client = TcpClient.create(to(server).build())) {
            client.connect();
            client.autoReceive(true);
            assertTrue(client.isAutoReceiving());
            client.send(bytes("Test"));
            List<byte[]> received = new ArrayList<>();
            while (Peers.concat(received).length < 4) {
                List<byte[]> got = client.awaitReceived(Peers.WAIT);
                assertFalse(got.isEmpty(), "the echo stopped after " + Peers.concat(received).length + " bytes");
                received.addAll(got);
            }
            assertEquals("Test", text(Peers.concat(received)));
            assertFalse(client.hasNewData());
            assertTrue(client.drainReceived().isEmpty());
            assertTrue(client.isConnected());
            assertTrue(client.hasConnected());
            assertEquals(server.localAddress().orElseThrow(), client.address());
            assertEquals(server.clients().getFirst().remoteAddress(), client.localAddress().orElseThrow());
        }
    }

    @Test
    void receiveWithoutAutoReceiveIsRequestResponse() throws Exception {
        try (TcpServer server = echoServer(); TcpClient client = TcpClient.create(to(server).build())) {
            client.connect();
            for (int i = 0; i < 20; i++) {
                client.send(bytes("req" + i));
                assertEquals("req" + i, text(client.receive(Peers.WAIT).orElseThrow()));
            }
            assertTrue(client.receive(Duration.ofMillis(100)).isEmpty(), "nothing more to read");
        }
    }

    @Test
    void withoutAutoReceiveNothingIsReadInTheBackground() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add)
                .onDisconnect((c, r) -> closed.countDown()).build())) {
            server.start();
            try (TcpClient client = TcpClient.create(to(server).build())) {
                client.connect();
                Connection connection = take(connected);
                connection.send(bytes("later"));
                connection.disconnect(); // writes "later", then closes
                // Once the server reports it closed, the data and the end of stream are in the client's
                // socket (loopback delivers within the sending call): neither has been read.
                assertTrue(closed.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS));
                assertFalse(client.hasNewData(), "the data waits in the socket");
                assertEquals(ClientState.CONNECTED, client.state(), "nothing read, not even the end of stream");
                client.autoReceive(true);
                assertEquals("later", text(Peers.concat(client.awaitReceived(Peers.WAIT))));
            }
        }
    }

    @Test
    void callbacksRunInOrderAndDisconnectFiresOnce() throws Exception {
        BlockingQueue<String> calls = new LinkedBlockingQueue<>();
        try (TcpServer server = echoServer(); TcpClient client = TcpClient.create(to(server).autoReceive(true)
                .onConnect(() -> calls.add("connect"))
                .onReceive(d -> calls.add("receive " + text(d)))
                .onDisconnect(r -> calls.add("disconnect " + r))
                .closeTimeout(Duration.ofSeconds(5)) // disconnect() waits for onDisconnect on this bound: a loaded machine's margin
                .build())) {
            client.connect();
            assertEquals("connect", take(calls), "onConnect has run when connect() returns");
            client.send(bytes("x"));
            assertEquals("receive x", take(calls));
            client.disconnect();
            assertEquals("disconnect " + DisconnectReason.CLOSED_BY_US, calls.poll(), "fired before disconnect() returns");
            client.disconnect();
            assertNull(calls.poll(200, TimeUnit.MILLISECONDS), "exactly once");
            assertEquals(ClientState.DISCONNECTED, client.state());
            assertTrue(client.isDisconnected());
            assertFalse(client.isConnected());
            assertTrue(client.localAddress().isEmpty());
            assertThrows(IOException.class, () -> client.send(bytes("x")));
        }
    }

    @Test
    void connectFailureIsRecordedAndReturnsFalse() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        try (TcpClient client = TcpClient.create(ClientOptions.builder().port(closedPort).build())) {
            java.net.ConnectException thrown = assertThrows(java.net.ConnectException.class, client::connect);
            assertEquals(ClientState.DISCONNECTED, client.state());
            assertTrue(client.hasExceptions());
            Failure failure = client.drainExceptions().getFirst();
            Failure.Connect connect = assertInstanceOf(Failure.Connect.class, failure);
            assertEquals(closedPort, connect.target().getPort());
            assertInstanceOf(java.net.ConnectException.class, connect.cause());
        }
    }

    @Test
    void reconnectClosesTheOldSocketFirst() throws Exception {
        BlockingQueue<DisconnectReason> serverSide = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> clientSide = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().onReceive((c, d) -> c.send(d))
                .onDisconnect((c, r) -> serverSide.add(r)).build())) {
            server.start();
            try (TcpClient client = TcpClient.create(to(server).onDisconnect(clientSide::add).build())) {
                client.connect();
                InetSocketAddress first = client.localAddress().orElseThrow();
                client.reconnect();
                assertEquals(DisconnectReason.CLOSED_BY_US, take(clientSide));
                assertEquals(DisconnectReason.PEER_CLOSED, take(serverSide), "the old socket was closed, not leaked");
                assertTrue(client.isConnected());
                assertFalse(first.equals(client.localAddress().orElseThrow()), "a new socket");
                client.send(bytes("again"));
                assertEquals("again", text(client.receive(Peers.WAIT).orElseThrow()));
                assertEquals(1, server.clients().size());
                assertThrows(IllegalStateException.class, client::connect, "already connected");
            }
        }
    }

    @Test
    void serverClosingIsAPeerClosedDisconnect() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build())) {
            server.start();
            try (TcpClient client = TcpClient.create(to(server).autoReceive(true).build())) {
                client.connect();
                take(connected).disconnect();
                List<ClientEvent> events = new ArrayList<>();
                while (events.isEmpty() || !(events.getLast() instanceof ClientEvent.Disconnected)) {
                    events.add(client.awaitEvent(Peers.WAIT).orElseThrow());
                }
                assertInstanceOf(ClientEvent.Connected.class, events.getFirst());
                assertEquals(DisconnectReason.PEER_CLOSED, ((ClientEvent.Disconnected) events.getLast()).reason());
                assertEquals(ClientState.DISCONNECTED, client.state());
                client.connect();
            }
        }
    }

    @Test
    void lengthPrefixedClientAndServerExchangeWholeMessages() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().framing(Framing.lengthPrefixed(1 << 16))
                .onReceive((c, d) -> c.send(d)).build());) {
            server.start();
            try (TcpClient client = TcpClient.create(to(server).framing(Framing.lengthPrefixed(1 << 16)).build())) {
                client.connect();
                byte[] big = Peers.pattern(7, 60_000);
                client.send(bytes("first"));
                client.send(bytes("second"));
                client.send(big);
                assertEquals("first", text(client.receive(Peers.WAIT).orElseThrow()));
                assertEquals("second", text(client.receive(Peers.WAIT).orElseThrow()));
                assertArrayEquals(big, client.receive(Peers.WAIT).orElseThrow(), "one message, however TCP split it");
            }
        }
    }

    @Test
    void concurrentSendersNeverInterleave() throws Exception {
        int senders = 8;
        int each = 200;
        try (TcpServer server = TcpServer.create(loopback().framing(Framing.lengthPrefixed(4096)).build())) {
            server.start();
            try (TcpClient client = TcpClient.create(to(server).framing(Framing.lengthPrefixed(4096)).build())) {
                client.connect();
                List<Thread> threads = new ArrayList<>();
                for (int s = 0; s < senders; s++) {
                    byte[] message = Peers.pattern(s, 1000 + s);
                    threads.add(Thread.ofVirtual().start(() -> {
                        for (int i = 0; i < each; i++) {
                            try {
                                client.send(message);
                            } catch (IOException e) {
                                throw new RuntimeException(e);
                            }
                        }
                    }));
                }
                for (Thread t : threads) {
                    assertTrue(t.join(Peers.WAIT));
                }
                AtomicInteger count = new AtomicInteger();
                long deadline = System.nanoTime() + Peers.WAIT.toNanos();
                while (count.get() < senders * each && System.nanoTime() < deadline) {
                    server.awaitReceived(Duration.ofMillis(200)).forEach(r -> {
                        byte[] data = r.data();
                        int seed = data.length - 1000;
                        assertArrayEquals(Peers.pattern(seed, data.length), data, "a whole, uninterleaved message");
                        count.incrementAndGet();
                    });
                }
                assertEquals(senders * each, count.get());
            }
        }
    }

    @Test
    void closeIsIdempotentAndFiresTheDisconnectOnce() throws Exception {
        AtomicInteger disconnects = new AtomicInteger();
        try (TcpServer server = echoServer()) {
            TcpClient client = TcpClient.create(to(server).autoReceive(true)
                    .onDisconnect(r -> disconnects.incrementAndGet())
                    .closeTimeout(Duration.ofSeconds(5)).build()); // the bound of the waits for onDisconnect
            client.connect();
            client.shutdown();
            client.close();
            assertEquals(ClientState.CLOSED, client.state());
            assertEquals(1, disconnects.get());
            assertThrows(IllegalStateException.class, client::connect);
            assertThrows(IllegalStateException.class, client::reconnect);
        }
    }

    @Test
    void peerResetIsAResetDisconnect() throws Exception {
        try (ServerSocket raw = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            try (TcpClient client = TcpClient.create(ClientOptions.builder().port(raw.getLocalPort()).autoReceive(true).build())) {
                client.connect();
                try (Socket accepted = raw.accept()) {
                    accepted.setSoLinger(true, 0);
                }
                ClientEvent event;
                do {
                    event = client.awaitEvent(Peers.WAIT).orElseThrow();
                } while (!(event instanceof ClientEvent.Disconnected));
                assertEquals(DisconnectReason.RESET, ((ClientEvent.Disconnected) event).reason());
            }
        }
    }

    @Test
    void receiveReturnsWhenTheConnectionEnds() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build())) {
            server.start();
            try (TcpClient client = TcpClient.create(to(server).build())) {
                client.connect();
                Connection connection = take(connected);
                Thread waiting = Thread.currentThread();
                Thread.ofVirtual().start(() -> {
                    // Once the test waits, so the wait must end for the disconnect.
                    Peers.awaitCondition(() -> waiting.getState() == Thread.State.TIMED_WAITING, Peers.WAIT,
                            () -> "the test did not start waiting");
                    connection.disconnect();
                });
                long started = System.nanoTime();
                assertTrue(client.receive(Duration.ofSeconds(20)).isEmpty());
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertTrue(tookMillis < 5_000, "receive waited " + tookMillis + " ms after the end");
                assertEquals(ClientState.DISCONNECTED, client.state());
            }
        }
    }

    /**
     * A failure that ends the connection finds the client disconnected in {@code onFailure}, as
     * {@code send} says ("a failed write disconnects the client at once"). It found it still CONNECTED,
     * with a {@code send()} that threw "closed".
     */
    @Test
    void onFailureForAFailureThatEndsTheConnectionSeesTheClientDisconnected() throws Exception {
        try (ServerSocket deaf = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicReference<TcpClient> self = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.CompletableFuture<ClientState> seen = new java.util.concurrent.CompletableFuture<>();
            try (TcpClient client = TcpClient.create(ClientOptions.builder().port(deaf.getLocalPort())
                    .sendOverflow(simplesockets.api.SendOverflow.DISCONNECT).maxPendingSendBytes(64 * 1024)
                    .onFailure(f -> seen.complete(self.get().state())).build())) {
                self.set(client);
                client.connect();
                try (Socket accepted = deaf.accept()) { // and never reads
                    byte[] chunk = new byte[32 * 1024];
                    assertThrows(IOException.class, () -> {
                        for (int i = 0; i < 100_000; i++) {
                            client.send(chunk);
                        }
                    });
                    assertEquals(ClientState.DISCONNECTED, seen.get(5, TimeUnit.SECONDS));
                }
            }
        }
    }

    /**
     * A polling client sees the server's close at once with background receiving on, as
     * {@code isConnected()} says, while the data that came before it stays to be taken. It stayed
     * {@code CONNECTED}, accepting sends and refusing connects, until the application took every piece.
     */
    @Test
    void aServersCloseDisconnectsAPollingClientAtOnceWithItsDataStillToTake() throws Exception {
        try (ServerSocket plain = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
                TcpClient client = TcpClient.create(ClientOptions.builder().port(plain.getLocalPort()).autoReceive(true).build())) {
            client.connect();
            byte[] sent = new byte[3000];
            java.util.Arrays.fill(sent, (byte) 7);
            try (Socket accepted = plain.accept()) {
                accepted.getOutputStream().write(sent);
            }
            Peers.awaitCondition(() -> client.state() == ClientState.DISCONNECTED, Peers.WAIT,
                    () -> "the client still says " + client.state() + " with its data untaken");
            assertThrows(java.net.SocketException.class, () -> client.send(new byte[] {1}));
            List<byte[]> pieces = client.drainReceived();
            assertArrayEquals(sent, Peers.concat(pieces), "the data that came before the close is still there");
            // The state moves when the end is decided; the event comes once the connection is closed.
            List<ClientEvent> events = new ArrayList<>();
            for (int i = 0; i < 10 && (events.isEmpty() || !(events.getLast() instanceof ClientEvent.Disconnected)); i++) {
                client.awaitEvent(Peers.WAIT).ifPresent(events::add);
            }
            ClientEvent last = events.getLast();
            assertInstanceOf(ClientEvent.Disconnected.class, last, events.toString());
            assertEquals(DisconnectReason.PEER_CLOSED, ((ClientEvent.Disconnected) last).reason());
        }
    }

    /**
     * A failed read (here the server breaks the line framing) is recorded once the end is decided, as a
     * failed write is: {@code onFailure} sees the client {@code DISCONNECTED}, and a send from it is refused
     * rather than taken and dropped. It saw {@code CONNECTED}.
     */
    @Test
    void onFailureForAFailedReadSeesTheClientDisconnected() throws Exception {
        try (ServerSocket plain = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicReference<TcpClient> self = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.CompletableFuture<String> seen = new java.util.concurrent.CompletableFuture<>();
            try (TcpClient client = TcpClient.create(ClientOptions.builder().port(plain.getLocalPort()).autoReceive(true)
                    .framing(Framing.lines(16)).onFailure(f -> {
                        String sent;
                        try {
                            self.get().send(new byte[] {'x', '\n'});
                            sent = "taken";
                        } catch (IOException e) {
                            sent = "refused";
                        }
                        seen.complete(self.get().state() + ", a send " + sent);
                    }).build())) {
                self.set(client);
                client.connect();
                try (Socket accepted = plain.accept()) {
                    accepted.getOutputStream().write(new byte[100]); // a line past the maximum
                    assertEquals("DISCONNECTED, a send refused", seen.get(5, TimeUnit.SECONDS));
                }
            }
        }
    }

    /**
     * A {@code close()} while a connect's {@code onConnect} runs waits for it, and for the disconnect it
     * then reports, so that no callback runs after {@code close()} returned. It returned at once, and
     * {@code onConnect} and {@code onDisconnect} ran on the closed client afterwards.
     */
    @Test
    void aCloseDuringOnConnectWaitsForItAndItsDisconnect() throws Exception {
        try (TcpServer server = echoServer()) {
            java.util.concurrent.CountDownLatch inOnConnect = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            TcpClient client = TcpClient.create(to(server).onConnect(() -> {
                inOnConnect.countDown();
                release.await();
                seen.add("onConnect ended");
            }).onDisconnect(reason -> seen.add("onDisconnect"))
                    .closeTimeout(Duration.ofSeconds(5)) // close() waits for onConnect this long: well past the check below
                    .build());
            java.util.concurrent.CompletableFuture<Void> connecting = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    client.connect();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, Thread::startVirtualThread);
            assertTrue(inOnConnect.await(5, TimeUnit.SECONDS), "onConnect runs");
            java.util.concurrent.CompletableFuture<Void> closing = java.util.concurrent.CompletableFuture.runAsync(() -> {
                client.close();
                seen.add("close returned");
            }, Thread::startVirtualThread);
            // Not a wait for a condition: close() must still be waiting (for onConnect) after this long.
            assertThrows(java.util.concurrent.TimeoutException.class, () -> closing.get(200, TimeUnit.MILLISECONDS),
                    "close() returned while onConnect still ran");
            release.countDown();
            closing.get(5, TimeUnit.SECONDS);
            connecting.get(5, TimeUnit.SECONDS);
            assertEquals(List.of("onConnect ended", "onDisconnect", "close returned"), seen);
            assertEquals(ClientState.CLOSED, client.state());
        }
    }

    /**
     * The longest close timeout the options take works for {@code disconnect()}: it added 100 ms to it
     * and threw {@code ArithmeticException}, after the link was already disconnected.
     */
    @Test
    void theLongestCloseTimeoutWorksForDisconnect() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().onReceive((c, d) -> c.send(d)).build())) {
            server.start();
            try (TcpClient client = TcpClient.create(to(server).closeTimeout(Duration.ofNanos(Long.MAX_VALUE)).build())) {
                client.connect();
                client.disconnect();
                assertEquals(ClientState.DISCONNECTED, client.state());
                client.reconnect();
                assertTrue(client.isConnected());
            }
        }
    }

    /**
     * Without background receiving, the idle clock runs only while someone waits for data: a wait that
     * timed out leaves the socket read it began under way, and that read's time no longer counts. Before,
     * the idle timeout ended such a client although nobody waited (over real sockets, on a stepped clock).
     */
    @Test
    void theIdleClockOfAPullingClientRunsOnlyWhileSomeoneWaits() throws Exception {
        Duration idle = Duration.ofMillis(300);
        simplesockets.impl.time.SteppedClock clock = new simplesockets.impl.time.SteppedClock();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build())) {
            server.start();
            try (TcpClient client = new ClientEngine(SocketNetwork.INSTANCE, ClientOptions.builder()
                    .address(server.localAddress().orElseThrow()).idleTimeout(idle).build(), clock)) {
                client.connect();
                Connection peer = take(connected);
                assertEquals(Optional.empty(), client.receive(Duration.ofMillis(200)), "nothing sent: the wait times out");
                for (int step = 0; step < 10; step++) { // a second of clock time, nobody waiting
                    clock.advance(Stepping.checkPeriod(idle));
                }
                assertEquals(ClientState.CONNECTED, client.state(), "nobody waited: not idle");
                // A poll loop waits again, a short wait every two checks (it works between them): waits less
                // than the idle timeout apart are one, so the idle clock runs from then and ends the connection.
                int waits = 0;
                for (; waits < 100 && client.state() == ClientState.CONNECTED; waits++) {
                    assertEquals(Optional.empty(), client.receive(Duration.ofMillis(1)));
                    clock.advance(Stepping.checkPeriod(idle)); // a check that sees the wait
                    clock.advance(Stepping.checkPeriod(idle)); // one that sees none
                }
                assertEquals(ClientState.DISCONNECTED, client.state(), "the idle timeout while a loop polls, after " + waits);
                Peers.awaitCondition(() -> !peer.isOpen(), Peers.WAIT, () -> "the server sees the close");
            }
        }
    }

    /**
     * A send from {@code onDisconnect} throws a {@link java.net.SocketException} that says the client is
     * disconnected, as {@code TcpClient.send} says: the connection is gone by then, and the state already
     * tells so. (Its Javadoc said such a send wrote directly.)
     */
    @Test
    void aSendFromOnDisconnectThrowsThatTheClientIsDisconnected() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build())) {
            server.start();
            TcpClient[] self = {null};
            java.util.concurrent.CompletableFuture<Object> sent = new java.util.concurrent.CompletableFuture<>();
            try (TcpClient client = TcpClient.create(ClientOptions.builder().address(server.localAddress().orElseThrow())
                    .autoReceive(true) // reads, so it sees the server's close
                    .onDisconnect(reason -> {
                        ClientState state = self[0].state();
                        try {
                            self[0].send(bytes("late"));
                            sent.complete("sent, the client " + state);
                        } catch (IOException e) {
                            sent.complete(e);
                        }
                    }).build())) {
                self[0] = client;
                client.connect();
                take(connected).disconnect(); // the server drops the client
                Object outcome = sent.get(5, TimeUnit.SECONDS);
                java.net.SocketException thrown = assertInstanceOf(java.net.SocketException.class, outcome);
                assertTrue(thrown.getMessage().contains("DISCONNECTED"), thrown.getMessage());
                assertEquals(List.of(), client.exceptions(), "nothing recorded: onDisconnect caught it");
            }
        }
    }

    /**
     * A {@code close()} from {@code onDisconnect} while another thread's {@code connect()} waits for that
     * end to be reported returns at once, and nothing of the client fires after it: the close waited its
     * whole close timeout for the connect, which waited for the close's own thread, and the connect then
     * ran {@code onConnect} on the closed client and a second {@code onDisconnect} after the close.
     */
    @Test
    void aCloseFromOnDisconnectWhileAConnectWaitsForThatEndReturnsAtOnce() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build())) {
            server.start();
            TcpClient[] self = {null};
            Thread[] connecting = {null};
            java.util.concurrent.CountDownLatch inOnDisconnect = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicLong closeTook = new java.util.concurrent.atomic.AtomicLong(-1);
            java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
            List<String> late = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.atomic.AtomicInteger disconnects = new java.util.concurrent.atomic.AtomicInteger();
            TcpClient client = TcpClient.create(ClientOptions.builder().address(server.localAddress().orElseThrow())
                    .autoReceive(true).closeTimeout(Duration.ofSeconds(5)) // what the old code waited: far past the bound below
                    .onConnect(() -> {
                        if (closed.get()) {
                            late.add("onConnect");
                        }
                    })
                    .onDisconnect(reason -> {
                        if (closed.get()) {
                            late.add("onDisconnect " + reason);
                        }
                        if (disconnects.incrementAndGet() != 1) {
                            return;
                        }
                        inOnDisconnect.countDown();
                        closeTook.set(onceTheConnectWaits(connecting, () -> self[0].close()));
                        closed.set(true);
                    }).build());
            self[0] = client;
            client.connect();
            take(connected).disconnect(); // the server drops the client
            assertTrue(inOnDisconnect.await(5, TimeUnit.SECONDS), "onDisconnect runs");
            java.util.concurrent.CompletableFuture<Exception> connect = new java.util.concurrent.CompletableFuture<>();
            connecting[0] = Peers.connectOnAPlatformThread(client, connect);
            Exception thrown = connect.get(5, TimeUnit.SECONDS);
            assertInstanceOf(IOException.class, thrown, "the client was closed while it connected");
            assertTrue(closeTook.get() >= 0 && closeTook.get() < TimeUnit.SECONDS.toNanos(2),
                    "close() took " + TimeUnit.NANOSECONDS.toMillis(closeTook.get()) + " ms");
            assertEquals(ClientState.CLOSED, client.state());
            client.close();
            assertEquals(List.of(), List.copyOf(late), "nothing fires after close() returned");
        }
    }

    /**
     * The same with {@code reconnect()} from {@code onDisconnect}: its disconnect does not wait for the
     * connect that waits for this end, and that connect, whose connection the disconnect ended, fails
     * without announcing it, so the events keep their order: the lost connection's end, then the new one.
     * Both waited the close timeout; then the order was broken (the new connection's Connected, then the
     * ended one's Connected and Disconnected, with the client connected).
     */
    @Test
    void aReconnectFromOnDisconnectWhileAConnectWaitsForThatEndKeepsTheOrder() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build())) {
            server.start();
            TcpClient[] self = {null};
            Thread[] connecting = {null};
            java.util.concurrent.CountDownLatch inOnDisconnect = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicLong reconnectTook = new java.util.concurrent.atomic.AtomicLong(-1);
            List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
            try (TcpClient client = TcpClient.create(ClientOptions.builder().address(server.localAddress().orElseThrow())
                    .autoReceive(true).closeTimeout(Duration.ofSeconds(5)) // what the old code waited: far past the bound below
                    .onConnect(() -> events.add("connected"))
                    .onDisconnect(reason -> {
                        events.add("disconnected");
                        if (events.size() != 2) { // the first connection's end only
                            return;
                        }
                        inOnDisconnect.countDown();
                        reconnectTook.set(onceTheConnectWaits(connecting, () -> self[0].reconnect()));
                    }).build())) {
                self[0] = client;
                client.connect();
                take(connected).disconnect(); // the server drops the client
                assertTrue(inOnDisconnect.await(5, TimeUnit.SECONDS), "onDisconnect runs");
                java.util.concurrent.CompletableFuture<Exception> connect = new java.util.concurrent.CompletableFuture<>();
                connecting[0] = Peers.connectOnAPlatformThread(client, connect);
                assertInstanceOf(IOException.class, connect.get(5, TimeUnit.SECONDS), "its connection was ended meanwhile");
                assertTrue(reconnectTook.get() >= 0 && reconnectTook.get() < TimeUnit.SECONDS.toNanos(2),
                        "reconnect() took " + TimeUnit.NANOSECONDS.toMillis(reconnectTook.get()) + " ms");
                assertEquals(ClientState.CONNECTED, client.state(), "connected by the reconnect");
                assertEquals(List.of("connected", "disconnected", "connected"), List.copyOf(events));
            }
        }
    }

    /** What a callback does to its client, which may throw. */
    private interface ClientCall {
        void run() throws IOException;
    }

    /**
     * In {@code onDisconnect}: waits until the connect on {@code connecting[0]} waits (for the end this
     * callback reports), then runs {@code call}; returns how long it took, in nanoseconds.
     */
    private static long onceTheConnectWaits(Thread[] connecting, ClientCall call) {
        Peers.awaitCondition(() -> connecting[0] != null && connecting[0].getState() == Thread.State.TIMED_WAITING,
                Peers.WAIT, () -> "the connect waits for this end");
        long started = System.nanoTime();
        try {
            call.run();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return System.nanoTime() - started;
    }
}
