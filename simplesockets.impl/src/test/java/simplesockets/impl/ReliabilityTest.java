package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.bytes;
import static simplesockets.impl.Peers.connect;
import static simplesockets.impl.Peers.loopback;
import static simplesockets.impl.Peers.take;
import static simplesockets.impl.Peers.text;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.ClientEvent;
import simplesockets.api.ClientOptions;
import simplesockets.api.ClientState;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.ReconnectPolicy;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;
import simplesockets.impl.time.SteppedClock;
import simplesockets.impl.transport.Acceptor;
import simplesockets.impl.transport.Network;
import simplesockets.impl.transport.Transport;

/** Timeouts, liveness options and limits, each with a test that shows its effect, over loopback. */
@Timeout(60)
class ReliabilityTest {

    private static void echoOnce(TcpServer server, Socket peer, String text) throws Exception {
        peer.getOutputStream().write(bytes(text));
        assertEquals(text, text(Peers.readExactly(peer, text.length())));
    }

    /** One send, by a server's connection or a client. */
    @FunctionalInterface
    private interface Send {
        void send(byte[] data) throws IOException;
    }

    /**
     * Sends 1 MiB at a time, 256 MiB at most (far past every socket buffer), on a thread of its own:
     * the future completes with what the sends threw.
     */
    private static CompletableFuture<IOException> flood(Send send, AtomicReference<Thread> sender) {
        // First more than any kernel holds for a peer that does not read (64 MiB, taken whole since
        // nothing else is pending): its write blocks for good, and the next send waits behind it. With
        // sends that fit the kernel, the write that the test sees in progress could still complete, and
        // the sender come back for another send just as the timeout ends the connection.
        byte[] first = new byte[64 << 20];
        byte[] chunk = new byte[1 << 20];
        return Peers.startOn(Thread.ofVirtual(), "flood", () -> {
            sender.set(Thread.currentThread());
            return assertThrows(IOException.class, () -> {
                send.send(first);
                for (int i = 0; i < 256; i++) {
                    send.send(chunk);
                }
            });
        });
    }

    /**
     * Waits, in real time, until a write is in the socket and the sender waits for room behind it:
     * the peer's window is full, or about to be. The write timeout counts from then.
     */
    private static void awaitBlockedWrite(WatchedNetwork network, AtomicReference<Thread> sender) {
        Peers.awaitCondition(() -> network.writesInProgress() == 1 && sender.get() != null
                && sender.get().getState() == Thread.State.WAITING, Peers.WAIT,
                () -> "a write blocked on the peer that does not read");
    }

    /** Over real sockets, on a stepped clock: the write timeout counts clock time, never real time. */
    @Test
    void writeTimeoutFailsASendToAPeerThatDoesNotRead() throws Exception {
        Duration timeout = Duration.ofMillis(300);
        SteppedClock clock = new SteppedClock();
        WatchedNetwork network = new WatchedNetwork();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        // WAIT: sends from another thread wait for the writer, which the write timeout then cuts off
        // (under the default DISCONNECT the pending-bytes bound would end the connection first).
        try (TcpServer server = new ServerEngine(network, loopback().writeTimeout(timeout)
                .sendOverflow(simplesockets.api.SendOverflow.WAIT)
                .onConnect(connected::add).onReceive((c, d) -> c.send(d))
                .onDisconnect((c, r) -> reasons.add(r)).build(), clock)) {
            server.start();
            try (Socket sleeper = connect(server.localAddress().orElseThrow())) {
                Connection connection = take(connected);
                AtomicReference<Thread> sender = new AtomicReference<>();
                CompletableFuture<IOException> sent = flood(connection::send, sender);
                awaitBlockedWrite(network, sender);
                clock.advance(Stepping.justUnder(timeout));
                assertTrue(connection.isOpen(), "still open just under the write timeout");
                assertFalse(sent.isDone(), "the sender still waits");
                // The timers that come due run inside advance(): the close is decided when it returns.
                Stepping.advanceUntil(clock, timeout.plus(Stepping.checkPeriod(timeout)), 20, () -> !connection.isOpen(),
                        "the blocked write timed out");
                IOException failure = sent.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertInstanceOf(SocketTimeoutException.class, failure);
                assertEquals(DisconnectReason.TIMED_OUT, take(reasons));
                try (Socket fresh = connect(server.localAddress().orElseThrow())) {
                    echoOnce(server, fresh, "still serving");
                }
            }
        }
    }

    /**
     * A user's {@code disconnect()} tells a sender waiting for room ({@code SendOverflow.WAIT}) at once
     * that the connection closed. It was told only when the linger ran out and closed the socket (here
     * the close timeout, 10 s), or it got its room and queued bytes on a connection already closed.
     */
    @Test
    void aDisconnectEndsASendersWaitForRoomAtOnce() throws Exception {
        WatchedNetwork network = new WatchedNetwork();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = new ServerEngine(network, loopback().closeTimeout(Duration.ofSeconds(10))
                .sendOverflow(simplesockets.api.SendOverflow.WAIT).onConnect(connected::add).build(), null)) {
            server.start();
            try (Socket sleeper = connect(server.localAddress().orElseThrow())) {
                Connection connection = take(connected);
                AtomicReference<Thread> sender = new AtomicReference<>();
                CompletableFuture<IOException> sent = flood(connection::send, sender);
                awaitBlockedWrite(network, sender);
                long started = System.nanoTime();
                connection.disconnect();
                IOException failure = sent.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertTrue(millis < 2_000, "the sender waited " + millis + " ms after the disconnect: " + failure);
                assertFalse(connection.isOpen());
            }
        }
    }

    /**
     * The write timeout bounds a wait for a peer that does not read, not a large send to one that reads:
     * a 24 MiB send, written on the connection's own thread, goes on while its peer reads a part every
     * time the clock passes most of the timeout, though the whole send takes three times the timeout.
     * Before, the send was one write, timed as a whole, and the connection was cut off while its peer was
     * reading.
     */
    @Test
    void writeTimeoutSparesALargeSendToAPeerThatReads() throws Exception {
        Duration timeout = Duration.ofMillis(300);
        SteppedClock clock = new SteppedClock();
        WatchedNetwork network = new WatchedNetwork();
        byte[] large = Peers.pattern(7, 24 << 20);
        AtomicReference<Thread> sender = new AtomicReference<>();
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        try (TcpServer server = new ServerEngine(network, loopback().writeTimeout(timeout)
                .onConnect(c -> {
                    sender.set(Thread.currentThread());
                    c.send(large); // on the connection's own thread: written at once, blocking on the peer
                })
                .onDisconnect((c, r) -> reasons.add(r)).build(), clock)) {
            server.start();
            Socket peer = new Socket();
            peer.setReceiveBufferSize(64 * 1024); // fixed, not grown by the kernel: the send blocks till the end
            peer.connect(server.localAddress().orElseThrow());
            try (peer) {
                byte[] got = new byte[large.length];
                int have = 0;
                int writesBefore = -1;
                for (int step = 0; step < 3; step++) {
                    // A write begun after the peer's last read, blocked: the one before it may still look
                    // blocked for a moment after the read, and its time would run on past the timeout.
                    int since = writesBefore;
                    Peers.awaitCondition(() -> network.writesBegun() > since, Peers.WAIT, () -> "no write began");
                    awaitBlockedWrite(network, sender);
                    writesBefore = network.writesBegun();
                    clock.advance(Stepping.justUnder(timeout));
                    have += peer.getInputStream().readNBytes(got, have, 4 << 20); // the peer reads a part
                }
                assertEquals(3 * (4 << 20), have, "the peer read its parts");
                have += peer.getInputStream().readNBytes(got, have, got.length - have);
                assertEquals(large.length, have, "the whole send arrived: " + reasons);
                assertTrue(java.util.Arrays.equals(large, got), "in order");
                assertTrue(reasons.isEmpty(), "not cut off: " + reasons);
            }
        }
    }

    /** The client's write timeout, over real sockets, on a stepped clock. */
    @Test
    void clientWriteTimeoutDisconnectsFromAServerThatDoesNotRead() throws Exception {
        Duration timeout = Duration.ofMillis(300);
        SteppedClock clock = new SteppedClock();
        WatchedNetwork network = new WatchedNetwork();
        try (ServerSocket deaf = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            // The connection sits in the backlog, never accepted, never read.
            try (TcpClient client = new ClientEngine(network, ClientOptions.builder().port(deaf.getLocalPort())
                    .writeTimeout(timeout).build(), clock)) {
                client.connect();
                AtomicReference<Thread> sender = new AtomicReference<>();
                CompletableFuture<IOException> sent = flood(client::send, sender);
                awaitBlockedWrite(network, sender);
                clock.advance(Stepping.justUnder(timeout));
                assertTrue(client.isConnected(), "still connected just under the write timeout");
                assertFalse(sent.isDone(), "the sender still waits");
                Stepping.advanceUntil(clock, timeout.plus(Stepping.checkPeriod(timeout)), 20, () -> !client.isConnected(),
                        "the blocked write timed out");
                IOException failure = sent.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertInstanceOf(SocketTimeoutException.class, failure);
                ClientEvent event;
                do {
                    event = client.awaitEvent(Peers.WAIT).orElseThrow();
                } while (!(event instanceof ClientEvent.Disconnected));
                assertEquals(DisconnectReason.TIMED_OUT, ((ClientEvent.Disconnected) event).reason());
                assertFalse(client.isConnected());
            }
        }
    }

    @Test
    void socketOptionsReachTheSocket() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().keepAlive(true).tcpNoDelay(false)
                .onConnect(connected::add).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                Link link = (Link) take(connected);
                Socket socket = ((SocketTransport) link.transport()).socket();
                assertTrue(socket.getKeepAlive());
                assertFalse(socket.getTcpNoDelay());
            }
        }
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                Socket socket = ((SocketTransport) ((Link) take(connected)).transport()).socket();
                assertFalse(socket.getKeepAlive(), "keep-alive is off by default");
                assertTrue(socket.getTcpNoDelay(), "no-delay is on by default");
            }
        }
    }

    @Test
    void theTotalBoundStallsEveryFloodingPeer() throws Exception {
        int peers = 4;
        int perConnection = 256 * 1024;
        int total = 128 * 1024;
        try (TcpServer server = TcpServer.create(loopback().maxQueuedBytesPerConnection(perConnection)
                .maxQueuedBytesTotal(total).build())) {
            server.start();
            List<Socket> sockets = new ArrayList<>();
            List<Thread> senders = new ArrayList<>();
            AtomicLong written = new AtomicLong();
            for (int p = 0; p < peers; p++) {
                Socket socket = connect(server.localAddress().orElseThrow());
                sockets.add(socket);
                senders.add(Thread.ofVirtual().start(() -> {
                    try {
                        OutputStream out = socket.getOutputStream();
                        byte[] chunk = new byte[64 * 1024];
                        for (int i = 0; i < 512; i++) { // 32 MiB each at most
                            out.write(chunk);
                            written.addAndGet(chunk.length);
                        }
                    } catch (IOException e) {
                        // closed at the end of the test
                    }
                }));
            }
            long last = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (written.get() != last && System.nanoTime() < deadline) {
                last = written.get();
                senders.getFirst().join(Duration.ofMillis(300));
            }
            assertTrue(senders.stream().allMatch(Thread::isAlive), "every sender is stalled");
            long queued = server.drainReceived().stream().mapToLong(r -> r.data().length).sum();
            assertTrue(queued <= total + peers * 2048L, queued + " bytes were queued, over the total bound");
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    void connectTimeoutGivesUpOnAServerThatNeverAnswers() throws Exception {
        // A listener that never accepts, with a backlog of 1: once it is full, Linux drops new SYNs.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            boolean timedOut = false;
            for (int attempt = 0; attempt < 8 && !timedOut; attempt++) {
                try (TcpClient client = TcpClient.create(ClientOptions.builder().port(full.getLocalPort())
                        .connectTimeout(Duration.ofMillis(300)).build())) {
                    try {
                        client.connect();
                        client.disconnect(); // it stays in the backlog, which fills up
                    } catch (IOException failed) {
                        timedOut = failed instanceof SocketTimeoutException;
                        assertEquals(failed, client.drainExceptions().getFirst().cause(), "thrown and recorded");
                    }
                }
            }
            assertTrue(timedOut, "a connect timed out once the backlog was full");
        }
    }

    /**
     * Takes the client's events, in order, into {@code events} until one of the given kind: for at most 30 s
     * in all and 1,000 events.
     */
    private static <E extends ClientEvent> E eventsUntil(TcpClient client, List<ClientEvent> events, Class<E> kind)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int i = 0; i < 1_000 && System.nanoTime() - deadline < 0; i++) {
            ClientEvent event = client.awaitEvent(Peers.WAIT)
                    .orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " event; so far " + events));
            events.add(event);
            if (kind.isInstance(event)) {
                return kind.cast(event);
            }
        }
        throw new AssertionError("no " + kind.getSimpleName() + " event within 30 s or 1,000 events; so far " + events);
    }

    private static long connectFailures(TcpClient client) {
        return client.exceptions().stream().filter(f -> f instanceof Failure.Connect).count();
    }

    /** Over real sockets, on a stepped clock: each back-off ends when the clock passes it, not before. */
    @Test
    void lostConnectionsAreReconnectedWithBackoffAndEveryAttemptIsAnEvent() throws Exception {
        ReconnectPolicy policy = ReconnectPolicy.exponential(Duration.ofMillis(20), Duration.ofMillis(200)).withJitter(0);
        SteppedClock clock = new SteppedClock();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).onReceive((c, d) -> c.send(d)).build())) {
            server.start();
            try (TcpClient client = new ClientEngine(SocketNetwork.INSTANCE, ClientOptions.builder()
                    .address(server.localAddress().orElseThrow()).autoReceive(true).reconnect(policy).build(), clock)) {
                client.connect();
                take(connected).disconnect(); // the server drops us
                List<ClientEvent> events = new ArrayList<>();
                ClientEvent.Reconnecting reconnecting = eventsUntil(client, events, ClientEvent.Reconnecting.class);
                assertEquals(1, reconnecting.attempt());
                assertEquals(Duration.ofMillis(20), reconnecting.delay(), "the policy's first delay");
                assertEquals(clock.now(), reconnecting.at(), "stamped with the client's clock");
                assertTrue(clock.awaitSleepers(1, Peers.WAIT), "the back-off began");
                clock.advance(Stepping.justUnder(reconnecting.delay()));
                assertTrue(clock.awaitSleepers(1, Duration.ZERO), "still backing off just under the delay");
                assertEquals(ClientState.DISCONNECTED, client.state());
                assertTrue(connected.isEmpty(), "no attempt yet");
                clock.advance(Duration.ofMillis(1));
                eventsUntil(client, events, ClientEvent.Connected.class);
                List<Class<?>> kinds = events.stream().<Class<?>>map(Object::getClass).toList();
                assertEquals(List.of(ClientEvent.Connected.class, ClientEvent.Disconnected.class,
                        ClientEvent.Reconnecting.class, ClientEvent.Connected.class), kinds);
                take(connected);
                client.send(bytes("back"));
                assertEquals("back", text(Peers.concat(client.awaitReceived(Peers.WAIT))));

                client.disconnect(); // our own disconnect: no reconnect
                ClientEvent.Disconnected ours = eventsUntil(client, events, ClientEvent.Disconnected.class);
                assertEquals(DisconnectReason.CLOSED_BY_US, ours.reason());
                clock.advance(policy.maxDelay()); // past any back-off there could be
                assertFalse(clock.awaitSleepers(1, Duration.ofMillis(300)), "no back-off after disconnect()");
                assertTrue(client.pollEvent().isEmpty(), "no reconnect after disconnect()");
                assertEquals(ClientState.DISCONNECTED, client.state());
            }
        }
    }

    /**
     * A {@code connect()} refused because the client is connected takes nothing over: the connection's
     * loss still starts the reconnect loop. Before, the refused call had already taken over from the
     * loop, so after the loss nothing reconnected.
     */
    @Test
    void aRefusedConnectLeavesTheReconnectLoopOn() throws Exception {
        ReconnectPolicy policy = ReconnectPolicy.exponential(Duration.ofMillis(20), Duration.ofMillis(200)).withJitter(0);
        SteppedClock clock = new SteppedClock();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build())) {
            server.start();
            try (TcpClient client = new ClientEngine(SocketNetwork.INSTANCE, ClientOptions.builder()
                    .address(server.localAddress().orElseThrow()).autoReceive(true).reconnect(policy).build(), clock)) {
                client.connect();
                assertThrows(IllegalStateException.class, client::connect, "connected already");
                take(connected).disconnect(); // the server drops us
                List<ClientEvent> events = new ArrayList<>();
                ClientEvent.Reconnecting reconnecting = eventsUntil(client, events, ClientEvent.Reconnecting.class);
                assertTrue(clock.awaitSleepers(1, Peers.WAIT), "the back-off began");
                clock.advance(reconnecting.delay());
                eventsUntil(client, events, ClientEvent.Connected.class);
                assertEquals(ClientState.CONNECTED, client.state());
            }
        }
    }

    /**
     * An attempt of the reconnect loop that a {@code disconnect()} cut short is the loop's last: no
     * {@code Reconnecting} follows it, since no attempt would. Before, the loop announced its next attempt
     * and backed off before it looked whether it was still wanted.
     */
    @Test
    void aDisconnectDuringAReconnectAttemptEndsTheLoopWithoutAnotherReconnecting() throws Exception {
        ReconnectPolicy policy = ReconnectPolicy.exponential(Duration.ofMillis(20), Duration.ofMillis(200)).withJitter(0);
        SteppedClock clock = new SteppedClock();
        java.util.concurrent.CountDownLatch attempting = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch refuse = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger connects = new AtomicInteger();
        Network slowSecond = new Network() {
            @Override
            public Acceptor bind(java.net.SocketAddress address, int backlog) throws IOException {
                return SocketNetwork.INSTANCE.bind(address, backlog);
            }

            @Override
            public Transport connect(java.net.SocketAddress address, Duration timeout) throws IOException {
                if (connects.incrementAndGet() == 1) {
                    return SocketNetwork.INSTANCE.connect(address, timeout);
                }
                attempting.countDown(); // the loop's attempt, held until the test lets it fail
                try {
                    refuse.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new java.net.ConnectException("Connection refused");
            }
        };
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build());
                TcpClient client = startClient(server, slowSecond, policy, clock)) {
            client.connect();
            take(connected).disconnect(); // the server drops us: the loop starts
            List<ClientEvent> events = new ArrayList<>();
            ClientEvent.Reconnecting first = eventsUntil(client, events, ClientEvent.Reconnecting.class);
            assertTrue(clock.awaitSleepers(1, Peers.WAIT), "the back-off began");
            clock.advance(first.delay());
            assertTrue(attempting.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS), "the attempt began");
            client.disconnect(); // the user takes over during the attempt
            refuse.countDown();
            assertFalse(clock.awaitSleepers(1, Duration.ofMillis(300)), "no back-off after the attempt");
            for (var event = client.pollEvent(); event.isPresent(); event = client.pollEvent()) {
                events.add(event.get());
            }
            assertEquals(1, events.stream().filter(ClientEvent.Reconnecting.class::isInstance).count(),
                    "no second Reconnecting: " + events);
        }
    }

    /** {@link #startClient(TcpServer, Network, ReconnectPolicy, SteppedClock)} over sockets, with more options. */
    private static TcpClient startClient(TcpServer server, ReconnectPolicy policy, SteppedClock clock,
            java.util.function.UnaryOperator<ClientOptions.Builder> more) throws IOException {
        server.start();
        return new ClientEngine(SocketNetwork.INSTANCE, more.apply(ClientOptions.builder()
                .address(server.localAddress().orElseThrow()).autoReceive(true).reconnect(policy)).build(), clock);
    }

    private static TcpClient startClient(TcpServer server, Network network, ReconnectPolicy policy, SteppedClock clock)
            throws IOException {
        server.start();
        return new ClientEngine(network, ClientOptions.builder().address(server.localAddress().orElseThrow())
                .autoReceive(true).reconnect(policy).build(), clock);
    }

    /** On a stepped clock: the attempts come at the policy's delays, 10, 20 and 40 ms, then it gives up. */
    @Test
    void reconnectGivesUpAfterItsAttemptsWithAFailurePerAttempt() throws Exception {
        ReconnectPolicy policy = ReconnectPolicy.exponential(Duration.ofMillis(10), Duration.ofMillis(40))
                .withMaxAttempts(3).withJitter(0);
        SteppedClock clock = new SteppedClock();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build());
        server.start();
        try (TcpClient client = new ClientEngine(SocketNetwork.INSTANCE, ClientOptions.builder()
                .address(server.localAddress().orElseThrow()).autoReceive(true).reconnect(policy).build(), clock)) {
            client.connect();
            take(connected);
            server.close(); // nothing listens any more
            List<ClientEvent> events = new ArrayList<>();
            List<Duration> delays = new ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                ClientEvent.Reconnecting reconnecting = eventsUntil(client, events, ClientEvent.Reconnecting.class);
                assertEquals(n, reconnecting.attempt());
                delays.add(reconnecting.delay());
                assertTrue(clock.awaitSleepers(1, Peers.WAIT), "back-off " + n + " began");
                assertEquals(n - 1, connectFailures(client), "one failure per attempt before it");
                clock.advance(Stepping.justUnder(reconnecting.delay()));
                assertTrue(clock.awaitSleepers(1, Duration.ZERO), "still backing off just under delay " + n);
                assertEquals(n - 1, connectFailures(client), "no attempt " + n + " before its delay");
                clock.advance(Duration.ofMillis(1));
                ClientEvent.Failed failed = eventsUntil(client, events, ClientEvent.Failed.class);
                assertInstanceOf(Failure.Connect.class, failed.failure());
            }
            assertEquals(List.of(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(40)), delays);
            List<Class<?>> kinds = events.stream().<Class<?>>map(Object::getClass).toList();
            assertEquals(List.of(ClientEvent.Disconnected.class,
                    ClientEvent.Reconnecting.class, ClientEvent.Failed.class,
                    ClientEvent.Reconnecting.class, ClientEvent.Failed.class,
                    ClientEvent.Reconnecting.class, ClientEvent.Failed.class), kinds.subList(kinds.size() - 7, kinds.size()));
            clock.advance(Duration.ofHours(1)); // past any back-off there could be
            assertFalse(clock.awaitSleepers(1, Duration.ofMillis(300)), "it gave up: no fourth back-off");
            assertTrue(client.pollEvent().isEmpty(), "it gave up: no fourth attempt");
            assertEquals(3, connectFailures(client));
        }
    }

    /**
     * A peer that stops reading while a reply is written to it, then half-closes: its connection still
     * ends within the linger and reports it. Before, the connection's thread waited for the write lock
     * that the blocked writer held, for as long as the peer did not read: the connection never closed
     * and its end was never reported.
     */
    @Test
    void aPeerThatHalfClosesWhileItsReplyIsBlockedStillEnds() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().maxPendingSendBytes(64 << 20)
                .closeTimeout(Duration.ofMillis(500)).build());
                Socket peer = startAndConnect(server)) {
            Peers.awaitCondition(() -> server.clients().size() == 1, Peers.WAIT, () -> "not connected");
            server.clients().getFirst().send(new byte[32 << 20]); // more than the kernels hold: the writer blocks
            peer.shutdownOutput();
            ServerEvent.Disconnected gone = awaitDisconnected(server);
            assertInstanceOf(DisconnectReason.PeerClosed.class, gone == null ? null : gone.reason(), "its end was reported");
            assertTrue(server.clients().isEmpty());
        }
    }

    /** The next disconnect event of a polling server, the others before it passed over; null if none came. */
    private static ServerEvent.Disconnected awaitDisconnected(TcpServer server) throws InterruptedException {
        for (var event = server.awaitEvent(Peers.WAIT); event.isPresent(); event = server.awaitEvent(Peers.WAIT)) {
            if (event.get() instanceof ServerEvent.Disconnected d) {
                return d;
            }
        }
        return null;
    }

    private static Socket startAndConnect(TcpServer server) throws IOException {
        server.start();
        return connect(server.localAddress().orElseThrow());
    }

    /**
     * An onFailure callback that blocks on an accept failure (an alert sent synchronously while the
     * process is out of descriptors, say) does not hold up accepting: it runs on a virtual thread of the
     * server's own. It ran on the accept loop's thread, so no client was accepted until it returned.
     */
    @Test
    void aBlockingOnFailureDoesNotHoldUpAccepting() throws Exception {
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        Network emfileThrice = AcceptHook.around(real -> {
            if (failures.incrementAndGet() <= 3) {
                throw new IOException("Too many open files");
            }
            return real.accept();
        });
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CompletableFuture<Boolean> onVirtual = new java.util.concurrent.CompletableFuture<>();
        TcpServer server = new ServerEngine(emfileThrice, loopback().onReceive((c, d) -> c.send(d)).onFailure(f -> {
            calls.incrementAndGet();
            onVirtual.complete(Thread.currentThread().isVirtual());
            release.await(10, java.util.concurrent.TimeUnit.SECONDS);
        }).build(), null);
        try (server) {
            server.start();
            assertTrue(onVirtual.get(5, java.util.concurrent.TimeUnit.SECONDS), "onFailure on a virtual thread");
            Peers.awaitCondition(() -> server.exceptions().size() == 3, Peers.WAIT, () -> "3 failures: " + server.exceptions());
            assertEquals(1, calls.get(), "one callback at a time: the burst's others are recorded only");
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                peer.setSoTimeout((int) Peers.WAIT.toMillis());
                peer.getOutputStream().write(bytes("hi"));
                assertEquals("hi", new String(peer.getInputStream().readNBytes(2), java.nio.charset.StandardCharsets.US_ASCII),
                        "served while onFailure still blocks");
            }
            assertInstanceOf(Failure.Accept.class, server.exceptions().getFirst());
        } finally {
            release.countDown();
        }
    }

    /**
     * A writer that fails with an unchecked exception (a transport's bug, not the peer's doing) still
     * ends its connection. Before, it left the send queue thinking a writer ran, so no later send ever
     * started one: sends piled up to the bound of a connection that looked open.
     */
    @Test
    void aWriterThatFailsUncheckedEndsItsConnection() throws Exception {
        Network buggy = AcceptHook.around(real -> new ForwardingTransport(real.accept()) {
            @Override
            public void write(byte[] buffer, int offset, int length) {
                throw new IllegalStateException("a transport's bug");
            }
        });
        try (TcpServer server = new ServerEngine(buggy, loopback().build(), null)) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                Peers.awaitCondition(() -> server.clients().size() == 1, Peers.WAIT, () -> "not connected");
                Connection connection = server.clients().getFirst();
                connection.send(bytes("queued for the writer")); // from this thread: the writer writes it
                ServerEvent.Disconnected gone = awaitDisconnected(server);
                assertInstanceOf(DisconnectReason.Failed.class, gone == null ? null : gone.reason(), "the connection ended");
                assertFalse(connection.isOpen());
                assertThrows(IOException.class, () -> connection.send(bytes("more")), "a later send is refused at once");
                assertTrue(Peers.closedByPeer(peer, Peers.WAIT), "the peer sees the connection closed");
            }
        }
    }

    /**
     * A write that fails after the connection's end was decided (a user's disconnect waits for the sends
     * made before it, and the peer then resets) drops the rest of the queue, and the end is reported at
     * once. Before, the writer took the next batch after the failure and threw it away, so the queue
     * kept believing a writer ran, with those bytes pending and charged to the server's bound for good:
     * the disconnect was reported only after the whole linger and a second more.
     */
    @Test
    void aWriteThatFailsAfterADisconnectDropsTheRestAndEndsAtOnce() throws Exception {
        java.util.concurrent.CountDownLatch reset = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger writes = new AtomicInteger();
        Network resetting = AcceptHook.around(real -> new ForwardingTransport(real.accept()) {
            @Override
            public void write(byte[] buffer, int offset, int length) throws IOException {
                writes.incrementAndGet();
                try {
                    reset.await(30, TimeUnit.SECONDS); // blocked on a peer that does not read, until it resets
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new java.net.SocketException("Connection reset");
            }
        });
        try (TcpServer server = new ServerEngine(resetting, loopback().closeTimeout(Duration.ofSeconds(20)).build(), null)) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                Peers.awaitCondition(() -> server.clients().size() == 1, Peers.WAIT, () -> "not connected");
                Connection connection = server.clients().getFirst();
                connection.send(bytes("first")); // from this thread: the writer takes it and blocks
                Peers.awaitCondition(() -> writes.get() == 1, Peers.WAIT, () -> "the writer did not write");
                connection.send(bytes("second")); // queued behind it
                connection.send(bytes("third"));
                connection.disconnect(); // the sends before it are to be written, within the linger of 20 s
                reset.countDown();
                ServerEvent.Disconnected gone = awaitDisconnected(server); // within Peers.WAIT, far less than the linger
                assertInstanceOf(DisconnectReason.ClosedByUs.class, gone == null ? null : gone.reason(),
                        "its end was reported before the linger ran out");
                assertEquals(1, writes.get(), "nothing was written after the failure");
            }
        }
    }

    /** A network whose acceptor fails like EMFILE for a while: the accept loop must back off and recover. */
    @Test
    void acceptFailuresBackOffWithoutSpinningAndRecover() throws Exception {
        AtomicInteger failuresLeft = new AtomicInteger(Integer.MAX_VALUE);
        AtomicInteger acceptCalls = new AtomicInteger();
        Network failing = AcceptHook.around(real -> {
            acceptCalls.incrementAndGet();
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IOException("Too many open files");
            }
            return real.accept();
        });
        SteppedClock clock = new SteppedClock();
        try (TcpServer server = new ServerEngine(failing, loopback().onReceive((c, d) -> c.send(d)).build(), clock)) {
            server.start();
            // Back-off 10, 20, 40 ... ms, capped at 1 s, on the clock: each try comes when the clock passes
            // the wait before it, not before; 10 tries in 3.27 s of the clock, not millions.
            Duration backoff = Duration.ofMillis(10);
            for (int failures = 1; failures <= 9; failures++) {
                int tries = failures;
                Peers.awaitCondition(() -> acceptCalls.get() == tries, Peers.WAIT, () -> "accept try " + tries);
                assertTrue(clock.awaitSleepers(1, Peers.WAIT), "backing off after failure " + failures);
                clock.advance(Stepping.justUnder(backoff));
                assertEquals(tries, acceptCalls.get(), "no try before the back-off of " + backoff + " ended");
                clock.advance(Duration.ofMillis(1));
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(1)) < 0 ? backoff.multipliedBy(2)
                        : Duration.ofSeconds(1);
            }
            Peers.awaitCondition(() -> acceptCalls.get() == 10, Peers.WAIT, () -> "accept try 10");
            assertTrue(clock.awaitSleepers(1, Peers.WAIT), "backing off after failure 10");
            assertEquals(Duration.ofMillis(3_270), Duration.ofNanos(clock.nanoTime()));
            assertEquals(10, server.exceptions().size());
            assertTrue(server.exceptions().stream().allMatch(f -> f instanceof Failure.Accept));
            failuresLeft.set(0); // descriptors are free again
            try (Socket peer = connect(server.localAddress().orElseThrow())) { // waits in the backlog
                clock.advance(backoff); // the 1 s back-off ends: the next try accepts it
                peer.setSoTimeout(5_000);
                echoOnce(server, peer, "recovered");
            }
        }
    }

    /** On a stepped clock that never moves, a back-off never ends by itself: close must cut it short. */
    @Test
    void closeStopsAReconnectLoopAtOnce() throws Exception {
        SteppedClock clock = new SteppedClock();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build());
        server.start();
        TcpClient client = new ClientEngine(SocketNetwork.INSTANCE, ClientOptions.builder().address(server.localAddress().orElseThrow())
                .autoReceive(true).reconnect(ReconnectPolicy.exponential(Duration.ofMillis(50), Duration.ofSeconds(30)))
                .build(), clock);
        client.connect();
        take(connected);
        server.close(); // the client starts reconnecting
        eventsUntil(client, new ArrayList<>(), ClientEvent.Reconnecting.class);
        assertTrue(clock.awaitSleepers(1, Peers.WAIT), "the back-off began");
        long before = clock.nanoTime();
        CompletableFuture<Void> closing = Peers.startOn(Thread.ofVirtual(), "close", () -> {
            client.close();
            return null;
        });
        closing.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS); // a close that waited out the back-off would never return
        assertEquals(before, clock.nanoTime(), "the clock did not move");
        assertFalse(clock.awaitSleepers(1, Duration.ZERO), "the back-off was cut short");
        assertEquals(ClientState.CLOSED, client.state());
    }

    /**
     * A close while the reconnect loop's connection runs its {@code onConnect} waits for it, uninterrupted,
     * as {@code close()} promises. Before, the close interrupted the loop's thread at once, in the middle of
     * the user's callback.
     */
    @Test
    void aCloseDuringTheLoopsOnConnectLeavesItUninterrupted() throws Exception {
        SteppedClock clock = new SteppedClock();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        java.util.concurrent.CountDownLatch inCallback = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        CompletableFuture<String> callback = new CompletableFuture<>();
        AtomicInteger connects = new AtomicInteger();
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build())) {
            server.start();
            TcpClient client = new ClientEngine(SocketNetwork.INSTANCE, ClientOptions.builder()
                    .address(server.localAddress().orElseThrow()).autoReceive(true).closeTimeout(Duration.ofSeconds(10))
                    .reconnect(ReconnectPolicy.exponential(Duration.ofMillis(50), Duration.ofSeconds(1)).withJitter(0))
                    .onConnect(() -> {
                        if (connects.incrementAndGet() == 2) { // the loop's
                            inCallback.countDown();
                            try {
                                callback.complete(release.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS)
                                        ? "finished" : "not released");
                            } catch (InterruptedException e) {
                                callback.complete("interrupted");
                            }
                        }
                    }).build(), clock);
            client.connect();
            take(connected).disconnect(); // the server drops us: the loop starts
            assertTrue(clock.awaitSleepers(1, Peers.WAIT), "the back-off began");
            clock.advance(Duration.ofMillis(50));
            assertTrue(inCallback.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS), "the loop reconnected");
            Thread closer = Thread.ofVirtual().name("close").start(client::close);
            Peers.awaitCondition(() -> closer.getState() == Thread.State.WAITING
                    || closer.getState() == Thread.State.TIMED_WAITING, Peers.WAIT, () -> "close() is not waiting");
            release.countDown();
            assertEquals("finished", callback.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS));
            assertTrue(closer.join(Peers.WAIT), "close() returned");
            assertEquals(ClientState.CLOSED, client.state());
        }
    }

    /**
     * A poll loop's wait goes on through the reconnect loop's back-off and takes the next connection's
     * data. Before, every wait returned at once while the client was not connected, so the tutorial's loop
     * ({@code while (true) awaitReceived(ZERO)}) spun through the whole back-off.
     */
    @Test
    void aPollDuringTheReconnectBackOffWaitsForTheNextConnectionsData() throws Exception {
        ReconnectPolicy policy = ReconnectPolicy.exponential(Duration.ofMillis(20), Duration.ofMillis(200)).withJitter(0);
        SteppedClock clock = new SteppedClock();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).onReceive((c, d) -> c.send(d)).build());
                TcpClient client = startClient(server, SocketNetwork.INSTANCE, policy, clock)) {
            client.connect();
            take(connected).disconnect(); // the server drops us
            List<ClientEvent> events = new ArrayList<>();
            CompletableFuture<List<byte[]>> poll = pollWaitingInTheBackOff(client, clock, events);
            clock.advance(Duration.ofMillis(20));
            eventsUntil(client, events, ClientEvent.Connected.class);
            take(connected);
            client.send(bytes("back"));
            assertEquals("back", text(Peers.concat(poll.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS))),
                    "the new connection's data");
        }
    }

    /**
     * ... and a wait begun while the lost connection still reports its end (its {@code onDisconnect}
     * runs), before the loop starts, waits too. Before, every wait in that gap returned at once, so a poll
     * loop spun for as long as {@code onDisconnect} ran.
     */
    @Test
    void aPollWhileTheLostConnectionsOnDisconnectRunsWaitsForTheLoop() throws Exception {
        ReconnectPolicy policy = ReconnectPolicy.exponential(Duration.ofMillis(20), Duration.ofMillis(200)).withJitter(0);
        SteppedClock clock = new SteppedClock();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        CountDownLatch inOnDisconnect = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).onReceive((c, d) -> c.send(d)).build());
                TcpClient client = startClient(server, policy, clock, options -> options.onDisconnect(reason -> holdOn(inOnDisconnect, release)))) {
            client.connect();
            take(connected).disconnect(); // the server drops us
            assertTrue(inOnDisconnect.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS), "onDisconnect runs");
            assertEquals(ClientState.DISCONNECTED, client.state());
            CompletableFuture<List<byte[]>> poll = pollOnAVirtualThread(client);
            assertThrows(java.util.concurrent.TimeoutException.class, () -> poll.get(300, TimeUnit.MILLISECONDS),
                    "the poll waits: the loop starts once onDisconnect returns");
            release.countDown();
            assertTrue(clock.awaitSleepers(1, Peers.WAIT), "the back-off began");
            clock.advance(Duration.ofMillis(20));
            take(connected);
            Peers.awaitCondition(() -> client.state() == ClientState.CONNECTED, Peers.WAIT, () -> "reconnected");
            client.send(bytes("back"));
            assertEquals("back", text(Peers.concat(poll.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS))),
                    "the new connection's data");
        }
    }

    /** A wait begun while a connection the user ended reports its end returns at once: no loop follows. */
    @Test
    void aPollWhileAConnectionTheUserEndedReportsItsEndReturnsAtOnce() throws Exception {
        ReconnectPolicy policy = ReconnectPolicy.exponential(Duration.ofMillis(20), Duration.ofMillis(200)).withJitter(0);
        SteppedClock clock = new SteppedClock();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        CountDownLatch inOnDisconnect = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build());
                TcpClient client = startClient(server, policy, clock, options -> options.onDisconnect(reason -> holdOn(inOnDisconnect, release)))) {
            client.connect();
            take(connected);
            CompletableFuture.runAsync(client::disconnect); // waits for the end's report
            assertTrue(inOnDisconnect.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS), "onDisconnect runs");
            try {
                long started = System.nanoTime();
                assertEquals(List.of(), client.awaitReceived(Peers.WAIT), "no data");
                assertTrue(System.nanoTime() - started < Peers.WAIT.toNanos() / 2, "returned at once");
            } finally {
                release.countDown();
            }
        }
    }

    /**
     * ... but a connection that an {@code Error} out of the user's {@code onConnect} ended before its reader
     * ran starts no loop, and a wait after it returns at once.
     */
    @Test
    void aPollAfterAConnectWhoseOnConnectThrewAnErrorReturnsAtOnce() throws Exception {
        ReconnectPolicy policy = ReconnectPolicy.exponential(Duration.ofMillis(20), Duration.ofMillis(200)).withJitter(0);
        SteppedClock clock = new SteppedClock();
        try (TcpServer server = TcpServer.create(loopback().build());
                TcpClient client = startClient(server, policy, clock, options -> options.onConnect(() -> {
                    throw new StackOverflowError("onConnect's error, for the test");
                }))) {
            assertThrows(StackOverflowError.class, client::connect);
            long started = System.nanoTime();
            assertEquals(Optional.empty(), client.receive(Peers.WAIT), "no connection, no loop: no data");
            assertTrue(System.nanoTime() - started < Peers.WAIT.toNanos() / 2, "returned at once");
        }
    }

    /** ... and ends, empty, when the loop gives up. */
    @Test
    void aPollDuringTheReconnectBackOffEndsWhenTheLoopGivesUp() throws Exception {
        ReconnectPolicy policy = ReconnectPolicy.exponential(Duration.ofMillis(10), Duration.ofMillis(10))
                .withMaxAttempts(1).withJitter(0);
        SteppedClock clock = new SteppedClock();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build());
        try (TcpClient client = startClient(server, SocketNetwork.INSTANCE, policy, clock)) {
            client.connect();
            take(connected);
            server.close(); // nothing listens any more: the one attempt fails
            CompletableFuture<List<byte[]>> poll = pollWaitingInTheBackOff(client, clock, new ArrayList<>());
            clock.advance(Duration.ofMillis(10));
            assertEquals(List.of(), poll.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS), "it gave up: no data");
            assertEquals(ClientState.DISCONNECTED, client.state());
        }
    }

    /** ... and when the user disconnects meanwhile, ending the loop. */
    @Test
    void aPollDuringTheReconnectBackOffEndsWhenTheUserDisconnects() throws Exception {
        ReconnectPolicy policy = ReconnectPolicy.exponential(Duration.ofSeconds(30), Duration.ofSeconds(30)).withJitter(0);
        SteppedClock clock = new SteppedClock();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build());
                TcpClient client = startClient(server, SocketNetwork.INSTANCE, policy, clock)) {
            client.connect();
            take(connected).disconnect();
            CompletableFuture<List<byte[]>> poll = pollWaitingInTheBackOff(client, clock, new ArrayList<>());
            client.disconnect();
            assertEquals(List.of(), poll.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS), "the loop is over: no data");
        }
    }

    /** ... and when the user's connect takes over from the loop and fails. */
    @Test
    void aPollDuringTheReconnectBackOffEndsWhenTheUsersConnectTakesOverAndFails() throws Exception {
        ReconnectPolicy policy = ReconnectPolicy.exponential(Duration.ofSeconds(30), Duration.ofSeconds(30)).withJitter(0);
        SteppedClock clock = new SteppedClock();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build());
        try (TcpClient client = startClient(server, SocketNetwork.INSTANCE, policy, clock)) {
            client.connect();
            take(connected);
            server.close(); // nothing listens any more
            CompletableFuture<List<byte[]>> poll = pollWaitingInTheBackOff(client, clock, new ArrayList<>());
            assertThrows(IOException.class, client::connect, "refused: nothing listens");
            assertEquals(List.of(), poll.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS), "no connection: no data");
            assertEquals(ClientState.DISCONNECTED, client.state());
        }
    }

    /**
     * A connection that an {@code Error} out of a callback ended is lost as any other: the reconnect loop
     * brings it back. Before, the error skipped the loop's start, and the client stayed disconnected.
     */
    @Test
    void aConnectionEndedByAnErrorOfACallbackIsReconnected() throws Exception {
        ReconnectPolicy policy = ReconnectPolicy.exponential(Duration.ofMillis(20), Duration.ofMillis(200)).withJitter(0);
        SteppedClock clock = new SteppedClock();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> ends = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build());
                TcpClient client = startClient(server, policy, clock, options -> options.onDisconnect(ends::add)
                        .onReceive(data -> {
                            throw new StackOverflowError("a callback's error, for the test");
                        }))) {
            client.connect();
            take(connected).send(bytes("boom"));
            DisconnectReason ended = take(ends);
            assertInstanceOf(DisconnectReason.Failed.class, ended);
            assertInstanceOf(StackOverflowError.class, ((DisconnectReason.Failed) ended).cause());
            eventsUntil(client, new ArrayList<>(), ClientEvent.Reconnecting.class); // kept in every style
            assertTrue(clock.awaitSleepers(1, Peers.WAIT), "the back-off began");
            clock.advance(Duration.ofMillis(20));
            take(connected);
            Peers.awaitCondition(() -> client.state() == ClientState.CONNECTED, Peers.WAIT, () -> "reconnected");
        }
    }

    /** ... and one that an {@code Error} out of {@code onConnect} ended, in a reconnect attempt, too. */
    @Test
    void anErrorOfOnConnectInAReconnectAttemptIsAFailedAttempt() throws Exception {
        ReconnectPolicy policy = ReconnectPolicy.exponential(Duration.ofMillis(20), Duration.ofMillis(20)).withJitter(0);
        SteppedClock clock = new SteppedClock();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        AtomicInteger connects = new AtomicInteger();
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build());
                TcpClient client = startClient(server, policy, clock, options -> options.onConnect(() -> {
                    if (connects.incrementAndGet() == 2) { // the loop's first attempt
                        throw new StackOverflowError("onConnect's error, for the test");
                    }
                }))) {
            client.connect();
            take(connected).disconnect(); // the server drops us: the loop starts
            for (int attempt = 1; attempt <= 2; attempt++) {
                assertTrue(clock.awaitSleepers(1, Peers.WAIT), "back-off " + attempt + " began");
                clock.advance(Duration.ofMillis(20));
                take(connected); // attempt 1 connects, and its onConnect throws; attempt 2 connects for good
            }
            // The state moves before onConnect runs: wait for both.
            Peers.awaitCondition(() -> client.state() == ClientState.CONNECTED && connects.get() == 3, Peers.WAIT,
                    () -> "reconnected, and onConnect ran 3 times: " + connects.get());
        }
    }

    /**
     * Once the reconnect loop backs off (its events taken into {@code events}), starts
     * {@code awaitReceived(ZERO)}, as the tutorial's loop calls it, on a virtual thread, and sees it wait.
     */
    private static CompletableFuture<List<byte[]>> pollWaitingInTheBackOff(TcpClient client, SteppedClock clock,
            List<ClientEvent> events) throws InterruptedException {
        eventsUntil(client, events, ClientEvent.Reconnecting.class);
        assertTrue(clock.awaitSleepers(1, Peers.WAIT), "the back-off began");
        CompletableFuture<List<byte[]>> poll = pollOnAVirtualThread(client);
        assertThrows(java.util.concurrent.TimeoutException.class, () -> poll.get(300, TimeUnit.MILLISECONDS),
                "the poll waits while the loop may still connect");
        return poll;
    }

    /** A callback that says it runs, then waits until {@code release} (at most {@link Peers#WAIT}). */
    private static void holdOn(CountDownLatch running, CountDownLatch release) {
        running.countDown();
        try {
            release.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code awaitReceived(ZERO)} on a virtual thread. */
    private static CompletableFuture<List<byte[]>> pollOnAVirtualThread(TcpClient client) {
        CompletableFuture<List<byte[]>> received = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                received.complete(client.awaitReceived(Duration.ZERO));
            } catch (Throwable e) {
                received.completeExceptionally(e);
            }
        });
        return received;
    }
}
