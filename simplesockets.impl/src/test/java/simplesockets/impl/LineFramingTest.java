package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.Framing;
import simplesockets.api.ServerEvent;
import simplesockets.api.TcpServer;

/**
 * Line framing on a server, over real loopback sockets, in each of the three styles (callbacks,
 * polling, a handler), with well-formed and hostile peers.
 */
@Timeout(60)
class LineFramingTest {

    private static final int MAX = 64;

    /** A callback server with line framing that hands every line and every end to the queues. */
    private static TcpServer recording(int max, BlockingQueue<String> lines, BlockingQueue<DisconnectReason> ends)
            throws IOException {
        TcpServer server = TcpServer.create(loopback().framing(Framing.lines(max))
                .onReceive((c, d) -> lines.add(text(d)))
                .onDisconnect((c, r) -> ends.add(r)).build());
        server.start();
        return server;
    }

    @Test
    void aLineWrittenInManyPiecesArrivesWhole() throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> ends = new LinkedBlockingQueue<>();
        try (TcpServer server = recording(MAX, lines, ends); Socket peer = connect(server.localAddress().orElseThrow())) {
            peer.setTcpNoDelay(true);
            OutputStream out = peer.getOutputStream();
            for (byte b : bytes("one line, a byte at a time\r\n")) {
                out.write(b);
                out.flush();
            }
            out.write(bytes("sec"));
            out.write(bytes("ond\r"));
            out.write(bytes("\nthird"));
            out.write(bytes("\n"));
            assertEquals("one line, a byte at a time", take(lines));
            assertEquals("second", take(lines));
            assertEquals("third", take(lines));
            assertTrue(lines.isEmpty(), "no piece but whole lines: " + lines);
        }
    }

    @Test
    void manyLinesInOneWriteArriveOneByOneInOrderWhenPolled() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().framing(Framing.lines(MAX)).build())) {
            server.start();
            List<String> sent = new ArrayList<>();
            StringBuilder wire = new StringBuilder();
            for (int i = 0; i < 1000; i++) {
                String line = i % 10 == 0 ? "" : "line " + i;
                sent.add(line);
                wire.append(line).append(i % 2 == 0 ? "\r\n" : "\n");
            }
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                peer.getOutputStream().write(bytes(wire.toString()));
                List<String> received = new ArrayList<>();
                long deadline = System.nanoTime() + Peers.WAIT.toNanos();
                while (received.size() < sent.size() && System.nanoTime() < deadline) {
                    server.awaitReceived(Duration.ofMillis(200)).forEach(r -> received.add(text(r.data())));
                }
                assertEquals(sent, received);
                peer.getOutputStream().write(bytes("\r\n"));
                ServerEvent.Received empty = server.awaitReceived(Peers.WAIT).getFirst();
                assertArrayEquals(new byte[0], empty.data(), "an empty line is an empty array");
            }
        }
    }

    @Test
    void aLineOfTheMaximumIsAcceptedAndOneByteMoreDisconnectsOnlyThatPeer() throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> ends = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().framing(Framing.lines(MAX))
                .onReceive((c, d) -> {
                    lines.add(text(d));
                    if (text(d).startsWith("echo ")) {
                        c.send(d);
                    }
                })
                .onDisconnect((c, r) -> ends.add(r)).build())) {
            server.start();
            try (Socket bad = connect(server.localAddress().orElseThrow()); Socket good = connect(server.localAddress().orElseThrow())) {
                String exact = "x".repeat(MAX);
                bad.getOutputStream().write(bytes(exact + "\r\n" + exact + "y\n" + "never seen\n"));
                assertEquals(exact, take(lines), "exactly the maximum fits, \\r\\n not counted");
                DisconnectReason reason = take(ends);
                ProtocolException cause = assertInstanceOf(ProtocolException.class,
                        assertInstanceOf(DisconnectReason.Failed.class, reason).cause());
                assertTrue(cause.getMessage().contains("maximum of " + MAX + " bytes"), cause.getMessage());
                Failure failure = server.drainExceptions().getFirst();
                assertInstanceOf(Failure.Protocol.class, failure);
                assertEquals(bad.getLocalSocketAddress(), failure.peer().orElseThrow());
                assertTrue(Peers.closedByPeer(bad, Peers.WAIT), "the bad peer is disconnected");
                assertTrue(lines.isEmpty(), "nothing after the violation is delivered: " + lines);

                good.getOutputStream().write(bytes("echo still here\n"));
                assertEquals("echo still here", take(lines));
                assertEquals("echo still here\n", text(Peers.readExactly(good, 16)), "the other peer is unaffected");
                assertEquals(1, server.clients().size());
            }
        }
    }

    @Test
    void anEndlessLineIsCutAtTheMaximumWithNothingMoreHeld() throws Exception {
        int max = 64 * 1024;
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> ends = new LinkedBlockingQueue<>();
        try (TcpServer server = recording(max, lines, ends); Socket flood = connect(server.localAddress().orElseThrow())) {
            byte[] chunk = new byte[8192];
            Arrays.fill(chunk, (byte) 'x');
            long written = 0;
            long mostHeld = 0;
            IOException cut = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            // At most 256 MiB and 20 s: the server must end it long before either.
            for (int i = 0; i < 32 * 1024 && cut == null && System.nanoTime() < deadline; i++) {
                try {
                    flood.getOutputStream().write(chunk);
                    written += chunk.length;
                } catch (IOException e) {
                    cut = e;
                }
                mostHeld = Math.max(mostHeld, bytesInFlight(server)); // sampled after each write; LineCodecTest checks every feed
            }
            assertTrue(cut != null, "the server cut the flood; written " + written);
            assertInstanceOf(ProtocolException.class, ((DisconnectReason.Failed) take(ends)).cause());
            assertInstanceOf(Failure.Protocol.class, server.drainExceptions().getFirst());
            assertTrue(mostHeld <= max, "held " + mostHeld + " bytes for the line, over the maximum " + max);
            assertEquals(0, bytesInFlight(server), "an ended connection gives back its unfinished line");
            assertTrue(lines.isEmpty());
            System.out.println("flood of " + written + " bytes cut; the most seen held for it was " + mostHeld + " bytes");
        }
    }

    @Test
    void aLastLineWithoutANewlineIsDeliveredAtEndOfStream() throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> ends = new LinkedBlockingQueue<>();
        try (TcpServer server = recording(MAX, lines, ends); Socket peer = connect(server.localAddress().orElseThrow())) {
            peer.getOutputStream().write(bytes("first\nlast, with no newline"));
            peer.shutdownOutput();
            assertEquals("first", take(lines));
            assertEquals("last, with no newline", take(lines));
            assertEquals(DisconnectReason.PEER_CLOSED, take(ends), "the end of stream is not a failure");
            assertTrue(lines.isEmpty());
            assertTrue(server.drainExceptions().isEmpty());
        }
    }

    @Test
    void aLastLineWithoutANewlineIsPolledBeforeTheDisconnect() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().framing(Framing.lines(MAX)).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                peer.getOutputStream().write(bytes("a\r\nb"));
                peer.shutdownOutput();
                List<String> seen = new ArrayList<>();
                for (int i = 0; i < 10 && (seen.isEmpty() || !seen.getLast().startsWith("Disconnected")); i++) {
                    switch (server.awaitEvent(Peers.WAIT).orElseThrow()) {
                        case ServerEvent.Connected c -> seen.add("Connected");
                        case ServerEvent.Received r -> seen.add(text(r.data()));
                        case ServerEvent.Disconnected d -> seen.add("Disconnected " + d.reason());
                        case ServerEvent.Failed f -> seen.add("Failed " + f.failure());
                    }
                }
                assertEquals(List.of("Connected", "a", "b", "Disconnected " + DisconnectReason.PEER_CLOSED), seen);
            }
        }
    }

    @Test
    void aHandlerReadsLinesAndRepliesInLines() throws Exception {
        BlockingQueue<DisconnectReason> ends = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().framing(Framing.lines(MAX))
                .handler(connection -> {
                    for (var line = connection.read(); line.isPresent(); line = connection.read()) {
                        connection.send(bytes("got [" + text(line.get()) + "]"));
                    }
                })
                .onDisconnect((c, r) -> ends.add(r)).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                peer.getOutputStream().write(bytes("one\r\ntw"));
                assertEquals("got [one]\n", text(Peers.readExactly(peer, 10)));
                peer.getOutputStream().write(bytes("o\n\nthree"));
                peer.shutdownOutput();
                assertEquals("got [two]\ngot []\ngot [three]\n", text(Peers.readToEnd(peer)));
                assertEquals(DisconnectReason.PEER_CLOSED, take(ends));
            }
            try (Socket bad = connect(server.localAddress().orElseThrow())) {
                bad.getOutputStream().write(bytes("fine\n" + "y".repeat(MAX + 1)));
                assertEquals("got [fine]\n", text(Peers.readExactly(bad, 11)));
                ProtocolException cause = assertInstanceOf(ProtocolException.class,
                        assertInstanceOf(DisconnectReason.Failed.class, take(ends)).cause(),
                        "the handler's read() threw the violation, and the handler let it go");
                assertTrue(cause.getMessage().contains(String.valueOf(MAX)));
                assertInstanceOf(Failure.Protocol.class, server.drainExceptions().getFirst());
                assertTrue(Peers.closedByPeer(bad, Peers.WAIT));
            }
        }
    }

    @Test
    void aSendWithANewlineOrOverTheMaximumIsRefusedBeforeAnythingIsWritten() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().framing(Framing.lines(MAX)).onConnect(connected::add).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                Connection connection = take(connected);
                ProtocolException newline = assertThrows(ProtocolException.class, () -> connection.send(bytes("two\nlines")));
                assertTrue(newline.getMessage().contains("newline"), newline.getMessage());
                assertThrows(ProtocolException.class, () -> server.send(connection, new byte[MAX + 1]));
                assertThrows(IllegalArgumentException.class, () -> server.broadcast(bytes("a\nb")),
                        "a broadcast of a bad line is refused before it reaches anyone");
                assertTrue(connection.isOpen(), "a refused send does not end the connection");
                connection.send(bytes("x".repeat(MAX)));
                server.send((InetSocketAddress) peer.getLocalSocketAddress(), new byte[0]);
                assertEquals("x".repeat(MAX) + "\n\n", text(Peers.readExactly(peer, MAX + 2)),
                        "only the good lines were written, each with its newline");
            }
        }
    }

    /** The engine's bytes in flight: with callbacks and no sends, only unfinished lines. */
    private static long bytesInFlight(TcpServer server) {
        try {
            Field field = ServerEngine.class.getDeclaredField("delivery");
            field.setAccessible(true);
            return ((Delivery<?>) field.get(server)).events().budget().used();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A handler whose own send the framing refuses, and that lets the exception go, is a handler's
     * failure ({@code Failure.Callback}), not the peer's broken framing: it was recorded as a
     * {@code Failure.Protocol} with the peer's address, as if the peer had sent a line too long.
     */
    @Test
    void aHandlersOwnRefusedSendIsTheHandlersFailureNotThePeers() throws Exception {
        BlockingQueue<DisconnectReason> ends = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().framing(Framing.lines(4)).handler(c -> {
            c.read();
            c.send(bytes("far too long for four bytes"));
        }).onDisconnect((c, why) -> ends.add(why)).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                peer.getOutputStream().write(bytes("hi\n"));
                assertInstanceOf(ProtocolException.class, assertInstanceOf(DisconnectReason.Failed.class, take(ends)).cause());
                Failure failure = server.drainExceptions().getFirst();
                assertInstanceOf(Failure.Callback.class, failure, failure.toString());
            }
        }
    }
}
