package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.bytes;
import static simplesockets.impl.Peers.connect;
import static simplesockets.impl.Peers.loopback;
import static simplesockets.impl.Peers.take;
import static simplesockets.impl.Peers.text;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.CallbackName;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.Framing;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.ServerState;
import simplesockets.api.TcpServer;
import simplesockets.impl.time.SteppedClock;

/** Every server capability of the seed, over real loopback sockets. */
@Timeout(30)
class ServerTest {

    @Test
    void createFindsTheSocketImplementationAndKeepsTheSeedDefaults() {
        ServerOptions defaults = ServerOptions.builder().build();
        assertEquals(25567, defaults.port());
        assertEquals(ServerOptions.SYSTEM_BACKLOG, defaults.backlog(), "the system's largest, not the seed's 5");
        assertEquals(2048, defaults.receiveBufferSize());
        assertEquals(ServerOptions.UNLIMITED, defaults.maxConnections());
        assertEquals(Framing.RAW, defaults.framing());
        try (TcpServer server = TcpServer.create(defaults)) {
            assertInstanceOf(ServerEngine.class, server);
            assertEquals(ServerState.CREATED, server.state());
            assertEquals(ServerOptions.UNLIMITED, server.options().maxConnections());
            assertEquals(Optional.empty(), server.localAddress(), "nothing is bound before start");
        }
    }

    @Test
    void callbackEchoServer() throws Exception {
        BlockingQueue<InetSocketAddress> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback()
                .onConnect(c -> connected.add(c.remoteAddress()))
                .onReceive((connection, data) -> connection.send(data))
                .build())) {
            server.start();
            assertNotEquals(0, server.localAddress().orElseThrow().getPort(), "port 0 resolves to a real port");
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                assertEquals(peer.getLocalSocketAddress(), take(connected));
                peer.getOutputStream().write(bytes("Test"));
                assertEquals("Test", text(Peers.readExactly(peer, 4)));
            }
        }
    }

    @Test
    void polledEchoServerAsInTheTutorial() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                assertFalse(server.hasNewData());
                assertFalse(server.awaitNewData(Duration.ofMillis(50)));
                peer.getOutputStream().write(bytes("hello"));
                assertTrue(server.awaitNewData(Peers.WAIT));
                assertTrue(server.hasNewData(), "awaitNewData does not take the data");
                List<ServerEvent.Received> received = server.awaitReceived(Peers.WAIT);
                assertFalse(server.hasNewData(), "a drain resets the new-data flag");
                for (ServerEvent.Received r : received) {
                    assertEquals(peer.getLocalSocketAddress(), r.address());
                    server.send(r.connection(), r.data());
                    server.disconnect(r.connection());
                }
                assertEquals("hello", text(Peers.readToEnd(peer)));
            }
        }
    }

    /**
     * An {@code Error} out of a handler (a stack overflow on hostile input, say) ends its connection as
     * {@code Failed} with a {@code Failure.Callback} recorded, as an exception does; one out of
     * {@code onReceive} ends it as {@code Failed} too. Before, both were reported as {@code ClosedByUs},
     * with nothing recorded.
     */
    @Test
    void anErrorOutOfAHandlerOrACallbackEndsItsConnectionAsFailed() throws Exception {
        for (boolean handler : new boolean[] {true, false}) {
            BlockingQueue<DisconnectReason> ended = new LinkedBlockingQueue<>();
            ServerOptions.Builder options = loopback().onDisconnect((c, why) -> ended.add(why));
            if (handler) {
                options.handler(c -> {
                    c.read();
                    throw new StackOverflowError("deep input");
                });
            } else {
                options.onReceive((c, d) -> {
                    throw new StackOverflowError("deep input");
                });
            }
            try (TcpServer server = TcpServer.create(options.build())) {
                server.start();
                try (Socket peer = connect(server.localAddress().orElseThrow())) {
                    peer.getOutputStream().write(bytes("x"));
                    DisconnectReason why = take(ended);
                    assertInstanceOf(DisconnectReason.Failed.class, why, handler ? "handler" : "onReceive");
                    assertInstanceOf(StackOverflowError.class, ((DisconnectReason.Failed) why).cause());
                    if (handler) {
                        assertInstanceOf(Failure.Callback.class, server.exceptions().getFirst());
                    }
                }
            }
        }
    }

    /**
     * A send from another thread, queued behind a write still blocked on the peer, goes out with the
     * bytes the array held when it was sent: the caller may reuse its array at once, as with a stream's
     * write, and so may a broadcast's. Before, with raw framing the queue kept the caller's own array,
     * and what the caller wrote into it afterwards went out instead.
     */
    @Test
    void aQueuedSendKeepsTheBytesItWasGiven() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().maxPendingSendBytes(32 << 20).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                Peers.awaitCondition(() -> server.clients().size() == 1, Peers.WAIT, () -> "not connected");
                Connection connection = server.clients().getFirst();
                byte[] first = new byte[16 << 20]; // more than the kernels hold: the writer blocks on the peer
                connection.send(first);
                byte[] reused = bytes("AAAA");
                connection.send(reused);
                java.util.Arrays.fill(reused, (byte) 'B');
                byte[] shared = bytes("CCCC");
                assertEquals(1, server.broadcast(shared));
                java.util.Arrays.fill(shared, (byte) 'D');
                byte[] all = Peers.readExactly(peer, first.length + 8);
                assertEquals("AAAACCCC", text(java.util.Arrays.copyOfRange(all, first.length, all.length)));
            }
        }
    }

    /**
     * The README's quick start: answer each piece, then disconnect its client. A message longer than a
     * first read (256 bytes) comes as several pieces, and the send of the second, to a client already
     * disconnected, throws: the quick start catches it, or its loop (and the server with it) would end
     * for every client. Before, the README's loop had no catch.
     */
    @Test
    void theQuickStartsLoopOutlivesAMessageOfSeveralPieces() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().build())) {
            server.start();
            try (Socket first = connect(server.localAddress().orElseThrow())) {
                byte[] message = Peers.pattern(1, 1000);
                first.getOutputStream().write(message);
                Peers.awaitCondition(() -> server.stats().bytesIn() >= message.length, Peers.WAIT,
                        () -> "the message was not read: " + server.stats());
                assertTrue(quickStartRound(server) >= 1, "a send to the disconnected client threw, and was caught");
                byte[] echoed = Peers.readToEnd(first);
                assertTrue(echoed.length > 0 && echoed.length < message.length, "the first piece only: " + echoed.length);
                assertArrayEquals(java.util.Arrays.copyOf(message, echoed.length), echoed);
            }
            try (Socket second = connect(server.localAddress().orElseThrow())) {
                second.getOutputStream().write(bytes("hi"));
                for (int round = 0; round < 10 && server.stats().messagesOut() < 2; round++) {
                    quickStartRound(server); // a round of one second, as the README's loop goes round
                }
                assertEquals("hi", text(Peers.readToEnd(second)), "the loop went on serving");
            }
        }
    }

    /** One round of the README's quick start; returns how many sends it caught. */
    private static int quickStartRound(TcpServer server) throws InterruptedException {
        int caught = 0;
        for (ServerEvent.Received r : server.awaitReceived(Duration.ofSeconds(1))) {
            try {
                server.send(r.connection(), r.data());
                server.disconnect(r.connection());
            } catch (IOException e) {
                caught++; // this client is gone (disconnected after an earlier piece, or it left): go on
            }
        }
        return caught;
    }

    @Test
    void hasNewDataThenDrainReceivedAsTheSeedsLoop() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                peer.getOutputStream().write(bytes("abc"));
                // The seed's loop is "if new_data: drain". Wait for it with the blocking event API.
                ServerEvent event;
                do {
                    event = server.awaitEvent(Peers.WAIT).orElseThrow();
                } while (!(event instanceof ServerEvent.Received));
                assertEquals("abc", text(((ServerEvent.Received) event).data()));
                peer.getOutputStream().write(bytes("def"));
                List<ServerEvent.Received> later = server.awaitReceived(Peers.WAIT);
                assertEquals("def", text(later.getFirst().data()));
                assertTrue(server.drainReceived().isEmpty());
            }
        }
    }

    @Test
    void eventsArriveInTheOrderTheyHappened() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                peer.getOutputStream().write(bytes("one"));
                peer.shutdownOutput();
                assertInstanceOf(ServerEvent.Connected.class, server.awaitEvent(Peers.WAIT).orElseThrow());
                ServerEvent.Received data = (ServerEvent.Received) server.awaitEvent(Peers.WAIT).orElseThrow();
                assertEquals("one", text(data.data()));
                ServerEvent.Disconnected end = (ServerEvent.Disconnected) server.awaitEvent(Peers.WAIT).orElseThrow();
                assertEquals(DisconnectReason.PEER_CLOSED, end.reason());
                assertTrue(server.pollEvent().isEmpty());
            }
        }
    }

    @Test
    void blockingHandlerIsTheSeedsHandleClient() throws Exception {
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback()
                .handler(connection -> {
                    for (var data = connection.read(); data.isPresent(); data = connection.read()) {
                        connection.send(data.get());
                    }
                })
                .onDisconnect((c, r) -> reasons.add(r))
                .build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                peer.getOutputStream().write(bytes("ping"));
                assertEquals("ping", text(Peers.readExactly(peer, 4)));
                peer.shutdownOutput();
                assertEquals(-1, peer.getInputStream().read(), "the handler returned, so the server closed");
            }
            assertEquals(DisconnectReason.PEER_CLOSED, take(reasons), "the handler returned after end of stream");
            assertFalse(server.hasNewData(), "a handler's data never reaches the queue");
        }
    }

    @Test
    void aHandlerThatReturnsFirstClosesTheConnectionItself() throws Exception {
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback()
                .handler(connection -> connection.send(bytes("bye")))
                .onDisconnect((c, r) -> reasons.add(r))
                .build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                assertEquals("bye", text(Peers.readToEnd(peer)));
            }
            assertEquals(DisconnectReason.CLOSED_BY_US, take(reasons));
        }
    }

    @Test
    void anErrorFromACallbackStillClosesTheConnectionAndFreesItsSlot() throws Exception {
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().maxConnections(1)
                .onReceive((c, d) -> {
                    throw new OutOfMemoryError("simulated");
                })
                .onDisconnect((c, r) -> reasons.add(r))
                .build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                peer.getOutputStream().write(bytes("x"));
                take(reasons);
                assertTrue(Peers.closedByPeer(peer, Duration.ofSeconds(2)));
            }
            assertTrue(server.clients().isEmpty(), "the slot is free again");
        }
    }

    @Test
    void aThrowingHandlerEndsOnlyItsConnection() throws Exception {
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback()
                .handler(connection -> {
                    connection.read();
                    throw new IllegalStateException("handler bug");
                })
                .onDisconnect((c, r) -> reasons.add(r))
                .build())) {
            server.start();
            for (int i = 0; i < 2; i++) {
                try (Socket peer = connect(server.localAddress().orElseThrow())) {
                    peer.getOutputStream().write(bytes("x"));
                    DisconnectReason reason = take(reasons);
                    assertInstanceOf(DisconnectReason.Failed.class, reason);
                    assertEquals(-1, peer.getInputStream().read());
                }
            }
            List<Failure> failures = server.drainExceptions();
            assertEquals(2, failures.size());
            assertEquals(CallbackName.HANDLER, ((Failure.Callback) failures.getFirst()).callback());
        }
    }

    @Test
    void readOutsideAHandlerIsRefused() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                assertThrows(IllegalStateException.class, () -> take(connected).read());
            }
        }
    }

    @Test
    void plainSocketPeerExchangesRawBytes() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().onReceive((c, d) -> c.send(d)).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                byte[] all = new byte[256];
                for (int i = 0; i < all.length; i++) {
                    all[i] = (byte) i;
                }
                peer.getOutputStream().write(all);
                assertArrayEquals(all, Peers.readExactly(peer, all.length), "no framing, no transformation");
            }
        }
    }

    @Test
    void rawModeDeliversEachReadChunkAndDoesNotWaitOnAFullBuffer() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().receiveBufferSize(2048).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                // The seed blocked when a send was exactly recv_buffer long.
                byte[] exact = Peers.pattern(1, 2048);
                peer.getOutputStream().write(exact);
                List<byte[]> pieces = new java.util.ArrayList<>();
                while (Peers.concat(pieces).length < exact.length) {
                    List<ServerEvent.Received> got = server.awaitReceived(Peers.WAIT);
                    assertFalse(got.isEmpty(), "2048 bytes must arrive without more bytes after them");
                    got.forEach(r -> pieces.add(r.data()));
                }
                assertArrayEquals(exact, Peers.concat(pieces));
                assertTrue(pieces.stream().allMatch(p -> p.length <= 2048), "no piece is over the buffer");
            }
        }
    }

    @Test
    void lengthPrefixedFramingKeepsMessagesApart() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().framing(Framing.lengthPrefixed(1024)).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                DataOutputStream out = new DataOutputStream(peer.getOutputStream());
                // Two quick sends: the seed merged them into b'firstsecond'.
                byte[] both = new byte[4 + 5 + 4 + 6 + 4];
                java.nio.ByteBuffer.wrap(both).putInt(5).put(bytes("first")).putInt(6).put(bytes("second")).putInt(0);
                out.write(both);
                out.flush();
                List<String> messages = new java.util.ArrayList<>();
                while (messages.size() < 3) {
                    List<ServerEvent.Received> got = server.awaitReceived(Peers.WAIT);
                    assertFalse(got.isEmpty(), "only " + messages + " arrived");
                    got.forEach(r -> messages.add(text(r.data())));
                }
                assertEquals(List.of("first", "second", ""), messages);
                Connection connection = server.clients().getFirst();
                connection.send(bytes("reply"));
                DataInputStream in = new DataInputStream(peer.getInputStream());
                assertEquals(5, in.readInt());
                assertEquals("reply", text(in.readNBytes(5)));
                assertThrows(ProtocolException.class, () -> connection.send(new byte[1025]));
            }
        }
    }

    @Test
    void anOversizedFrameClosesTheConnectionBeforeAllocating() throws Exception {
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().framing(Framing.lengthPrefixed(16))
                .onDisconnect((c, r) -> reasons.add(r)).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                new DataOutputStream(peer.getOutputStream()).writeInt(Integer.MAX_VALUE);
                DisconnectReason reason = take(reasons);
                assertInstanceOf(ProtocolException.class, ((DisconnectReason.Failed) reason).cause());
                assertInstanceOf(Failure.Protocol.class, server.drainExceptions().getFirst());
                assertTrue(Peers.closedByPeer(peer, Duration.ofSeconds(2)));
            }
        }
    }

    @Test
    void sendByAddressBroadcastClientsAndDisconnect() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add)
                .onDisconnect((c, r) -> reasons.add(r)).build())) {
            server.start();
            try (Socket a = connect(server.localAddress().orElseThrow()); Socket b = connect(server.localAddress().orElseThrow())) {
                // Each onConnect runs on its own connection's thread, so they may come in either order.
                List<Connection> both = new java.util.ArrayList<>(List.of(take(connected), take(connected)));
                both.sort(java.util.Comparator.comparingLong(Connection::id));
                Connection first = both.get(0).remoteAddress().equals(a.getLocalSocketAddress()) ? both.get(0) : both.get(1);
                Connection second = first == both.get(0) ? both.get(1) : both.get(0);
                List<Connection> clients = server.clients();
                assertEquals(both, clients, "oldest first");
                assertEquals(first, server.client(first.remoteAddress()).orElseThrow());

                server.send((InetSocketAddress) a.getLocalSocketAddress(), bytes("to-a"));
                assertEquals("to-a", text(Peers.readExactly(a, 4)));

                assertEquals(2, server.broadcast(bytes("all")));
                assertEquals("all", text(Peers.readExactly(a, 3)));
                assertEquals("all", text(Peers.readExactly(b, 3)));

                assertTrue(server.disconnect((InetSocketAddress) b.getLocalSocketAddress()));
                assertEquals(DisconnectReason.CLOSED_BY_US, take(reasons));
                assertEquals(-1, b.getInputStream().read());
                assertEquals(List.of(first), server.clients());
                assertEquals(2, clients.size(), "a snapshot does not change");
                assertFalse(server.disconnect(second), "already closed");
                assertThrows(IOException.class, () -> second.send(bytes("late")));

                first.disconnect();
                assertEquals(DisconnectReason.CLOSED_BY_US, take(reasons));
                assertTrue(server.clients().isEmpty());
            }
        }
    }

    @Test
    void lifecycleMovesAndIllegalMovesNameBothStates() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().build())) {
            IllegalStateException early = assertThrows(IllegalStateException.class, server::stop);
            assertTrue(early.getMessage().contains("CREATED") && early.getMessage().contains("PAUSED"), early.getMessage());
            assertTrue(early.getMessage().startsWith("stop() needs a server in state one of [ACCEPTING, PAUSED]"),
                    early.getMessage());
            assertTrue(early.getMessage().endsWith("call start() first"), early.getMessage());
            assertThrows(IllegalStateException.class, server::restart);
            assertThrows(IllegalStateException.class, server::exitAccept);

            server.start();
            assertEquals(ServerState.ACCEPTING, server.state());
            assertTrue(server.isAccepting());
            server.start(); // already accepting: nothing to do
            server.stop();
            assertEquals(ServerState.PAUSED, server.state());
            assertFalse(server.isAccepting());
            assertFalse(server.isKilled());
            IllegalStateException paused = assertThrows(IllegalStateException.class, server::restart);
            assertTrue(paused.getMessage().contains("PAUSED") && paused.getMessage().contains("call start()"),
                    "restart() follows exitAccept() only; a paused server resumes with start(): " + paused.getMessage());
            assertEquals(ServerState.PAUSED, server.state(), "the refused restart moved nothing");
            server.start();
            assertTrue(server.isAccepting());
            InetSocketAddress address = server.localAddress().orElseThrow();

            server.exitAccept();
            assertEquals(ServerState.KILLED, server.state());
            assertTrue(server.isKilled());
            IllegalStateException killed = assertThrows(IllegalStateException.class, server::start);
            assertTrue(killed.getMessage().contains("KILLED"), killed.getMessage());
            assertTrue(killed.getMessage().contains("call restart()"), killed.getMessage());

            server.restart();
            assertEquals(ServerState.ACCEPTING, server.state());
            assertEquals(address, server.localAddress().orElseThrow(), "restart binds the same address");
            IllegalStateException again = assertThrows(IllegalStateException.class, server::restart);
            assertEquals("restart() needs a server in state KILLED, and this one is ACCEPTING: restart() follows"
                    + " exitAccept(); to resume a paused server, call start()", again.getMessage());
            try (Socket peer = connect(address)) {
                assertFalse(Peers.closedByPeer(peer, Duration.ofMillis(100)));
            }
            server.close();
            assertEquals(ServerState.CLOSED, server.state());
            assertTrue(server.isKilled());
            IllegalStateException closed = assertThrows(IllegalStateException.class, server::start);
            assertTrue(closed.getMessage().endsWith("a closed server stays closed; create a new one"), closed.getMessage());
            assertEquals(address, server.localAddress().orElseThrow(), "still known after close, for logs");
        }
    }

    /**
     * A restart whose old accept thread has not ended within its bound (the JDK's accept holding on to a
     * closed listener; here a hook that ignores the close and interrupts) fails with a
     * {@link java.net.BindException} once its waits, each outside the lifecycle's lock, are over, and
     * leaves the server {@code KILLED}; once that thread ends, a restart binds. Before, the restart then
     * waited the bound again under the lifecycle's lock, where a {@code close()}, {@code stop()} or
     * {@code exitAccept()} from another thread waited behind it, and bound.
     */
    @Test
    void aRestartWhoseOldAcceptThreadLingersFailsWithABindException() throws Exception {
        java.util.concurrent.CountDownLatch lingering = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch accepting = new java.util.concurrent.CountDownLatch(1);
        simplesockets.impl.transport.Network network = AcceptHook.lingeringOnceClosed(accepting, lingering, release);
        try (TcpServer server = new ServerEngine(network, loopback().closeTimeout(Duration.ofMillis(200)).build(), null)) {
            server.start();
            assertTrue(accepting.await(5, java.util.concurrent.TimeUnit.SECONDS), "the accept thread accepts");
            server.exitAccept(); // waits its close timeout for the accept thread, which lingers
            assertTrue(lingering.await(5, java.util.concurrent.TimeUnit.SECONDS), "the accept thread lingers");
            long began = System.nanoTime();
            java.net.BindException refused = assertThrows(java.net.BindException.class, server::restart);
            long tookMs = (System.nanoTime() - began) / 1_000_000;
            assertTrue(tookMs < Listener.BIND_TRIES * 1_000L + 1_500, "its waits of 1 s each: " + tookMs + " ms");
            assertTrue(refused.getMessage().contains("did not end"), refused.getMessage());
            assertEquals(ServerState.KILLED, server.state(), "the state did not move");
            assertTrue(server.exceptions().stream().anyMatch(f -> f instanceof Failure.Accept a
                    && a.cause() instanceof java.net.BindException), "recorded: " + server.exceptions());
            release.countDown();
            server.restart(); // waits for the thread, now ending
            assertEquals(ServerState.ACCEPTING, server.state());
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                assertFalse(Peers.closedByPeer(peer, Duration.ofMillis(100)), "served after the restart");
            }
        } finally {
            release.countDown();
        }
    }

    /**
     * An {@code onConnect} that blocks holds up only its own connection: the server goes on accepting and
     * serving other clients. The seed ran {@code on_connect} on its accept thread, so one slow callback
     * kept every new client waiting.
     */
    @Test
    void anOnConnectThatBlocksHoldsUpOnlyItsOwnConnection() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        try (TcpServer server = TcpServer.create(loopback()
                .onConnect(c -> {
                    if (calls.incrementAndGet() == 1) {
                        release.await(10, java.util.concurrent.TimeUnit.SECONDS);
                    }
                })
                .onReceive((c, d) -> c.send(d)).build())) {
            server.start();
            InetSocketAddress address = server.localAddress().orElseThrow();
            try (Socket stuck = connect(address)) {
                Peers.awaitCondition(() -> calls.get() == 1, Peers.WAIT, () -> "the first onConnect did not run");
                for (int i = 0; i < 3; i++) {
                    try (Socket next = connect(address)) {
                        next.getOutputStream().write(bytes("ping " + i));
                        assertEquals("ping " + i, text(Peers.readExactly(next, 6)), "served while the first waits");
                    }
                }
                assertEquals(4, calls.get(), "each later client's onConnect ran");
            } finally {
                release.countDown();
            }
        }
    }


    @Test
    void connectionsSurviveExitAcceptAndPause() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().onReceive((c, d) -> c.send(d)).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                peer.getOutputStream().write(bytes("1"));
                Peers.readExactly(peer, 1);
                server.stop();
                peer.getOutputStream().write(bytes("2"));
                assertEquals("2", text(Peers.readExactly(peer, 1)));
                server.start();
                server.exitAccept();
                peer.getOutputStream().write(bytes("3"));
                assertEquals("3", text(Peers.readExactly(peer, 1)));
            }
        }
    }

    /**
     * A paused server ({@code stop()}) and a full one ({@code maxConnections}) close a new client at once
     * instead of leaving it in the kernel's backlog (within 1 s here, the read's bound; it takes
     * milliseconds), without an {@code onConnect}; each serves again once resumed or once a slot frees.
     */
    @Test
    void pausedOrFullServersRefuseAtOnceAndResumeWhenASlotFrees() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().maxConnections(1).onConnect(connected::add).build())) {
            server.start();
            server.stop();
            try (Socket paused = connect(server.localAddress().orElseThrow())) {
                assertTrue(Peers.closedByPeer(paused, Duration.ofSeconds(1)), "a paused server closes a new client");
            }
            assertTrue(connected.isEmpty(), "no onConnect for a client of a paused server");
            server.start();
            try (Socket first = connect(server.localAddress().orElseThrow())) {
                Connection held = take(connected);
                try (Socket refused = connect(server.localAddress().orElseThrow())) {
                    assertTrue(Peers.closedByPeer(refused, Duration.ofSeconds(1)), "a full server closes a new client");
                }
                assertTrue(connected.isEmpty(), "no onConnect for a refused client");

                held.disconnect();
                try (Socket next = connect(server.localAddress().orElseThrow())) {
                    assertEquals(next.getLocalSocketAddress(), take(connected).remoteAddress());
                }
            }
            assertEquals(2, server.stats().connectionsRefused());
        }
    }

    /**
     * A server started on the port of one that just closed its connections itself (the active close,
     * which leaves them in TIME_WAIT on that port) binds it at once: address reuse is on, as the JDK
     * also sets it on Linux. (This test binds a fixed port: the one the first server was given.)
     */
    @Test
    void aNewServerBindsThePortOfOneThatClosedItsConnectionsFirst() throws Exception {
        int port;
        try (TcpServer first = TcpServer.create(loopback().onReceive((c, d) -> c.send(d)).build())) {
            first.start();
            port = first.localAddress().orElseThrow().getPort();
            try (Socket peer = connect(first.localAddress().orElseThrow())) {
                peer.getOutputStream().write(bytes("x"));
                Peers.readExactly(peer, 1);
                first.close(); // the server closes first: its side of the connection goes to TIME_WAIT
                assertTrue(Peers.closedByPeer(peer, Peers.WAIT));
            }
        }
        try (TcpServer second = TcpServer.create(loopback().port(port).build())) {
            second.start();
            assertEquals(port, second.localAddress().orElseThrow().getPort());
        }
    }

    /** The body of an idle-timeout test: a silent peer whose connection's read has begun. */
    private interface SilentPeer {
        void run(SteppedClock clock, Socket peer, Connection connection, BlockingQueue<DisconnectReason> reasons)
                throws Exception;
    }

    /** Runs {@code test} against a server with {@code idle} on a stepped clock over real, watched sockets. */
    private static void withSilentPeer(Duration idle, SilentPeer test) throws Exception {
        SteppedClock clock = new SteppedClock();
        WatchedNetwork network = new WatchedNetwork();
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        try (TcpServer server = new ServerEngine(network, loopback().idleTimeout(idle).onConnect(connected::add)
                .onReceive((c, d) -> { }).onDisconnect((c, r) -> reasons.add(r)).build(), clock)) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                Connection connection = take(connected);
                Peers.awaitCondition(() -> network.readsInProgress() == 1, Peers.WAIT,
                        () -> "the server's read of the silent peer began");
                test.run(clock, peer, connection, reasons);
            }
        }
    }

    /**
     * A connection to which the server sends is not idle: the idle timeout counts from the later of the
     * read's start and the last write's end, so a long reply written to a peer that only reads (from
     * another thread, as the polling style does) keeps its connection. It counted read waits only, and
     * cut such a reply off at the idle timeout; with callbacks, where the reader writes, it did not.
     */
    @Test
    void aConnectionThatIsSentToIsNotIdle() throws Exception {
        Duration idle = Duration.ofMillis(200);
        withSilentPeer(idle, (clock, peer, connection, reasons) -> {
            clock.advance(Duration.ofMillis(150));
            connection.send(bytes("part of a long reply")); // from this thread: the connection's writer writes it
            peer.setSoTimeout((int) Peers.WAIT.toMillis());
            assertEquals("part of a long reply", text(peer.getInputStream().readNBytes(20)));
            Peers.awaitCondition(() -> connection.stats().pendingBytes() == 0, Peers.WAIT, () -> "the write ended");
            clock.advance(Duration.ofMillis(150).plus(Stepping.checkPeriod(idle))); // the read has waited past the timeout
            assertTrue(connection.isOpen(), "open: something was sent " + Duration.ofMillis(150) + " ago");
            clock.advance(Duration.ofMillis(100)); // nothing received or sent for the whole timeout now
            assertFalse(connection.isOpen(), "closed once nothing was received or sent for the timeout, at " + clock);
            assertEquals(DisconnectReason.TIMED_OUT, take(reasons));
        });
    }

    /** Over real sockets, on a stepped clock: the timeout counts clock time, never real time. */
    @Test
    void idleTimeoutDisconnectsWithTimedOut() throws Exception {
        Duration idle = Duration.ofMillis(200);
        withSilentPeer(idle, (clock, peer, connection, reasons) -> {
            clock.advance(Stepping.justUnder(idle));
            assertTrue(connection.isOpen(), "still open just under the idle timeout");
            assertTrue(reasons.isEmpty());
            // The timers that come due run inside advance(): the close is decided when it returns.
            clock.advance(Duration.ofMillis(1).plus(Stepping.checkPeriod(idle)));
            assertFalse(connection.isOpen(), "closed by the first check past the idle timeout, at " + clock);
            assertEquals(DisconnectReason.TIMED_OUT, take(reasons));
            assertTrue(Peers.closedByPeer(peer, Peers.WAIT));
        });
    }

    @Test
    void halfClosedPeerGetsItsPolledReply() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                peer.getOutputStream().write(bytes("hi"));
                peer.shutdownOutput(); // as `echo hi | ncat` does
                // Whether the server sees the end of stream before or after this poll, the reply goes out.
                for (ServerEvent.Received r : server.awaitReceived(Peers.WAIT)) {
                    server.send(r.connection(), r.data());
                }
                assertEquals("hi", text(Peers.readToEnd(peer)), "the reply, then the server closes");
            }
        }
    }

    @Test
    void exceptionsKeepTheSeedsDeleteAndResetSemantics() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().onConnect(c -> {
            throw new IllegalStateException("x");
        }).build())) {
            server.start();
            assertFalse(server.hasExceptions());
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                server.awaitEvent(Peers.WAIT); // the Failed event
            }
            assertTrue(server.hasExceptions());
            assertEquals(1, server.exceptions().size());
            assertTrue(server.hasExceptions(), "neither deleted nor reset");
            assertEquals(1, server.exceptions(false, true).size());
            assertFalse(server.hasExceptions(), "reset clears the flag...");
            assertEquals(1, server.exceptions(true, false).size(), "...but not the list");
            assertTrue(server.exceptions().isEmpty(), "delete clears the list");
            assertEquals(0, server.droppedExceptions());
        }
    }

    @Test
    void awaitsReturnWhenTheServerCloses() throws Exception {
        TcpServer server = TcpServer.create(loopback().build());
        server.start();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                server.awaitReceived(Duration.ofMinutes(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Peers.awaitCondition(() -> waiter.getState() == Thread.State.TIMED_WAITING, Peers.WAIT,
                () -> "the waiter did not start waiting");
        server.close();
        assertTrue(waiter.join(Duration.ofSeconds(2)));
    }

    /**
     * A second {@code close()} while the first is under way returns only once the first is over: its
     * disconnect callbacks have run. It used to return at once, so a shutdown hook racing the main thread
     * could let the JVM exit in the middle of them.
     */
    @Test
    void aSecondCloseWaitsForTheFirstToFinish() throws Exception {
        java.util.concurrent.CountDownLatch inCallback = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        TcpServer server = TcpServer.create(loopback().closeTimeout(Duration.ofSeconds(5)).onDisconnect((c, r) -> {
            inCallback.countDown();
            Thread.sleep(300); // the work a callback does on its way out
            done.set(true);
        }).build());
        server.start();
        try (Socket peer = connect(server.localAddress().orElseThrow())) {
            Peers.awaitCondition(() -> !server.clients().isEmpty(), Peers.WAIT, () -> "not connected");
            java.util.concurrent.CompletableFuture<Void> first = java.util.concurrent.CompletableFuture.runAsync(server::close);
            assertTrue(inCallback.await(5, java.util.concurrent.TimeUnit.SECONDS), "the first close reached the callback");
            server.close();
            assertTrue(done.get(), "the second close returned while the first was still in a callback");
            first.get(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /**
     * A {@code close()} from another thread returns only once the callback that closed the server (a
     * "quit" command, say) has returned and its connection's end was reported. Its close could not join
     * its own thread, and the later close returned at once, so the JVM could exit in the middle of that
     * connection's {@code onDisconnect}.
     */
    @Test
    void aCloseWaitsForTheCallbackThatClosedTheServer() throws Exception {
        java.util.concurrent.CountDownLatch closedByCallback = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        TcpServer[] self = {null};
        TcpServer server = TcpServer.create(loopback().closeTimeout(Duration.ofSeconds(5))
                .onReceive((c, d) -> {
                    self[0].close();
                    closedByCallback.countDown();
                })
                .onDisconnect((c, r) -> {
                    Thread.sleep(300); // the work a callback does on its way out
                    done.set(true);
                }).build());
        self[0] = server;
        server.start();
        try (Socket peer = connect(server.localAddress().orElseThrow())) {
            peer.getOutputStream().write("quit\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertTrue(closedByCallback.await(5, java.util.concurrent.TimeUnit.SECONDS), "the callback closed the server");
            assertEquals(ServerState.CLOSED, server.state());
            server.close();
            assertTrue(done.get(), "close() returned while the connection that closed the server still reported its end");
        }
    }

    /**
     * While a graceful close drains, {@code start()} and {@code restart()} are refused as closing: the
     * start's message sent users to {@code restart()}, which refuses too, and the restart probed a Unix
     * socket's file before it looked.
     */
    @Test
    void startAndRestartDuringAGracefulCloseSayItIsClosing() throws Exception {
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch finish = new java.util.concurrent.CountDownLatch(1);
        TcpServer server = TcpServer.create(loopback().onReceive((c, d) -> {
            busy.countDown();
            finish.await(5, java.util.concurrent.TimeUnit.SECONDS);
        }).build());
        server.start();
        try (Socket peer = connect(server.localAddress().orElseThrow())) {
            peer.getOutputStream().write('x');
            assertTrue(busy.await(5, java.util.concurrent.TimeUnit.SECONDS), "a callback is busy");
            java.util.concurrent.CompletableFuture<Integer> graceful =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> server.close(Duration.ofSeconds(10)));
            Peers.awaitCondition(() -> server.state() == ServerState.KILLED, Peers.WAIT, () -> "draining");
            IllegalStateException start = assertThrows(IllegalStateException.class, server::start);
            assertTrue(start.getMessage().contains("closing"), start.getMessage());
            assertFalse(start.getMessage().contains("call restart()"), start.getMessage());
            IllegalStateException restart = assertThrows(IllegalStateException.class, server::restart);
            assertTrue(restart.getMessage().contains("closing"), restart.getMessage());
            finish.countDown();
            assertEquals(0, graceful.get(5, java.util.concurrent.TimeUnit.SECONDS), "a clean drain");
        }
    }

    /**
     * A client that connects while {@code restart()} is still finishing (its accept loop runs, its state
     * is not yet {@code ACCEPTING}) is served. It was refused as if the server were paused.
     */
    @Test
    void aClientAcceptedWhileARestartFinishesIsServed() throws Exception {
        java.util.concurrent.CountDownLatch rebound = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch accepted = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger binds = new java.util.concurrent.atomic.AtomicInteger();
        simplesockets.impl.transport.Network slowRestart = new simplesockets.impl.transport.Network() {
            @Override
            public simplesockets.impl.transport.Acceptor bind(java.net.SocketAddress address, int backlog) throws IOException {
                simplesockets.impl.transport.Acceptor real = SocketNetwork.INSTANCE.bind(address, backlog);
                boolean again = binds.incrementAndGet() > 1;
                return new simplesockets.impl.transport.Acceptor() {
                    @Override
                    public simplesockets.impl.transport.Transport accept() throws IOException {
                        simplesockets.impl.transport.Transport t = real.accept();
                        accepted.countDown();
                        return t;
                    }

                    @Override
                    public boolean isOpen() {
                        return real.isOpen();
                    }

                    @Override
                    public InetSocketAddress localAddress() {
                        if (again) { // the restart's last step waits until its loop took a client
                            rebound.countDown();
                            try {
                                accepted.await(5, java.util.concurrent.TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        return real.localAddress();
                    }

                    @Override
                    public void close() throws IOException {
                        real.close();
                    }
                };
            }

            @Override
            public simplesockets.impl.transport.Transport connect(java.net.SocketAddress address, Duration timeout)
                    throws IOException {
                return SocketNetwork.INSTANCE.connect(address, timeout);
            }
        };
        try (TcpServer server = new ServerEngine(slowRestart, loopback().onReceive((c, d) -> c.send(d)).build(), null)) {
            server.start();
            InetSocketAddress address = server.localAddress().orElseThrow();
            server.exitAccept();
            java.util.concurrent.CompletableFuture<Void> restart = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    server.restart();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertTrue(rebound.await(5, java.util.concurrent.TimeUnit.SECONDS), "the restart bound again");
            try (Socket peer = connect(address)) {
                peer.setSoTimeout((int) Peers.WAIT.toMillis());
                peer.getOutputStream().write(bytes("hi"));
                assertEquals("hi", text(peer.getInputStream().readNBytes(2)), "the client was refused");
            }
            restart.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(0, server.stats().connectionsRefused());
        }
    }

    /**
     * A connection accepted while the server is paused is refused even when {@code exitAccept()} lands
     * between its accept and its admission: the listener is looked at after the state. It was admitted
     * (and its {@code onConnect} fired), the state then read as KILLED and taken for a restart's.
     */
    @Test
    void aConnectionAcceptedWhilePausedIsRefusedWhenExitAcceptLandsBeforeItsAdmission() throws Exception {
        java.util.concurrent.CountDownLatch looking = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch exited = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean justAccepted = new java.util.concurrent.atomic.AtomicBoolean();
        simplesockets.impl.transport.Network slowLook = AcceptHook.around(real -> {
            simplesockets.impl.transport.Transport t = real.accept();
            justAccepted.set(true);
            return t;
        }, real -> {
            boolean open = real.isOpen();
            if (justAccepted.getAndSet(false)) { // the first look after an accept: exitAccept lands now
                looking.countDown();
                boolean interrupted = false; // the listener's close interrupts the loop: wait on
                for (int tries = 0; tries < 10; tries++) {
                    try {
                        exited.await(5, java.util.concurrent.TimeUnit.SECONDS);
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            return open;
        });
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = new ServerEngine(slowLook, loopback().closeTimeout(Duration.ofMillis(200))
                .onConnect(connected::add).build(), null)) {
            server.start();
            server.stop();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                assertTrue(looking.await(5, java.util.concurrent.TimeUnit.SECONDS), "accepted while paused");
                server.exitAccept(); // waits for the loop at most the close timeout: it is held in the look
                exited.countDown();
                assertTrue(Peers.closedByPeer(peer, Peers.WAIT), "refused: closed at once");
                assertTrue(connected.isEmpty(), "no onConnect for a connection that came while paused");
            }
        }
    }

    /**
     * A broadcast the framing cannot carry is refused as the caller's mistake, before anything is sent;
     * it was dropped at every connection in silence (logged at debug), returning 0 as if nobody were
     * connected. One that fits reaches every connection framed.
     */
    @Test
    void aBroadcastTheFramingCannotCarryIsRefusedAndOneThatFitsIsFramed() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().framing(Framing.lines(4)).build())) {
            server.start();
            try (Socket one = connect(server.localAddress().orElseThrow());
                 Socket two = connect(server.localAddress().orElseThrow())) {
                Peers.awaitCondition(() -> server.clients().size() == 2, Peers.WAIT, () -> "not connected");
                assertThrows(IllegalArgumentException.class, () -> server.broadcast(bytes("too long")));
                assertThrows(IllegalArgumentException.class, () -> server.broadcast(bytes("a\nb")));
                assertEquals(2, server.broadcast(bytes("hi")));
                for (Socket peer : List.of(one, two)) {
                    peer.setSoTimeout((int) Peers.WAIT.toMillis());
                    assertEquals("hi\n", text(Peers.readExactly(peer, 3)), "nothing refused was sent before it");
                }
                assertTrue(server.clients().stream().allMatch(Connection::isOpen));
            }
        }
    }

    /**
     * A handler's failed read ends the connection at once, as any failed read does: closed, out of
     * {@code clients()}, its failure recorded once, even if the handler catches the exception and goes
     * on. It stayed open (and uncounted as a failure, ending {@code ClosedByUs}) until the handler returned.
     */
    @Test
    void aHandlersFailedReadEndsItsConnectionAtOnce() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> ends = new LinkedBlockingQueue<>();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        TcpServer[] self = new TcpServer[1];
        try (TcpServer server = TcpServer.create(loopback().framing(Framing.lengthPrefixed(16)).handler(c -> {
            try {
                c.read();
                seen.add("read returned");
            } catch (ProtocolException e) {
                seen.add("open=" + c.isOpen() + " clients=" + self[0].clients().size());
                seen.add("again=" + c.read().isPresent());
                release.await(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        }).onDisconnect((c, why) -> ends.add(why)).build())) {
            self[0] = server;
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                peer.getOutputStream().write(new byte[] {0, 0, 4, 0}); // 1,024 bytes announced, 16 allowed
                assertEquals("open=false clients=0", take(seen), "the connection ended before the handler returned");
                assertEquals("again=false", take(seen), "a read after the failure is the end");
                assertEquals(1, server.exceptions().size(), server.exceptions().toString());
                assertInstanceOf(Failure.Protocol.class, server.exceptions().getFirst());
                assertTrue(Peers.closedByPeer(peer, Peers.WAIT), "the peer sees the close before the handler returns");
                release.countDown();
                assertInstanceOf(DisconnectReason.Failed.class, take(ends));
                assertEquals(1, server.exceptions().size(), "recorded once: " + server.exceptions());
            } finally {
                release.countDown();
            }
        }
    }

    /**
     * After {@code disconnect()}, nothing more is received, even while the sends made before it still go
     * out (a large reply, here): bytes the peer sends meanwhile are not handed to {@code onReceive}. The
     * connection's reader is woken only once those sends are out, and what it reads until then is dropped.
     */
    @Test
    void aDisconnectedConnectionReceivesNothingWhileItsLastSendsGoOut() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> ended = new LinkedBlockingQueue<>();
        byte[] reply = Peers.pattern(3, 32 << 20); // more than the kernel's buffers hold for a peer not reading
        try (TcpServer server = TcpServer.create(loopback().maxPendingSendBytes(64 << 20).closeTimeout(Duration.ofSeconds(5))
                .onConnect(connected::add).onReceive((c, d) -> received.add(text(d)))
                .onDisconnect((c, why) -> ended.add(why)).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                Connection connection = take(connected);
                connection.send(reply); // from this thread: its writer writes it, blocked on the peer
                connection.disconnect();
                peer.getOutputStream().write(bytes("after the disconnect"));
                peer.setSoTimeout((int) Peers.WAIT.toMillis());
                assertArrayEquals(reply, peer.getInputStream().readAllBytes(), "the reply, then the end");
                assertEquals(DisconnectReason.CLOSED_BY_US, take(ended));
                assertEquals(List.of(), List.copyOf(received), "nothing received after disconnect()");
                assertEquals(0, server.stats().messagesIn(), "nor counted as received: " + server.stats());
            }
        }
    }

    /**
     * {@code close()} stays within its bound when closing each connection may wait a moment (a TLS
     * close_notify that a peer that does not read leaves unwritten, up to 200 ms): such connections are
     * closed side by side. Here each close waits 400 ms; 8 of them one after another took 3.2 s, past the
     * close timeout of 500 ms.
     */
    @Test
    void closeEndsConnectionsWhoseCloseWaitsSideBySide() throws Exception {
        TcpServer server = new ServerEngine(slowToClose(Duration.ofMillis(400)),
                loopback().onReceive((c, d) -> c.send(d)).build(), null);
        server.start();
        List<Socket> peers = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                peers.add(connect(server.localAddress().orElseThrow()));
            }
            Peers.awaitCondition(() -> server.clients().size() == 8, Peers.WAIT, () -> "not all connected");
            Peers.closeWithinItsBound(server);
        } finally {
            server.close();
            for (Socket peer : peers) {
                peer.close();
            }
        }
    }

    /**
     * With {@code closeTimeout(ZERO)}, a {@code restart()} right after {@code exitAccept()} binds the port:
     * the closed listener's accept thread holds its socket until it wakes (microseconds), and the restart
     * waited for it only as long as the close timeout, none, so now and then its bind failed with
     * {@code BindException}.
     */
    @Test
    void aRestartRightAfterExitAcceptBindsWithAZeroCloseTimeout() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().closeTimeout(Duration.ZERO)
                .onReceive((c, d) -> c.send(d)).build())) {
            server.start();
            InetSocketAddress address = server.localAddress().orElseThrow();
            for (int i = 0; i < 300; i++) {
                server.exitAccept();
                server.restart();
            }
            assertEquals(ServerState.ACCEPTING, server.state());
            try (Socket peer = connect(address)) {
                peer.getOutputStream().write(bytes("up"));
                assertEquals("up", text(Peers.readExactly(peer, 2)), "served after the restarts");
            }
        }
    }

    /**
     * The idle timeout, too, ends connections whose close may wait side by side: one after another, eight
     * of them that each take 1 s to close here are ended over 8 s after their timeout (8.2 s in all); side
     * by side, in about 1.3 s (the timeout, a check's period, one close). The bound of 4 s fails the first
     * by seconds and leaves the second more than 2.5 s of slack on a loaded machine. (The close timeout is
     * 5 s so that a check waits for the closes it started, which take longer than its least wait, 1 s.)
     */
    @Test
    void idleConnectionsWhoseCloseWaitsAreEndedSideBySide() throws Exception {
        Duration idle = Duration.ofMillis(200);
        Duration bound = Duration.ofSeconds(4);
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        List<Socket> peers = new java.util.ArrayList<>();
        try (TcpServer server = new ServerEngine(slowToClose(Duration.ofSeconds(1)), loopback().idleTimeout(idle)
                .closeTimeout(Duration.ofSeconds(5))
                .onReceive((c, d) -> { }).onDisconnect((c, r) -> reasons.add(r)).build(), null)) {
            server.start();
            for (int i = 0; i < 8; i++) {
                peers.add(connect(server.localAddress().orElseThrow()));
            }
            Peers.awaitCondition(() -> server.clients().size() == 8, Peers.WAIT, () -> "not all connected");
            long silentSince = System.nanoTime();
            for (Socket peer : peers) { // one after another, the last closed about 8.2 s from now
                assertTrue(Peers.closedByPeer(peer, bound),
                        "every idle peer closed within " + bound + ", the 1 s closes side by side (one or two checks)");
            }
            Duration took = Duration.ofNanos(System.nanoTime() - silentSince);
            assertTrue(took.compareTo(bound) < 0, "all closed within " + bound + ", took " + took);
            for (int i = 0; i < 8; i++) {
                assertEquals(DisconnectReason.TIMED_OUT, take(reasons));
            }
        } finally {
            for (Socket peer : peers) {
                peer.close();
            }
        }
    }

    /**
     * A network whose accepted connections each take {@code closing} to close, as a TLS close_notify nobody
     * reads. As a TLS transport's, only the first close waits: a close made meanwhile waits for it, and one
     * made after it (the connection's own thread's, once its read ended) returns at once.
     */
    private static simplesockets.impl.transport.Network slowToClose(Duration closing) {
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        return AcceptHook.around(real -> new ForwardingTransport(real.accept()) {
            private final java.util.concurrent.atomic.AtomicBoolean closeBegun =
                    new java.util.concurrent.atomic.AtomicBoolean();
            private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

            @Override
            public boolean closeMayWait() {
                return true;
            }

            @Override
            public void close() throws IOException {
                try {
                    if (closeBegun.compareAndSet(false, true)) {
                        never.await(closing.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                    } else {
                        closed.await(); // the first close ends within closing
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                try {
                    super.close();
                } finally {
                    closed.countDown();
                }
            }
        });
    }

    /**
     * A callback's failure is stamped with the server's clock, as every other failure and event is: on a
     * stepped clock (the testkit's manual clock), it was stamped with the wall clock instead.
     */
    @Test
    void aCallbacksFailureIsStampedWithTheServersClock() throws Exception {
        SteppedClock clock = new SteppedClock();
        clock.advance(Duration.ofHours(1)); // an hour ahead of the wall clock
        try (TcpServer server = new ServerEngine(SocketNetwork.INSTANCE, loopback().onReceive((c, d) -> {
            throw new IllegalStateException("a callback's bug, for the test");
        }).build(), clock)) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                peer.getOutputStream().write(bytes("x"));
                Peers.awaitCondition(server::hasExceptions, Peers.WAIT, () -> "the failure is recorded");
                Failure failure = server.exceptions().get(0);
                assertInstanceOf(Failure.Callback.class, failure);
                assertEquals(clock.now(), failure.at());
            }
        }
    }
}
