package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.bytes;
import static simplesockets.impl.Peers.connect;
import static simplesockets.impl.Peers.loopback;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.ServerEvent;
import simplesockets.api.TcpServer;

/**
 * The receive side is bounded: when the application does not drain, the server stops reading that
 * connection and TCP flow control stalls the sender, while other connections go on.
 */
@Timeout(60)
class BackpressureTest {

    private static final int LIMIT = 64 * 1024;
    private static final int TOTAL = 32 * 1024 * 1024;

    /**
     * The smallest bound on pending sends the options take, 1 byte, still lets a polling server read:
     * its reader may let at least one byte wait. Before, its share came to half of 1, which is 0, and
     * the reader waited for good: nothing was ever delivered, and not even the peer's close was seen.
     */
    @Test
    void aPollingServerWithTheSmallestBoundOnPendingSendsStillReads() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().maxPendingSendBytes(1).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                peer.getOutputStream().write(bytes("hi"));
                StringBuilder got = new StringBuilder();
                for (int round = 0; round < 3 && got.length() < 2; round++) {
                    for (ServerEvent.Received r : server.awaitReceived(Peers.WAIT)) {
                        got.append(Peers.text(r.data()));
                    }
                }
                assertEquals("hi", got.toString());
            }
        }
    }

    @Test
    void anUndrainedConnectionStallsItsSenderAndLosesNothing() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().maxQueuedBytesPerConnection(LIMIT).build())) {
            server.start();
            byte[] payload = Peers.pattern(3, TOTAL);
            AtomicLong written = new AtomicLong();
            try (Socket flooder = connect(server.localAddress().orElseThrow()); Socket other = connect(server.localAddress().orElseThrow())) {
                Thread sender = Thread.ofVirtual().start(() -> {
                    try {
                        OutputStream out = flooder.getOutputStream();
                        for (int at = 0; at < TOTAL; at += 8192) {
                            out.write(payload, at, Math.min(8192, TOTAL - at));
                            written.set(at + 8192L);
                        }
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                // Wait until the sender makes no progress for 300 ms (bounded to 20 s).
                long last = -1;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (written.get() != last && System.nanoTime() < deadline) {
                    last = written.get();
                    sender.join(Duration.ofMillis(300));
                }
                assertTrue(sender.isAlive(), "the sender must be stalled by flow control, not finished");
                assertTrue(written.get() < TOTAL);

                // The other connection is not affected.
                other.getOutputStream().write(bytes("still here"));
                ByteArrayOutputStream flood = new ByteArrayOutputStream();
                boolean otherSeen = false;
                long firstDrain = -1;
                long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while ((flood.size() < TOTAL || !otherSeen) && System.nanoTime() < drainDeadline) {
                    for (ServerEvent.Received r : server.awaitReceived(Duration.ofMillis(200))) {
                        if (r.address().equals(other.getLocalSocketAddress())) {
                            assertEquals("still here", Peers.text(r.data()));
                            otherSeen = true;
                        } else {
                            flood.writeBytes(r.data());
                        }
                    }
                    if (firstDrain < 0) {
                        firstDrain = flood.size();
                        assertTrue(firstDrain <= LIMIT + 2048,
                                "at most the limit plus one read was queued, not " + firstDrain + " bytes");
                    }
                }
                assertTrue(otherSeen, "the second connection's data arrived while the first was stalled");
                assertTrue(sender.join(Duration.ofSeconds(10)));
                assertArrayEquals(payload, flood.toByteArray(), "every byte, in order");
            }
        }
    }

    @Test
    void emptyFramesCountAgainstTheBoundToo() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().maxQueuedBytesPerConnection(LIMIT)
                .framing(simplesockets.api.Framing.lengthPrefixed(16)).build())) {
            server.start();
            AtomicLong written = new AtomicLong();
            try (Socket flooder = connect(server.localAddress().orElseThrow())) {
                byte[] emptyFrames = new byte[64 * 1024]; // 16,384 zero-length frames per write
                Thread sender = Thread.ofVirtual().start(() -> {
                    try {
                        OutputStream out = flooder.getOutputStream();
                        for (int i = 0; i < 1024; i++) { // 64 MiB of headers at most
                            out.write(emptyFrames);
                            written.addAndGet(emptyFrames.length);
                        }
                    } catch (IOException e) {
                        // the server closed at the end of the test
                    }
                });
                long last = -1;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (written.get() != last && System.nanoTime() < deadline) {
                    last = written.get();
                    sender.join(Duration.ofMillis(300));
                }
                assertTrue(sender.isAlive(), "empty frames must not let a peer queue without bound");
                int queued = server.drainReceived().size();
                assertTrue(queued <= LIMIT / EventQueue.ENTRY_OVERHEAD + 1, queued + " empty frames were queued");
            }
        }
    }
}
