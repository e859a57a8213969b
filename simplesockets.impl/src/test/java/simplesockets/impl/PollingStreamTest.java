package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.loopback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpServer;

/**
 * The tutorial's polling echo server and a peer that streams faster than it reads the echo back: the
 * server's reader waits while the replies pile up, so the peer is slowed by TCP instead of being
 * disconnected as a slow consumer, and every byte comes back in order.
 */
@Timeout(120)
class PollingStreamTest {

    private static final long STREAM = 64L << 20;

    /** One turn of a polling loop: the data it takes, to be echoed. */
    private interface PollLoop {
        List<ServerEvent.Received> take(TcpServer server) throws InterruptedException;
    }

    /** The tutorial's loop as this API writes it: wait for data, take it all. */
    private static final PollLoop AWAIT = server -> server.awaitReceived(Duration.ofMillis(100));

    /**
     * The seed's own loop: check the new-data flag, and take everything when it is set ({@code if
     * Server.event.new_data: Server.return_recved_data()}), pausing briefly when it is not. The flag is
     * all this loop asks before it takes more, so the flag must see data the reader can still read.
     */
    private static final PollLoop FLAG = server -> {
        if (server.hasNewData()) {
            return server.drainReceived();
        }
        LockSupport.parkNanos(50_000);
        return List.of();
    };

    @Test
    void aStreamThroughThePollingEchoServerComesBackWholeAndInOrder() throws Exception {
        assertStreamEchoed(loopback(), STREAM, AWAIT);
    }

    @Test
    void aSmallSendBoundStillHoldsAStreamThatFits() throws Exception {
        // Reads of at most 64 KiB, against a bound of 512 KiB on pending sends.
        assertStreamEchoed(loopback().maxPendingSendBytes(512 * 1024), STREAM / 4, AWAIT);
    }

    @Test
    void aStreamThroughTheSeedsFlagPollingLoopComesBackWhole() throws Exception {
        assertStreamEchoed(loopback(), STREAM / 4, FLAG);
    }

    /**
     * The other way round: a polling client, with its default options, uploads a stream from one thread
     * and drains the echo of the README's callback echo server on another. Its reader must read on while
     * its own uploads are pending: they are not replies to what it read. Before, it was held back until
     * they were written, which the echo server, blocked writing back to it, never let happen: each time
     * the buffers filled, the stream stood still until the writer's stall rule (1 s) let the reader go,
     * and 64 MiB took half a minute. So no piece may be more than {@code 900 ms} behind the one before.
     * (That bound cannot grow to make room for a loaded machine: the stall rule's 1 s is fixed, not an
     * option, and on the old code some runs stood still just once, for 1.0 s. A healthy run's longest gap
     * is some milliseconds, so nearly all of the 900 ms is slack.)
     */
    @Test
    void aPollingClientUploadingToAnEchoServerGetsItAllBackWithoutStalls() throws Exception {
        long total = 16L << 20;
        try (TcpServer server = TcpServer.create(loopback().onReceive((c, d) -> c.send(d)).build())) {
            server.start();
            try (simplesockets.api.TcpClient client = simplesockets.api.TcpClient.create(
                    simplesockets.api.ClientOptions.builder().address(server.localAddress().orElseThrow())
                            .autoReceive(true).build())) {
                client.connect();
                java.util.concurrent.CompletableFuture<Long> longestGap = Peers.startOn(Thread.ofPlatform().daemon(),
                        "drains", () -> {
                            long at = 0;
                            long last = System.nanoTime();
                            long longest = 0;
                            while (at < total) {
                                List<byte[]> pieces = client.awaitReceived(Duration.ofSeconds(5));
                                if (pieces.isEmpty()) {
                                    throw new AssertionError("nothing for 5 s at byte " + at);
                                }
                                long now = System.nanoTime();
                                longest = Math.max(longest, now - last);
                                last = now;
                                for (byte[] piece : pieces) {
                                    for (byte b : piece) {
                                        if (b != patternAt(at++)) {
                                            throw new AssertionError("byte " + (at - 1) + " differs");
                                        }
                                    }
                                }
                            }
                            return longest;
                        });
                byte[] chunk = new byte[64 * 1024];
                for (long sent = 0; sent < total; sent += chunk.length) {
                    for (int i = 0; i < chunk.length; i++) {
                        chunk[i] = patternAt(sent + i);
                    }
                    client.send(chunk.clone());
                }
                long gap = longestGap.get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertTrue(gap < 900_000_000L, "the stream stood still for " + gap / 1_000_000 + " ms");
            }
        }
    }

    private static void assertStreamEchoed(ServerOptions.Builder options, long total, PollLoop loop) throws Exception {
        try (TcpServer server = TcpServer.create(options.build())) {
            server.start();
            AtomicReference<Throwable> problem = new AtomicReference<>();
            Thread poller = Thread.ofPlatform().daemon().name("polling-echo").start(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        List<ServerEvent.Received> batch = loop.take(server);
                        for (ServerEvent.Received r : batch) {
                            server.send(r.connection(), r.data());
                        }
                    }
                } catch (InterruptedException e) {
                    // done
                } catch (IOException | RuntimeException e) {
                    problem.set(e);
                }
            });
            try (SocketChannel peer = SocketChannel.open(server.localAddress().orElseThrow())) {
                AtomicLong checked = new AtomicLong();
                AtomicReference<String> mismatch = new AtomicReference<>();
                Thread reader = Thread.ofPlatform().daemon().start(() -> {
                    ByteBuffer in = ByteBuffer.allocate(256 * 1024);
                    long at = 0;
                    try {
                        while (at < total) {
                            int n = peer.read(in.clear());
                            if (n < 0) {
                                break;
                            }
                            for (int i = 0; i < n; i++, at++) {
                                if (in.get(i) != patternAt(at) && mismatch.get() == null) {
                                    mismatch.set("byte " + at);
                                }
                            }
                        }
                    } catch (IOException e) {
                        mismatch.compareAndSet(null, "read failed at byte " + at + ": " + e);
                    }
                    checked.set(at);
                });
                ByteBuffer out = ByteBuffer.allocate(1 << 20);
                for (long sent = 0; sent < total; ) {
                    out.clear();
                    while (out.hasRemaining() && sent + out.position() < total) {
                        out.put(patternAt(sent + out.position()));
                    }
                    out.flip();
                    while (out.hasRemaining()) {
                        try {
                            sent += peer.write(out);
                        } catch (IOException e) {
                            poller.interrupt();
                            List<ServerEvent> events = new java.util.ArrayList<>();
                            for (int i = 0; i < 100; i++) {
                                server.pollEvent().filter(ev -> !(ev instanceof ServerEvent.Received)).ifPresent(events::add);
                            }
                            throw new AssertionError("the server ended the stream after " + sent + " bytes: "
                                    + server.exceptions(false, false) + ", events " + events + ", " + server.stats(), e);
                        }
                    }
                }
                reader.join(Duration.ofSeconds(60));
                assertEquals(null, mismatch.get(), "the echo differs");
                assertEquals(total, checked.get(), "every byte came back");
            } finally {
                poller.interrupt();
                poller.join(Duration.ofSeconds(5));
            }
            assertEquals(null, problem.get(), "the polling loop's sends failed");
            assertTrue(server.exceptions(false, false).isEmpty(), "nothing failed: " + server.exceptions(false, false));
        }
    }

    private static byte patternAt(long i) {
        return (byte) (i * 31 + (i >>> 13));
    }
}
