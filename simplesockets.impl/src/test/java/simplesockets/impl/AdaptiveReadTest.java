package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.WAIT;
import static simplesockets.impl.Peers.bytes;
import static simplesockets.impl.Peers.connect;
import static simplesockets.impl.Peers.loopback;
import static simplesockets.impl.Peers.readExactly;
import static simplesockets.impl.Peers.readToEnd;
import static simplesockets.impl.Peers.text;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import simplesockets.api.Connection;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpServer;

/**
 * Reads that adapt their size, pieces that keep to {@code receiveBufferSize}, and the cork that
 * gathers a callback's sends while it handles the pieces of one read; over real loopback sockets.
 */
class AdaptiveReadTest {

    private static final int RECEIVE = ServerOptions.DEFAULT_RECEIVE_BUFFER;

    @Test
    void aStreamIsReadInGrowingChunksButDeliveredInPiecesOfTheReceiveSizeAndEchoedIntact() throws Exception {
        AtomicInteger largestPiece = new AtomicInteger();
        AtomicInteger largestRead = new AtomicInteger();
        AtomicReference<Link> link = new AtomicReference<>();
        ServerOptions options = loopback().onReceive((c, data) -> {
            largestPiece.accumulateAndGet(data.length, Math::max);
            link.set((Link) c);
            largestRead.accumulateAndGet(((Link) c).reader().readSize(), Math::max);
            c.send(data);
        }).build();
        byte[] stream = new byte[8 * 1024 * 1024];
        new Random(42).nextBytes(stream);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (TcpServer server = TcpServer.create(options); Socket socket = connect(startedAt(server))) {
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> write(socket, stream), writer);
            byte[] echoed = readExactly(socket, stream.length);
            sent.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertArrayEquals(stream, echoed, "every byte back, in order");
            assertTrue(largestPiece.get() <= RECEIVE, "no piece over receiveBufferSize: " + largestPiece);
            assertTrue(largestRead.get() > RECEIVE, "reads grew past the receive size: " + largestRead);
            assertTrue(largestRead.get() <= ReadBuffer.MAX, "reads stay within the bound: " + largestRead);

            // Small messages afterwards bring the read size down to the smallest: a quiet connection's
            // parked reader holds little.
            for (int i = 0; i < 40; i++) {
                socket.getOutputStream().write(bytes("ping"));
                assertEquals("ping", text(readExactly(socket, 4)));
            }
            assertEquals(ReadBuffer.MIN, link.get().reader().readSize(), "the read size shrinks when reads are small");
        } finally {
            writer.shutdownNow();
            assertTrue(writer.awaitTermination(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void aNewConnectionsFirstReadIsSmallAndGrowsWithTheData() throws Exception {
        AtomicReference<Link> link = new AtomicReference<>();
        ServerOptions options = loopback().onReceive((c, data) -> {
            link.set((Link) c);
            c.send(data);
        }).build();
        try (TcpServer server = TcpServer.create(options); Socket socket = connect(startedAt(server))) {
            socket.getOutputStream().write(bytes("hi"));
            assertEquals("hi", text(readExactly(socket, 2)));
            assertEquals(ReadBuffer.FIRST, link.get().reader().readSize(), "a two-byte read leaves the first size as it is");
            byte[] big = new byte[RECEIVE];
            socket.getOutputStream().write(big);
            assertArrayEquals(big, readExactly(socket, big.length));
            assertTrue(link.get().reader().readSize() > ReadBuffer.FIRST, "full reads grew it: " + link.get().reader().readSize());
        }
    }

    @Test
    void aSendFromAnotherThreadNeverOvertakesACorkedSendThatReturnedBeforeIt() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        AtomicInteger delivered = new AtomicInteger();
        AtomicInteger markerAfter = new AtomicInteger(-1);
        ServerOptions options = loopback().receiveBufferSize(100).onReceive((c, data) -> {
            c.send(data);
            int sent = delivered.addAndGet(data.length);
            if (((Link) c).out().corked() && markerAfter.compareAndSet(-1, sent)) {
                // Mid-read: the piece above is gathered; the marker, sent after it returned, must follow it.
                other.submit(() -> {
                    c.send(bytes("M"));
                    return null;
                }).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }).build();
        byte[] message = new byte[4000];
        Arrays.fill(message, (byte) 'a');
        try (TcpServer server = TcpServer.create(options); Socket socket = connect(startedAt(server))) {
            socket.getOutputStream().write(message);
            byte[] back = readExactly(socket, message.length + 1);
            assertTrue(markerAfter.get() > 0, "a read was split into pieces, so the cork was used");
            int marker = new String(back, StandardCharsets.US_ASCII).indexOf('M');
            assertEquals(markerAfter.get(), marker, "the marker right after the bytes sent before it");
        } finally {
            other.shutdownNow();
            assertTrue(other.awaitTermination(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void aCallbackThatSendsThenDisconnectsMidReadGetsItsBytesOutAndNoMorePieces() throws Exception {
        AtomicInteger afterDisconnect = new AtomicInteger();
        AtomicBoolean disconnected = new AtomicBoolean();
        ServerOptions options = loopback().receiveBufferSize(100).onReceive((Connection c, byte[] data) -> {
            if (disconnected.get()) {
                afterDisconnect.incrementAndGet();
            } else if (((Link) c).out().corked()) {
                disconnected.set(true);
                c.send(bytes("bye"));
                c.disconnect();
            }
        }).build();
        try (TcpServer server = TcpServer.create(options); Socket socket = connect(startedAt(server))) {
            socket.getOutputStream().write(new byte[4000]);
            assertEquals("bye", text(readToEnd(socket)), "the send made before disconnect, then end of stream");
            assertTrue(disconnected.get(), "a read was split into pieces, so the cork was used");
            assertEquals(0, afterDisconnect.get(), "no piece is handed out after the callback disconnected");
        }
    }

    @Test
    void aDisconnectFromAnotherThreadAfterACorkedSendReturnedStillDeliversIt() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        AtomicBoolean disconnected = new AtomicBoolean();
        ServerOptions options = loopback().receiveBufferSize(100).onReceive((Connection c, byte[] data) -> {
            if (!disconnected.get() && ((Link) c).out().corked()) {
                disconnected.set(true);
                c.send(bytes("bye"));
                other.submit(c::disconnect).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }).build();
        try (TcpServer server = TcpServer.create(options); Socket socket = connect(startedAt(server))) {
            socket.getOutputStream().write(new byte[4000]);
            assertEquals("bye", text(readToEnd(socket)), "the send that returned, then end of stream");
            assertTrue(disconnected.get(), "a read was split into pieces, so the cork was used");
        } finally {
            other.shutdownNow();
            assertTrue(other.awaitTermination(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    private static java.net.InetSocketAddress startedAt(TcpServer server) throws IOException {
        server.start();
        return server.localAddress().orElseThrow();
    }

    private static void write(Socket socket, byte[] stream) {
        try {
            OutputStream out = socket.getOutputStream();
            for (int at = 0; at < stream.length; at += 100_000) {
                out.write(stream, at, Math.min(100_000, stream.length - at));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
