package simplesockets.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpServer;

/**
 * Replies to a peer that closed its sending side, as {@code cat file | ncat host port > out} does at the
 * end of its input, go out for as long as the peer reads them. Over pipes, whose buffers are small, the
 * replies wait in the server as they do over a slow network, where the kernel's buffers are full.
 */
@Timeout(60)
class HalfClosedRepliesTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int TOTAL = 2 << 20;

    /**
     * A polling echo server (the tutorial's loop) answers a stream whose sender half-closes and then
     * reads slowly but steadily, 64 KiB every 100 ms: every byte comes back. The replies still queued when
     * the server read the peer's end were dropped after the half-close grace and the close timeout (1.2 s
     * here, 0.7 s by default), in silence, and the output came back cut short; the whole stream takes the
     * peer over 3 s. (The close timeout is longer than the default so that a stall of the peer or the
     * writer on a loaded machine does not pass a window in which no batch is written.)
     */
    @Test
    void aHalfClosedPeerThatReadsSlowlyGetsEveryReply() throws Exception {
        try (LoopbackNetwork network = new LoopbackNetwork()) {
            TcpServer server = started(network);
            Thread loop = pollingLoop(server, r -> server.send(r.connection(), r.data()));
            try {
                RawPeer peer = network.dial(server.localAddress().orElseThrow());
                CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                    try {
                        byte[] chunk = new byte[64 * 1024];
                        for (int sent = 0; sent < TOTAL; sent += chunk.length) {
                            peer.send(chunk);
                        }
                        peer.shutdownOutput(); // as ncat at the end of its input
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, Thread::startVirtualThread);
                long got = 0;
                for (Optional<byte[]> piece = peer.read(WAIT); piece.isPresent() && got < TOTAL; piece = peer.read(WAIT)) {
                    got += piece.get().length;
                    // The peer's pace, not a wait for a condition: at most 64 KiB (the pipe) per 100 ms.
                    Thread.sleep(100);
                }
                sending.get(10, TimeUnit.SECONDS);
                assertEquals(TOTAL, got, "every reply came back");
                assertTrue(server.exceptions().isEmpty(), () -> "no failure: " + server.exceptions());
            } finally {
                loop.interrupt();
                loop.join(5_000);
            }
        }
    }

    /**
     * One large reply (1 MiB, sent at once) to a request whose sender half-closed and then reads slowly,
     * 64 KiB every 100 ms: it comes back whole. It went out as one batch, and the linger counted only
     * batches written, so after the first close timeout (1 s here) without a whole batch done it was cut
     * off, in silence: at the peer's pace the reply takes about 1.6 s.
     */
    @Test
    void aHalfClosedPeerThatReadsSlowlyGetsAWholeLargeReply() throws Exception {
        int reply = 1 << 20;
        try (LoopbackNetwork network = new LoopbackNetwork()) {
            TcpServer server = started(network);
            java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
            Thread loop = pollingLoop(server, r -> {
                if (answered.compareAndSet(false, true)) {
                    server.send(r.connection(), new byte[reply]);
                }
            });
            try {
                RawPeer peer = network.dial(server.localAddress().orElseThrow());
                peer.send("request".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                long got = 0;
                for (Optional<byte[]> piece = peer.read(WAIT); piece.isPresent() && got < reply; piece = peer.read(WAIT)) {
                    if (got == 0) {
                        // As ncat at the end of its input, once the reply is under way: a half-close before the
                        // loop took the request would leave the send a race with the half-close grace.
                        peer.shutdownOutput();
                    }
                    got += piece.get().length;
                    // The peer's pace, not a wait for a condition: at most 64 KiB (the pipe) per 100 ms.
                    Thread.sleep(100);
                }
                assertEquals(reply, got, "the whole reply came back");
                assertTrue(server.exceptions().isEmpty(), () -> "no failure: " + server.exceptions());
            } finally {
                loop.interrupt();
                loop.join(5_000);
            }
        }
    }

    /** A server with a close timeout of 1 s, a margin for a loaded machine over the peer's 100 ms pace, started. */
    private static TcpServer started(LoopbackNetwork network) throws java.io.IOException {
        TcpServer server = network.server(ServerOptions.builder().port(0).closeTimeout(Duration.ofSeconds(1)).build());
        server.start();
        return server;
    }

    /** What the polling loop does with a piece. */
    @FunctionalInterface
    private interface Answer {
        void to(ServerEvent.Received received) throws java.io.IOException;
    }

    /** The tutorial's polling loop on a platform thread, until interrupted; a send that fails is left to the counts. */
    private static Thread pollingLoop(TcpServer server, Answer answer) {
        return Thread.ofPlatform().name("poll").start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    for (ServerEvent.Received r : server.awaitReceived(Duration.ofSeconds(1))) {
                        try {
                            answer.to(r);
                        } catch (java.io.IOException e) {
                            // the connection ended: the count the test makes tells
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
