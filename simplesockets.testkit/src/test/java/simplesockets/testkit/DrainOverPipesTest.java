package simplesockets.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.Framing;
import simplesockets.api.ServerOptions;
import simplesockets.api.ServerState;
import simplesockets.api.TcpServer;

/**
 * A graceful close over the in-memory network drains as it does over sockets: what had arrived is
 * delivered, a message begun is waited for within the grace, and then the connection ends. Before, the
 * pipes shut the input at once, so a frame begun when the drain began ended as a failure.
 */
@Timeout(30)
class DrainOverPipesTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void aFrameBegunWhenTheDrainBeginsIsWaitedForAndAnsweredWhole() throws Exception {
        try (LoopbackNetwork network = new LoopbackNetwork()) {
            TcpServer server = startEchoServer(network);
            RawPeer peer = network.dial(server.localAddress().orElseThrow());
            byte[] frame = frame(3000);
            int first = frame.length / 3;
            CompletableFuture<Integer> closing = drainAfterAPartOf(server, peer, Arrays.copyOf(frame, first), Duration.ofSeconds(10));
            peer.send(Arrays.copyOfRange(frame, first, frame.length));

            ByteArrayOutputStream echoed = new ByteArrayOutputStream();
            while (echoed.size() < frame.length) {
                echoed.writeBytes(peer.read(WAIT).orElseThrow(() -> new AssertionError("the connection ended first")));
            }
            assertArrayEquals(frame, echoed.toByteArray(), "answered whole");
            assertTrue(peer.awaitClosed(WAIT), "then the connection ends");
            assertEquals(0, closing.get(WAIT.toSeconds(), TimeUnit.SECONDS).intValue(), "nothing was cut off");
        }
    }

    /**
     * A peer that ends its stream in the middle of a message while a drain waits for the rest: the wait
     * ends with the stream, as over a socket. Before, the in-memory read kept saying the rest might
     * come, and the reader went round read, end of stream, ask again without a pause, at full CPU,
     * until the grace ran out.
     */
    @Test
    void aPeerThatEndsMidMessageDuringADrainEndsTheWaitAtOnce() throws Exception {
        try (LoopbackNetwork network = new LoopbackNetwork()) {
            TcpServer server = startEchoServer(network);
            RawPeer peer = network.dial(server.localAddress().orElseThrow());
            byte[] frame = frame(3000);
            CompletableFuture<Integer> closing = drainAfterAPartOf(server, peer, Arrays.copyOf(frame, frame.length / 3),
                    Duration.ofSeconds(30));
            peer.shutdownOutput(); // the rest never comes
            assertEquals(0, closing.get(WAIT.toSeconds(), TimeUnit.SECONDS).intValue(),
                    "the drain ended with the stream, well within its grace of 30 s");
        }
    }

    private static TcpServer startEchoServer(LoopbackNetwork network) throws java.io.IOException {
        TcpServer server = network.server(ServerOptions.builder().port(0).framing(Framing.lengthPrefixed(8192))
                .onReceive((c, d) -> c.send(d)).build());
        server.start();
        return server;
    }

    /**
     * The peer sends {@code part} of a frame, and once the server reads again, a graceful close of
     * {@code grace} begins on another thread; returns once the drain has reached the connection (its
     * input began to end).
     */
    private static CompletableFuture<Integer> drainAfterAPartOf(TcpServer server, RawPeer peer, byte[] part, Duration grace)
            throws Exception {
        peer.send(part);
        assertTrue(peer.wire().awaitReading(Direction.CLIENT_TO_SERVER, WAIT), "the server did not read the part");
        CompletableFuture<Integer> closing = CompletableFuture.supplyAsync(() -> server.close(grace));
        assertTrue(peer.wire().awaitInputEnding(Direction.CLIENT_TO_SERVER, WAIT), "the drain did not reach the connection");
        assertEquals(ServerState.KILLED, server.state(), "draining");
        return closing;
    }

    /** A length-prefixed frame of {@code size} bytes of payload. */
    private static byte[] frame(int size) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(size >>> 24);
        frame.write(size >>> 16);
        frame.write(size >>> 8);
        frame.write(size);
        for (int i = 0; i < size; i++) {
            frame.write(i * 7);
        }
        return frame.toByteArray();
    }
}
