package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.awaitCondition;
import static simplesockets.impl.Peers.connect;
import static simplesockets.impl.Peers.loopback;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.Connection;
import simplesockets.api.ConnectionStats;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.Framing;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerStats;
import simplesockets.api.TcpServer;

/**
 * Every figure of {@link TcpServer#stats()} and {@link Connection#stats()} moves as it should, over
 * real loopback sockets: connections accepted, refused and closed; bytes and messages both ways;
 * bytes queued for polling and pending for the writer; a reader held back by backpressure; a slow
 * consumer cut off; dropped events; failures by kind.
 */
@Timeout(60)
class StatsTest {

    /** A length-prefixed frame of {@code payload}. */
    private static byte[] frame(String payload) {
        byte[] data = Peers.bytes(payload);
        return ByteBuffer.allocate(4 + data.length).putInt(data.length).put(data).array();
    }

    private static <T> void awaitFigure(Supplier<T> figure, T expected, String what) {
        awaitCondition(() -> expected.equals(figure.get()), Peers.WAIT, () -> what + " is " + figure.get() + ", not " + expected);
    }

    @Test
    void connectionsAreCountedAcceptedRefusedOpenAndClosed() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> ended = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().maxConnections(1)
                .onConnect(connected::add)
                .onDisconnect((connection, reason) -> ended.add(reason))
                .onReceive((connection, data) -> { })
                .build())) {
            server.start();
            InetSocketAddress address = server.localAddress().orElseThrow();
            ServerStats fresh = server.stats();
            assertEquals(0, fresh.connectionsOpen() + fresh.connectionsAccepted() + fresh.connectionsRefused()
                    + fresh.connectionsClosed());
            try (Socket first = connect(address)) {
                Peers.take(connected);
                try (Socket second = connect(address)) {
                    assertTrue(Peers.closedByPeer(second, Peers.WAIT), "the server is full: the second is refused");
                }
                ServerStats full = server.stats();
                assertEquals(1, full.connectionsOpen());
                assertEquals(1, full.connectionsAccepted());
                assertEquals(1, full.connectionsRefused());
                assertEquals(0, full.connectionsClosed());
            }
            assertEquals(DisconnectReason.PEER_CLOSED, Peers.take(ended));
            ServerStats after = server.stats();
            assertEquals(0, after.connectionsOpen());
            assertEquals(1, after.connectionsClosed(), "counted before the disconnect is reported");

            server.stop(); // paused: refused too
            try (Socket paused = connect(address)) {
                assertTrue(Peers.closedByPeer(paused, Peers.WAIT));
            }
            awaitFigure(() -> server.stats().connectionsRefused(), 2L, "connectionsRefused");
            assertEquals(1, server.stats().connectionsAccepted());
        }
    }

    /**
     * While connections come and go, no snapshot counts one as both open and closed: accepted minus open
     * minus closed (those in their handshake, or ended and still writing) is never below 0. Before, the open
     * count was read before the others, so a connection that ended in between was counted in both.
     */
    @Test
    void aSnapshotNeverCountsAConnectionBothOpenAndClosed() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().onReceive((c, d) -> c.disconnect()).build())) {
            server.start();
            InetSocketAddress address = server.localAddress().orElseThrow();
            java.util.concurrent.atomic.AtomicBoolean churning = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread churn = Thread.ofPlatform().name("churn").start(() -> {
                for (int i = 0; i < 2_000 && churning.get(); i++) {
                    try (Socket peer = connect(address)) {
                        peer.getOutputStream().write(1); // the server disconnects it
                        peer.getInputStream().read();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            try {
                long snapshots = 0;
                for (long end = System.nanoTime() + Duration.ofSeconds(3).toNanos(); churn.isAlive() && System.nanoTime() < end; ) {
                    ServerStats stats = server.stats();
                    long remainder = stats.connectionsAccepted() - stats.connectionsOpen() - stats.connectionsClosed();
                    assertTrue(remainder >= 0, "counted twice: " + stats);
                    snapshots++;
                }
                assertTrue(snapshots > 0);
            } finally {
                churning.set(false);
                churn.join(Peers.WAIT.toMillis());
            }
        }
    }

    @Test
    void bytesAndMessagesAreCountedBothWaysPerConnectionAndForTheServer() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        BlockingQueue<Connection> ended = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().framing(Framing.lengthPrefixed(1024))
                .onConnect(connected::add)
                .onReceive(Connection::send)
                .onDisconnect((connection, reason) -> ended.add(connection))
                .build())) {
            server.start();
            byte[] frames = Peers.concat(List.of(frame("one"), frame("two"), frame("three!")));
            Connection connection;
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                connection = Peers.take(connected);
                peer.getOutputStream().write(frames);
                assertArrayEquals(frames, Peers.readExactly(peer, frames.length), "echoed, framed alike");
                // The peer can read the echo before the server's write call returned: wait for the count.
                awaitFigure(() -> connection.stats().bytesOut(), (long) frames.length, "bytesOut");
                ConnectionStats live = connection.stats();
                assertEquals(frames.length, live.bytesIn(), "bytes on the wire, headers included");
                assertEquals(3, live.messagesIn(), "three frames");
                assertEquals(3, live.messagesOut(), "three sends");
                assertEquals(0, live.queuedBytes(), "callbacks queue nothing");
                assertEquals(0, live.pendingBytes(), "sends on the connection's own thread are never pending");
                ServerStats total = server.stats();
                assertEquals(frames.length, total.bytesIn());
                assertEquals(frames.length, total.bytesOut());
                assertEquals(3, total.messagesIn());
                assertEquals(3, total.messagesOut());
            }
            assertEquals(connection, Peers.take(ended));
            ConnectionStats last = connection.stats();
            assertEquals(frames.length, last.bytesIn(), "an ended connection keeps its figures");
            assertEquals(3, last.messagesOut());
            ServerStats total = server.stats();
            assertEquals(frames.length, total.bytesIn(), "an ended connection's figures stay in the server's");
            assertEquals(frames.length, total.bytesOut());
            assertEquals(3, total.messagesIn());
            assertEquals(3, total.messagesOut());
            assertEquals(1, total.connectionsClosed());
        }
    }

    @Test
    void queuedBytesShowWhatWaitsForPollingUntilItIsTaken() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                byte[] data = Peers.pattern(1, 1000);
                peer.getOutputStream().write(data);
                awaitFigure(() -> server.stats().queuedBytes(), 1000L, "the server's queuedBytes");
                Connection connection = server.clients().get(0);
                assertEquals(1000, connection.stats().queuedBytes(), "the connection's own");
                assertEquals(1000, connection.stats().bytesIn());
                List<byte[]> taken = new ArrayList<>();
                server.drainReceived().forEach(r -> taken.add(r.data()));
                assertArrayEquals(data, Peers.concat(taken));
                assertEquals(0, connection.stats().queuedBytes());
                assertEquals(0, server.stats().queuedBytes());
                assertEquals(taken.size(), connection.stats().messagesIn(), "each piece handed out is a message");
            }
            // A connection that ended (reset) while its data waits: the data stays queued, and counted.
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                peer.getOutputStream().write(Peers.pattern(2, 300));
                awaitFigure(() -> server.stats().queuedBytes(), 300L, "the server's queuedBytes");
                peer.setSoLinger(true, 0);
            }
            awaitFigure(() -> server.stats().connectionsClosed(), 2L, "connectionsClosed");
            assertEquals(300, server.stats().queuedBytes(), "still waiting for polling");
            assertEquals(300, server.drainReceived().stream().mapToInt(r -> r.data().length).sum());
            assertEquals(0, server.stats().queuedBytes());
        }
    }

    @Test
    void aReaderHeldBackByBackpressureIsStalledUntilItsDataIsTaken() throws Exception {
        int limit = 4096;
        int total = 256 * 1024;
        try (TcpServer server = TcpServer.create(loopback().maxQueuedBytesPerConnection(limit).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                byte[] data = Peers.pattern(7, total);
                Thread sender = Thread.ofVirtual().start(() -> {
                    try {
                        peer.getOutputStream().write(data);
                    } catch (IOException e) {
                        // the test failed and closed the socket
                    }
                });
                awaitCondition(() -> server.stats().readersStalled() == 1, Peers.WAIT,
                        () -> "the reader did not stall: " + server.stats());
                Connection connection = server.clients().get(0);
                ConnectionStats stalled = connection.stats();
                assertTrue(stalled.isReaderStalled());
                assertEquals(1, stalled.readerStalls(), "a wait in progress counts");
                assertTrue(stalled.queuedBytes() >= limit - 2048, "it stalled at its bound: " + stalled);

                ByteArrayOutputStream received = new ByteArrayOutputStream();
                while (received.size() < total) {
                    List<ServerEvent.Received> taken = server.awaitReceived(Peers.WAIT);
                    assertFalse(taken.isEmpty(), "data stopped coming after " + received.size() + " bytes");
                    taken.forEach(r -> received.writeBytes(r.data()));
                }
                assertArrayEquals(data, received.toByteArray(), "backpressure loses nothing");
                assertTrue(sender.join(Peers.WAIT));
                awaitCondition(() -> !connection.stats().isReaderStalled(), Peers.WAIT,
                        () -> "it reads on once its data is taken: " + connection.stats());
                ConnectionStats after = connection.stats();
                assertTrue(after.readerStalls() >= 1);
                assertTrue(after.readerStallTime().compareTo(Duration.ZERO) > 0);
                ServerStats totals = server.stats();
                assertEquals(0, totals.readersStalled());
                assertEquals(after.readerStalls(), totals.readerStalls());
                assertEquals(after.readerStallTime(), totals.readerStallTime());
            }
        }
    }

    /**
     * A reader's stall time never goes back between two snapshots while it stalls and reads on over
     * and over: a stall that ends while a snapshot reads is counted once, in the total or as ongoing,
     * and an ongoing stall is never counted longer than it turns out to be. Before, a snapshot could
     * count it both ways, or read the clock after the stall's end had read it, and the next snapshot
     * was smaller.
     */
    @Test
    void stallTimeNeverGoesBack() throws Exception {
        int total = 2 << 20;
        try (TcpServer server = TcpServer.create(loopback().maxQueuedBytesPerConnection(1024).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                Thread sender = Thread.ofVirtual().start(() -> {
                    try {
                        peer.getOutputStream().write(new byte[total]);
                    } catch (IOException e) {
                        // the test failed and closed the socket
                    }
                });
                java.util.concurrent.atomic.AtomicLong taken = new java.util.concurrent.atomic.AtomicLong();
                Thread poller = Thread.ofVirtual().start(() -> {
                    try {
                        while (taken.get() < total) {
                            for (ServerEvent.Received r : server.awaitReceived(Peers.WAIT)) {
                                taken.addAndGet(r.data().length);
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                awaitCondition(() -> !server.clients().isEmpty(), Peers.WAIT, () -> "not connected");
                Connection connection = server.clients().getFirst();
                Duration last = Duration.ZERO;
                long snapshots = 0;
                for (long deadline = System.nanoTime() + Peers.WAIT.toNanos(); taken.get() < total
                        && System.nanoTime() < deadline; snapshots++) {
                    Duration now = connection.stats().readerStallTime();
                    assertTrue(now.compareTo(last) >= 0, "stall time went back from " + last + " to " + now);
                    last = now;
                }
                assertTrue(poller.join(Peers.WAIT) && sender.join(Peers.WAIT), "the stream went through");
                assertTrue(connection.stats().readerStalls() > 1, "it stalled over and over, in " + snapshots + " snapshots");
            }
        }
    }

    @Test
    void pendingBytesShowSendsWaitingForTheWriterAndASlowConsumerCutOffIsCounted() throws Exception {
        int bound = 256 * 1024;
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> ended = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().maxPendingSendBytes(bound)
                .onConnect(connected::add)
                .onDisconnect((connection, reason) -> ended.add(reason))
                .onReceive((connection, data) -> { })
                .build())) {
            server.start();
            try (Socket peer = new Socket()) {
                peer.setReceiveBufferSize(16 * 1024);
                peer.connect(server.localAddress().orElseThrow(), (int) Peers.WAIT.toMillis());
                Connection connection = Peers.take(connected);
                // Sends from this thread are queued for the connection's writer; the peer reads nothing.
                byte[] block = new byte[16 * 1024];
                long seenPending = 0;
                SocketException cut = null;
                for (int i = 0; i < 10_000 && cut == null; i++) {
                    try {
                        connection.send(block);
                        seenPending = Math.max(seenPending, connection.stats().pendingBytes());
                    } catch (SocketException e) {
                        cut = e;
                    }
                }
                assertTrue(cut != null, "the peer that never reads was never cut off");
                assertTrue(seenPending > 0, "sends waited for the writer");
                assertTrue(seenPending <= bound, seenPending + " pending bytes, past the bound");
                assertEquals(DisconnectReason.SLOW_CONSUMER, Peers.take(ended));
                assertEquals(0, connection.stats().pendingBytes(), "dropped when it was cut off");
                ServerStats stats = server.stats();
                assertEquals(1, stats.slowConsumers());
                assertEquals(1, stats.failures(Failure.SlowConsumer.class));
                assertEquals(1, stats.connectionsClosed());
                assertEquals(0, stats.pendingBytes());
                assertEquals(connection.stats().messagesOut(), stats.messagesOut(), "every send that was queued");
                assertTrue(stats.messagesOut() > 0);
                // Whatever the writer got out before the cut (maybe nothing: it may not have run yet).
                assertEquals(connection.stats().bytesOut(), stats.bytesOut());
                assertTrue(stats.bytesOut() <= stats.messagesOut() * block.length, stats.toString());
            }
        }
    }

    @Test
    void droppedEventsAndFailuresByKindAreCounted() throws Exception {
        try (TcpServer server = TcpServer.create(loopback()
                .framing(Framing.lengthPrefixed(16))
                .maxQueuedEvents(1)
                .maxRecordedFailures(1)
                .build())) {
            server.start();
            InetSocketAddress address = server.localAddress().orElseThrow();
            // Nobody polls: each connect, failure and disconnect pushes out the one before.
            try (Socket tooLong = connect(address); Socket reset = connect(address)) {
                tooLong.getOutputStream().write(ByteBuffer.allocate(4).putInt(1000).array()); // past 16
                assertTrue(Peers.drainsToClose(tooLong, Peers.WAIT), "a framing violation closes the connection");
                reset.setSoLinger(true, 0);
            }
            // 2 connects, a failure and 2 disconnects in a queue of 1 (each disconnect is queued after its count).
            awaitCondition(() -> server.stats().droppedEvents() == 4, Peers.WAIT, () -> "not dropped: " + server.stats());
            ServerStats stats = server.stats();
            assertEquals(server.droppedEvents(), stats.droppedEvents());
            assertEquals(2, stats.connectionsClosed());
            assertEquals(1, stats.failures(Failure.Protocol.class));
            assertEquals(0, stats.failures(Failure.Tls.class), "kinds that never happened are 0");
            assertEquals(server.droppedExceptions(), stats.droppedExceptions());

            // A second failure: the list keeps one, the counts keep both.
            try (Socket again = connect(address)) {
                again.getOutputStream().write(ByteBuffer.allocate(4).putInt(17).array());
                assertTrue(Peers.drainsToClose(again, Peers.WAIT));
            }
            awaitFigure(() -> server.stats().failures(Failure.Protocol.class), 2L, "Protocol failures");
            ServerStats later = server.stats();
            assertEquals(1, later.droppedExceptions(), "the exception list holds one");
            assertEquals(Map.of(Failure.Protocol.class, 2L), later.failures());
            assertTrue(later.toString().contains("failures={Protocol=2}"), later.toString());
        }
    }

    @Test
    void failuresOfSeveralKindsAreCountedApartInTheOrderOfTheKinds() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().framing(Framing.lengthPrefixed(16))
                .onReceive((connection, data) -> {
                    throw new IllegalStateException("a bug in the callback");
                })
                .build())) {
            server.start();
            InetSocketAddress address = server.localAddress().orElseThrow();
            try (Socket bug = connect(address); Socket tooLong = connect(address)) {
                bug.getOutputStream().write(frame("boom"));
                tooLong.getOutputStream().write(ByteBuffer.allocate(4).putInt(1000).array());
                assertTrue(Peers.drainsToClose(tooLong, Peers.WAIT));
                awaitFigure(() -> server.stats().failures().size(), 2, "the kinds of failure");
            }
            Map<Class<? extends Failure>, Long> expected = new LinkedHashMap<>();
            expected.put(Failure.Protocol.class, 1L);
            expected.put(Failure.Callback.class, 1L);
            Map<Class<? extends Failure>, Long> counts = server.stats().failures();
            assertEquals(expected, counts);
            assertEquals(List.copyOf(expected.keySet()), List.copyOf(counts.keySet()), "in the order of Failure's kinds");
            assertThrows(UnsupportedOperationException.class, () -> counts.put(Failure.Io.class, 1L));
        }
    }

    @Test
    void statsAreOneLineAndStayReadableAfterClose() throws Exception {
        TcpServer server = TcpServer.create(loopback().build());
        server.start();
        try (Socket peer = connect(server.localAddress().orElseThrow())) {
            OutputStream out = peer.getOutputStream();
            out.write(Peers.bytes("hello"));
            awaitFigure(() -> server.stats().bytesIn(), 5L, "bytesIn");
        }
        server.close();
        ServerStats closed = server.stats();
        assertEquals(5, closed.bytesIn(), "the last figures, after close");
        assertEquals(1, closed.connectionsClosed());
        String line = closed.toString();
        assertFalse(line.contains("\n"), line);
        assertTrue(line.startsWith("ServerStats[connectionsOpen=0 connectionsAccepted=1 connectionsRefused=0"
                + " connectionsClosed=1 bytesIn=5 "), line);
        assertTrue(line.contains(" readerStallTime=0ms "), line);
        assertTrue(line.endsWith(" failures={}]"), line);
    }
}
