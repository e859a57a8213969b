package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.connect;
import static simplesockets.impl.Peers.loopback;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import jdk.jfr.EventType;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.Framing;
import simplesockets.api.ServerEvent;
import simplesockets.api.TcpServer;

/**
 * The flight recorder events, recorded in-process over real loopback sockets: each is provoked, the
 * test waits for what follows it (a callback, the data after a stall, a send that threw), and the
 * recording is then stopped, dumped and read back.
 */
@Timeout(60)
class JfrEventsTest {

    private static final List<String> ALL = List.of("simplesockets.ConnectionOpened", "simplesockets.ConnectionClosed",
            "simplesockets.ReaderStalled", "simplesockets.SlowConsumer", "simplesockets.FailureRecorded");

    @TempDir
    Path dir;

    /** A recording of our events only, every stall included (no threshold). */
    private static Recording ours() {
        Recording recording = new Recording();
        for (String name : ALL) {
            recording.enable(name).withThreshold(Duration.ZERO);
        }
        return recording;
    }

    private List<RecordedEvent> stop(Recording recording, String name) throws IOException {
        recording.stop();
        Path file = dir.resolve("events.jfr");
        recording.dump(file);
        return RecordingFile.readAllEvents(file).stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }

    private static RecordedEvent only(List<RecordedEvent> events) {
        assertEquals(1, events.size(), () -> "one event, not " + events);
        return events.get(0);
    }

    private static String text(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    /**
     * A polling reader held back while its replies pile up (the peer sends on but reads nothing back
     * for a while) is a stalled reader, with its own bound, {@code PENDING_SENDS}: TCP slows the peer
     * just the same. Before, that wait was counted nowhere: no event, and the stats said no reader was
     * held back.
     */
    @Test
    void aReaderHeldBackWhileItsRepliesPileUpIsAStall() throws Exception {
        try (Recording recording = ours(); TcpServer server = TcpServer.create(loopback().build())) { // polling, DISCONNECT
            recording.start();
            server.start();
            Socket peer = new Socket();
            peer.setReceiveBufferSize(4096); // reads nothing back at first: the replies pile up
            peer.connect(server.localAddress().orElseThrow());
            int total = 8 << 20;
            try (peer) {
                Thread sender = Thread.ofVirtual().start(() -> {
                    try {
                        peer.getOutputStream().write(new byte[total]);
                    } catch (IOException e) {
                        // the test failed and closed the socket
                    }
                });
                java.util.concurrent.atomic.AtomicBoolean echoing = new java.util.concurrent.atomic.AtomicBoolean(true);
                Thread poller = Thread.ofVirtual().start(() -> {
                    try {
                        while (echoing.get()) {
                            for (ServerEvent.Received r : server.awaitReceived(Duration.ofMillis(100))) {
                                server.send(r.connection(), r.data());
                            }
                        }
                    } catch (InterruptedException | IOException e) {
                        // over
                    }
                });
                try {
                    Peers.awaitCondition(() -> server.stats().pendingBytes() >= 256 * 1024 && server.stats().readersStalled() == 1,
                            Peers.WAIT, () -> "the replies did not pile up: " + server.stats());
                    assertEquals(total, peer.getInputStream().readNBytes(total).length, "then every reply came back");
                } finally {
                    echoing.set(false);
                    poller.join(Peers.WAIT);
                    sender.join(Peers.WAIT);
                }
            }
            List<RecordedEvent> stalls = stop(recording, "simplesockets.ReaderStalled");
            assertTrue(stalls.stream().anyMatch(e -> e.getString("bound").equals("PENDING_SENDS")),
                    () -> "a stall on the replies: " + stalls.stream().map(e -> e.getString("bound")).toList());
        }
    }

    @Test
    void openedAndClosedCarryTheConnectionItsReasonAndItsCounts() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> ended = new LinkedBlockingQueue<>();
        byte[] frame = ByteBuffer.allocate(9).putInt(5).put(Peers.bytes("hello")).array();
        try (Recording recording = ours();
                TcpServer server = TcpServer.create(loopback().framing(Framing.lengthPrefixed(64))
                        .onConnect(connected::add)
                        .onReceive(Connection::send)
                        .onDisconnect((connection, reason) -> ended.add(reason))
                        .build())) {
            recording.start();
            server.start();
            Connection connection;
            InetSocketAddress peerAddress;
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
                connection = Peers.take(connected); // committed before onConnect runs
                peer.getOutputStream().write(frame);
                Peers.readExactly(peer, frame.length);
            }
            assertEquals(DisconnectReason.PEER_CLOSED, Peers.take(ended)); // committed before onDisconnect runs
            Path file = dir.resolve("both.jfr");
            recording.stop();
            recording.dump(file);
            List<RecordedEvent> events = RecordingFile.readAllEvents(file);

            RecordedEvent opened = only(events.stream()
                    .filter(e -> e.getEventType().getName().equals("simplesockets.ConnectionOpened")).toList());
            assertEquals("server", opened.getString("side"));
            assertEquals(connection.id(), opened.getLong("connectionId"));
            assertEquals(text(peerAddress), opened.getString("remoteAddress"));
            assertEquals(text(connection.localAddress()), opened.getString("localAddress"));

            RecordedEvent closed = only(events.stream()
                    .filter(e -> e.getEventType().getName().equals("simplesockets.ConnectionClosed")).toList());
            assertEquals("server", closed.getString("side"));
            assertEquals(connection.id(), closed.getLong("connectionId"));
            assertEquals(text(peerAddress), closed.getString("remoteAddress"));
            assertEquals("PeerClosed", closed.getString("reason"));
            assertNull(closed.getString("cause"));
            assertEquals(frame.length, closed.getLong("bytesIn"));
            assertEquals(frame.length, closed.getLong("bytesOut"));
            assertEquals(1, closed.getLong("messagesIn"));
            assertEquals(1, closed.getLong("messagesOut"));
            assertTrue(closed.getDuration("openFor").compareTo(Duration.ZERO) > 0);
            assertEquals(0, closed.getLong("readerStalls"));
            assertFalse(closed.getEventType().getField("bytesIn").getAnnotationElements().isEmpty(), "a data amount");
        }
    }

    @Test
    void aStalledReaderIsOneDurationEventWithItsBound() throws Exception {
        int limit = 4096;
        int total = 64 * 1024;
        try (Recording recording = ours();
                TcpServer server = TcpServer.create(loopback().maxQueuedBytesPerConnection(limit).build())) {
            recording.start();
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                Thread sender = Thread.ofVirtual().start(() -> {
                    try {
                        peer.getOutputStream().write(Peers.pattern(3, total));
                    } catch (IOException e) {
                        // the test failed and closed the socket
                    }
                });
                Peers.awaitCondition(() -> server.stats().readersStalled() == 1, Peers.WAIT, () -> "no stall");
                long id = server.clients().get(0).id();
                // Taking everything lets the reader read on: each stall is committed before the read after it.
                ByteArrayOutputStream received = new ByteArrayOutputStream();
                while (received.size() < total) {
                    List<ServerEvent.Received> taken = server.awaitReceived(Peers.WAIT);
                    assertFalse(taken.isEmpty());
                    taken.forEach(r -> received.writeBytes(r.data()));
                }
                assertTrue(sender.join(Peers.WAIT));
                Peers.awaitCondition(() -> !server.clients().get(0).stats().isReaderStalled(), Peers.WAIT,
                        () -> "still stalled");
                long stalls = server.clients().get(0).stats().readerStalls();
                List<RecordedEvent> events = stop(recording, "simplesockets.ReaderStalled");
                assertEquals(stalls, events.size(), "one event per stall");
                RecordedEvent first = events.get(0);
                assertEquals("server", first.getString("side"));
                assertEquals(id, first.getLong("connectionId"));
                assertEquals("CONNECTION_QUEUE", first.getString("bound"));
                assertTrue(first.getLong("queuedBytes") >= limit - 2048, "queued at the stall: " + first);
                assertTrue(first.getDuration().compareTo(Duration.ZERO) > 0, "a duration event");
            }
        }
    }

    @Test
    void aSlowConsumerAndItsFailureAreRecorded() throws Exception {
        int bound = 128 * 1024;
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (Recording recording = ours();
                TcpServer server = TcpServer.create(loopback().maxPendingSendBytes(bound)
                        .onConnect(connected::add).onReceive((c, d) -> { }).build())) {
            recording.start();
            server.start();
            try (Socket peer = new Socket()) {
                peer.setReceiveBufferSize(16 * 1024);
                peer.connect(server.localAddress().orElseThrow(), (int) Peers.WAIT.toMillis());
                Connection connection = Peers.take(connected);
                boolean cut = false;
                for (int i = 0; i < 10_000 && !cut; i++) {
                    try {
                        connection.send(new byte[16 * 1024]);
                    } catch (SocketException e) {
                        cut = true; // the event was committed before the send threw
                    }
                }
                assertTrue(cut);
                Path file = dir.resolve("slow.jfr");
                recording.stop();
                recording.dump(file);
                List<RecordedEvent> events = RecordingFile.readAllEvents(file);
                RecordedEvent slow = only(events.stream()
                        .filter(e -> e.getEventType().getName().equals("simplesockets.SlowConsumer")).toList());
                assertEquals(connection.id(), slow.getLong("connectionId"));
                assertEquals(bound, slow.getLong("limit"));
                assertTrue(slow.getLong("bytesOut") >= 0);
                RecordedEvent failure = only(events.stream()
                        .filter(e -> e.getEventType().getName().equals("simplesockets.FailureRecorded")).toList());
                assertEquals("SlowConsumer", failure.getString("kind"));
                assertEquals(text(connection.remoteAddress()), failure.getString("peer"));
                assertEquals(SocketException.class.getName(), failure.getClass("thrownClass").getName());
                assertTrue(failure.getString("message").contains("maxPendingSendBytes"), failure.getString("message"));
            }
        }
    }

    @Test
    void eachEventCanBeDisabledOnItsOwnAndTheStallHasADefaultThreshold() throws Exception {
        BlockingQueue<Failure> failures = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> ended = new LinkedBlockingQueue<>();
        try (Recording recording = ours();
                TcpServer server = TcpServer.create(loopback().framing(Framing.lengthPrefixed(16))
                        .onReceive((c, d) -> { })
                        .onFailure(failures::add)
                        .onDisconnect((connection, reason) -> ended.add(reason))
                        .build())) {
            recording.disable("simplesockets.ConnectionOpened");
            recording.start();
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                peer.getOutputStream().write(ByteBuffer.allocate(4).putInt(1000).array());
                assertTrue(Peers.take(failures) instanceof Failure.Protocol);
                assertTrue(Peers.take(ended) instanceof DisconnectReason.Failed);
            }
            Path file = dir.resolve("some.jfr");
            recording.stop();
            recording.dump(file);
            List<String> names = RecordingFile.readAllEvents(file).stream().map(e -> e.getEventType().getName()).toList();
            assertFalse(names.contains("simplesockets.ConnectionOpened"), names.toString());
            assertTrue(names.contains("simplesockets.ConnectionClosed"), names.toString());
            RecordedEvent closed = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("simplesockets.ConnectionClosed")).findFirst().orElseThrow();
            assertEquals("Failed", closed.getString("reason"));
            assertTrue(closed.getString("cause").contains("ProtocolException"), closed.getString("cause"));
        }
        EventType stall = EventType.getEventType(simplesockets.impl.jfr.ReaderStalledEvent.class);
        assertEquals("simplesockets.ReaderStalled", stall.getName());
        assertEquals(List.of("simplesockets"), stall.getCategoryNames());
        assertTrue(stall.getSettingDescriptors().stream()
                .anyMatch(s -> s.getName().equals("threshold") && s.getDefaultValue().equals("20 ms")), "threshold 20 ms");
    }
}
