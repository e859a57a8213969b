package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static simplesockets.impl.Peers.connect;
import static simplesockets.impl.Peers.loopback;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.ClientOptions;
import simplesockets.api.Framing;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;

/**
 * Frames still arriving count against the bytes in flight, and past that bound a connection building a
 * frame waits before it reads more. A frame that alone is larger than the bound, or frames of several
 * connections that together pass it, must still arrive: one builder at a time may read on while the
 * bound is spent, so that someone always finishes and gives bytes back. Before, each waited for room
 * that only finishing its own frame could make, and the connections hung for good.
 */
@Timeout(60)
class FramesPastTheBudgetTest {

    /** A client's bytes in flight default to 1 MiB; a 3 MiB frame of an 8 MiB framing once hung it. */
    @Test
    void aClientReceivesAFrameLargerThanItsBytesInFlight() throws Exception {
        byte[] payload = Peers.pattern(3, 3 << 20);
        try (TcpServer server = TcpServer.create(loopback().framing(Framing.lengthPrefixed(8 << 20))
                .onConnect(c -> c.send(payload)).build())) {
            server.start();
            try (TcpClient client = TcpClient.create(ClientOptions.builder().address(server.localAddress().orElseThrow())
                    .framing(Framing.lengthPrefixed(8 << 20)).build())) {
                client.connect();
                byte[] got = client.receive(Peers.WAIT.multipliedBy(4)).orElseThrow(() -> new AssertionError(
                        "the frame did not arrive: " + client.stats()));
                assertArrayEquals(payload, got);
            }
        }
    }

    /**
     * Four peers each send half of a 768 KiB frame to a server whose bytes in flight are bounded at
     * 1 MiB, so that the halves' buffers alone pass the bound, then the other halves: every frame is
     * echoed.
     */
    @Test
    void framesOfSeveralPeersThatTogetherPassTheBoundAllArrive() throws Exception {
        int size = 768 * 1024;
        try (TcpServer server = TcpServer.create(loopback().framing(Framing.lengthPrefixed(1 << 20))
                .maxQueuedBytesTotal(1 << 20).onReceive((c, d) -> c.send(d)).build())) {
            server.start();
            List<Socket> peers = new ArrayList<>();
            List<byte[]> frames = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket peer = connect(server.localAddress().orElseThrow());
                    peers.add(peer);
                    byte[] frame = frame(Peers.pattern(10 + i, size));
                    frames.add(frame);
                    OutputStream out = peer.getOutputStream();
                    out.write(frame, 0, frame.length / 2);
                    out.flush();
                }
                // The halves' buffers spent the bound: a builder of a frame waited for it.
                Peers.awaitCondition(() -> server.stats().readerStalls() >= 1, Peers.WAIT,
                        () -> "the halves did not reach the bound: " + server.stats());
                List<CompletableFuture<byte[]>> echoes = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    Socket peer = peers.get(i);
                    byte[] frame = frames.get(i);
                    echoes.add(Peers.startOn(Thread.ofVirtual(), "peer-" + i, () -> {
                        peer.getOutputStream().write(frame, frame.length / 2, frame.length - frame.length / 2);
                        return Peers.readExactly(peer, frame.length);
                    }));
                }
                for (int i = 0; i < 4; i++) {
                    assertArrayEquals(frames.get(i), echoes.get(i).get(30, TimeUnit.SECONDS), "the echo of peer " + i);
                }
            } finally {
                for (Socket peer : peers) {
                    peer.close();
                }
            }
        }
    }

    /**
     * The pass goes to whoever needs it when its holder stalls: peer A fills the bound alone with most
     * of a frame and then sends nothing more, holding the pass in a read that waits; peer B's frame,
     * begun after, must still arrive, within about {@link Budget#PASS_TURN} of A's stall. Before, B
     * waited for A's frame for good: one peer that stopped mid-frame held up every other builder.
     */
    @Test
    void aPeerThatStopsMidFrameDoesNotHoldUpTheOthers() throws Exception {
        try (TcpServer server = boundedEchoServer(); Socket a = startServer(server);
                Socket b = connect(server.localAddress().orElseThrow())) {
            spendTheBoundWithMostOfAFrame(server, a);
            assertAFrameBegunAfterGetsThrough(server, b);
        }
    }

    /**
     * A peer that trickles its frame cannot keep the pass either: peer A fills the bound with most of a
     * frame, then sends one byte every 200 ms, so its reads never wait long; peer B's frame, begun after,
     * must still arrive once A's turn of {@link Budget#PASS_TURN} is over. Before, the pass moved only
     * from a holder whose read had waited that long, and B waited for A's frame for as long as A
     * trickled.
     */
    @Test
    void aPeerThatTricklesItsFrameDoesNotHoldUpTheOthers() throws Exception {
        try (TcpServer server = boundedEchoServer(); Socket a = startServer(server);
                Socket b = connect(server.localAddress().orElseThrow())) {
            byte[] trickled = spendTheBoundWithMostOfAFrame(server, a);
            int sent = trickled.length - 100 * 1024;
            Thread trickle = Thread.ofVirtual().name("trickle").start(() -> {
                try {
                    for (int i = 0; i < 300; i++) { // at most a minute
                        a.getOutputStream().write(trickled[sent + i]);
                        Thread.sleep(200); // the peer's pace, not a wait for the server
                    }
                } catch (java.io.IOException | InterruptedException e) {
                    // the test is over
                }
            });
            try {
                assertAFrameBegunAfterGetsThrough(server, b);
            } finally {
                trickle.interrupt();
                trickle.join(Peers.WAIT.toMillis());
            }
        }
    }

    /**
     * An echo server of frames up to 1 MiB whose bytes in flight are bounded at 900 KiB: less than what peer
     * A sends of its frame, which its buffer holds.
     */
    private static TcpServer boundedEchoServer() {
        return TcpServer.create(loopback().framing(Framing.lengthPrefixed(1 << 20))
                .maxQueuedBytesTotal(900 * 1024).onReceive((c, d) -> c.send(d)).build());
    }

    /** Peer A sends all of a 1 MiB frame but its last 100 KiB, whose buffer alone spends the bound; returns the frame. */
    private static byte[] spendTheBoundWithMostOfAFrame(TcpServer server, Socket a) throws java.io.IOException {
        byte[] frame = frame(Peers.pattern(1, 1 << 20));
        int sent = frame.length - 100 * 1024;
        a.getOutputStream().write(frame, 0, sent);
        a.getOutputStream().flush();
        Peers.awaitCondition(() -> server.stats().bytesIn() >= sent, Peers.WAIT, () -> "A's part was not read: " + server.stats());
        return frame;
    }

    /** Peer B begins a small frame, waits for the bound, then sends the rest: its echo must come back. */
    private static void assertAFrameBegunAfterGetsThrough(TcpServer server, Socket b) throws java.io.IOException {
        byte[] small = frame(Peers.pattern(2, 4096));
        OutputStream out = b.getOutputStream();
        out.write(small, 0, 100);
        out.flush();
        Peers.awaitCondition(() -> server.stats().readerStalls() >= 1, Peers.WAIT,
                () -> "B did not wait for the bound: " + server.stats());
        out.write(small, 100, small.length - 100);
        out.flush();
        b.setSoTimeout((int) Peers.WAIT.multipliedBy(2).toMillis());
        assertArrayEquals(small, Peers.readExactly(b, small.length), "B's frame arrived and was echoed");
    }

    private static Socket startServer(TcpServer server) throws java.io.IOException {
        server.start();
        return connect(server.localAddress().orElseThrow());
    }

    /** A length-prefixed frame: four bytes of length, big-endian, then the payload. */
    private static byte[] frame(byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(payload.length >>> 24);
        frame.write(payload.length >>> 16);
        frame.write(payload.length >>> 8);
        frame.write(payload.length);
        frame.writeBytes(payload);
        return frame.toByteArray();
    }
}
