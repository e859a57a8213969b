package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.bytes;
import static simplesockets.impl.Peers.connect;
import static simplesockets.impl.Peers.loopback;
import static simplesockets.impl.Peers.text;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.ClientOptions;
import simplesockets.api.DisconnectReason;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerState;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;

/**
 * {@code close(grace)} drains (issue 11): the server stops accepting at once, lets the work in hand
 * finish for up to the grace, then cuts off what is left and says how much; the client flushes its
 * queued sends.
 */
@Timeout(120)
class GracefulCloseTest {

    /** How long a handler's simulated work takes. */
    private static final Duration WORK = Duration.ofMillis(300);
    private static final int REPLY = 64 * 1024;

    /**
     * A handler that closes the server gracefully on a "quit" command waits for the other connections
     * only: its own cannot finish while it waits, so it is neither waited for nor counted. The other
     * client, idle, is done at once, so the close returns 0 well within its grace. Before, it waited the
     * whole grace for itself and returned 1.
     */
    @Test
    void aHandlerThatClosesTheServerGracefullyDoesNotWaitForItself() throws Exception {
        BlockingQueue<Integer> cutOff = new LinkedBlockingQueue<>();
        TcpServer[] self = new TcpServer[1];
        try (TcpServer server = TcpServer.create(loopback().handler(c -> {
            for (Optional<byte[]> line = c.read(); line.isPresent(); line = c.read()) {
                if (text(line.get()).startsWith("quit")) {
                    cutOff.add(self[0].close(Duration.ofSeconds(30)));
                    return;
                }
            }
        }).build())) {
            self[0] = server;
            server.start();
            try (Socket idle = connect(server.localAddress().orElseThrow());
                    Socket operator = connect(server.localAddress().orElseThrow())) {
                Peers.awaitCondition(() -> server.clients().size() == 2, Peers.WAIT, () -> "not both connected");
                operator.getOutputStream().write(bytes("quit"));
                Integer count = cutOff.poll(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertEquals(0, count, "returned within " + Peers.WAIT + " of a 30 s grace, nobody cut off");
                assertTrue(Peers.closedByPeer(idle, Peers.WAIT), "the idle client was closed");
            }
        }
    }

    /**
     * The same after the handler ended its own connection first (a goodbye, then a disconnect): its
     * connection is finishing, no longer live, and still not waited for. Before, the close looked for the
     * caller among the live connections only, so it waited the whole grace for itself and returned 1.
     */
    @Test
    void aHandlerThatDisconnectsItselfThenClosesTheServerGracefullyDoesNotWaitForItself() throws Exception {
        BlockingQueue<Integer> cutOff = new LinkedBlockingQueue<>();
        TcpServer[] self = new TcpServer[1];
        try (TcpServer server = TcpServer.create(loopback().handler(c -> {
            for (Optional<byte[]> line = c.read(); line.isPresent(); line = c.read()) {
                if (text(line.get()).startsWith("quit")) {
                    c.send(bytes("bye"));
                    c.disconnect();
                    cutOff.add(self[0].close(Duration.ofSeconds(30)));
                    return;
                }
            }
        }).build())) {
            self[0] = server;
            server.start();
            try (Socket operator = connect(server.localAddress().orElseThrow())) {
                Peers.awaitCondition(() -> server.clients().size() == 1, Peers.WAIT, () -> "not connected");
                operator.getOutputStream().write(bytes("quit"));
                Integer count = cutOff.poll(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertEquals(0, count, "returned within " + Peers.WAIT + " of a 30 s grace, nobody cut off");
                assertEquals("bye", text(operator.getInputStream().readAllBytes()));
            }
        }
    }

    /**
     * An {@code onFailure} that closes the server gracefully, for its connection's broken framing, runs on
     * that connection's thread while the connection still holds its slot (its end decided, the failure
     * being recorded): not waited for either. Before, it waited the whole grace for that slot.
     */
    @Test
    void anOnFailureThatClosesTheServerGracefullyDoesNotWaitForItsOwnConnection() throws Exception {
        BlockingQueue<Integer> cutOff = new LinkedBlockingQueue<>();
        TcpServer[] self = new TcpServer[1];
        try (TcpServer server = TcpServer.create(loopback().framing(simplesockets.api.Framing.lengthPrefixed(16))
                .onReceive((c, data) -> c.send(data))
                .onFailure(failure -> cutOff.add(self[0].close(Duration.ofSeconds(30))))
                .build())) {
            self[0] = server;
            server.start();
            try (Socket idle = connect(server.localAddress().orElseThrow());
                    Socket broken = connect(server.localAddress().orElseThrow())) {
                Peers.awaitCondition(() -> server.clients().size() == 2, Peers.WAIT, () -> "not both connected");
                broken.getOutputStream().write(new byte[] {0, 0, 4, 0}); // a frame of 1,024 bytes, past 16
                Integer count = cutOff.poll(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertEquals(0, count, "returned within " + Peers.WAIT + " of a 30 s grace, nobody cut off");
                assertTrue(Peers.closedByPeer(idle, Peers.WAIT), "the idle client was closed");
            }
        }
    }

    /**
     * The same when the failure is found on another connection's thread: B's callback sends to A, who does
     * not read, until A is cut off as a slow consumer, and A's {@code onFailure}, on B's thread, closes the
     * server gracefully. Neither A (its failure being recorded on this thread) nor B (this thread's own) is
     * waited for. Before, the close looked only for the connection whose own thread called it, and waited
     * the whole grace for A.
     */
    @Test
    void anOnFailureOnAnotherConnectionsThreadDoesNotWaitForEither() throws Exception {
        BlockingQueue<Integer> cutOff = new LinkedBlockingQueue<>();
        TcpServer[] self = new TcpServer[1];
        BlockingQueue<simplesockets.api.Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().maxPendingSendBytes(256 * 1024)
                .onConnect(connected::add)
                .onReceive((b, data) -> {
                    simplesockets.api.Connection a = self[0].clients().getFirst(); // the first to connect
                    byte[] flood = new byte[64 * 1024];
                    for (int i = 0; i < 10_000 && a.isOpen(); i++) { // at most 640 MiB: far past A's bound
                        try {
                            a.send(flood);
                        } catch (IOException cutOffAsASlowConsumer) {
                            break;
                        }
                    }
                })
                .onFailure(failure -> {
                    if (failure instanceof simplesockets.api.Failure.SlowConsumer) {
                        cutOff.add(self[0].close(Duration.ofSeconds(30)));
                    }
                })
                .build())) {
            self[0] = server;
            server.start();
            try (Socket a = connect(server.localAddress().orElseThrow())) {
                Peers.take(connected);
                try (Socket b = connect(server.localAddress().orElseThrow())) {
                    Peers.take(connected);
                    b.getOutputStream().write(bytes("flood A"));
                    Integer count = cutOff.poll(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    assertEquals(0, count, "returned within " + Peers.WAIT + " of a 30 s grace, nobody cut off");
                }
            }
        }
    }

    // ---- replies still being written when a connection's end is decided ----

    /**
     * A drain ends a polling connection while a large reply to it is still being written to a peer that
     * reads slowly. The connection leaves {@code clients()} at once, but the graceful close waits for the
     * reply within its grace, and returns 0. Before, it stopped waiting as soon as the connection left,
     * and the close's last step cut the reply off after {@code closeTimeout}, still returning 0.
     */
    @Test
    void aReplyStillBeingWrittenWhenItsConnectionEndsIsWaitedForWithinTheGrace() throws Exception {
        byte[] reply = Peers.pattern(5, 32 << 20); // more than the kernel's buffers hold for a peer not reading
        TcpServer server = TcpServer.create(loopback().maxPendingSendBytes(64 << 20)
                .closeTimeout(Duration.ofMillis(200)).build());
        server.start();
        try (server; Socket peer = connect(server.localAddress().orElseThrow())) {
            Peers.awaitCondition(() -> server.clients().size() == 1, Peers.WAIT, () -> "not connected");
            server.clients().getFirst().send(reply); // from this thread: its writer writes it, slowly
            CompletableFuture<Integer> closing = CompletableFuture.supplyAsync(() -> server.close(Duration.ofSeconds(20)));
            Peers.awaitCondition(() -> server.clients().isEmpty(), Peers.WAIT, () -> "the connection did not end");

            // Not a synchronization: the old close returned within about closeTimeout of this point.
            assertThrows(java.util.concurrent.TimeoutException.class, () -> closing.get(1, TimeUnit.SECONDS),
                    "the close waits for the reply still being written");
            byte[] got = peer.getInputStream().readNBytes(reply.length);
            assertTrue(Arrays.equals(reply, got), "the whole reply arrived: " + got.length + " of " + reply.length + " bytes");
            assertEquals(-1, peer.getInputStream().read(), "then the connection closed");
            assertEquals(0, closing.get(Peers.WAIT.toSeconds(), TimeUnit.SECONDS).intValue(), "nothing was cut off");
        }
    }

    // ---- a) a handler mid-reply finishes within the grace ----

    @Test
    void aHandlerMidReplyFinishesWithinTheGrace() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch nobodyReleases = new CountDownLatch(1);
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        byte[] reply = Peers.pattern(5, REPLY);
        try (TcpServer server = TcpServer.create(loopback()
                .handler(connection -> {
                    for (Optional<byte[]> request = connection.read(); request.isPresent(); request = connection.read()) {
                        started.countDown();
                        nobodyReleases.await(WORK.toMillis(), TimeUnit.MILLISECONDS); // the work takes WORK
                        connection.send(reply);
                    }
                })
                .onDisconnect((connection, reason) -> reasons.add(reason))
                .build())) {
            server.start();
            try (Socket client = connect(server.localAddress().orElseThrow())) {
                client.getOutputStream().write(bytes("request"));
                assertTrue(started.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS), "the handler got the request");

                CompletableFuture<Closed> closing = closeOnAnotherThread(server, Duration.ofSeconds(5));

                assertArrayEquals(reply, readUpTo(client, reply.length),
                        "the handler that was busy when close(grace) began finished its reply");
                assertEquals(-1, client.getInputStream().read(),
                        "then the connection closed: read() returned end of stream to the handler, which returned");
                Closed closed = closing.get(10, TimeUnit.SECONDS);
                assertEquals(0, closed.cutOff(), "nothing was cut off");
                assertTrue(closed.took().compareTo(Duration.ofMillis(2500)) < 0,
                        "close(5 s) returned once the work was done, after " + closed.took());
                assertEquals(DisconnectReason.CLOSED_BY_US, Peers.take(reasons));
                assertEquals(ServerState.CLOSED, server.state());
            }
        }
    }

    // ---- b) a handler that overruns the grace is cut off at the grace ----

    @Test
    void aHandlerThatOverrunsTheGraceIsCutOff() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        byte[] firstHalf = Peers.pattern(9, REPLY / 2);
        Duration grace = Duration.ofMillis(300);
        try (TcpServer server = TcpServer.create(loopback()
                .handler(connection -> {
                    if (connection.read().isPresent()) {
                        connection.send(firstHalf);
                        started.countDown();
                        release.await(30, TimeUnit.SECONDS); // overruns any grace: the test releases it at the end
                        connection.send(firstHalf);
                    }
                })
                .build())) {
            server.start();
            Duration closeTimeout = server.options().closeTimeout();
            try (Socket client = connect(server.localAddress().orElseThrow())) {
                client.getOutputStream().write(bytes("request"));
                assertArrayEquals(firstHalf, Peers.readExactly(client, firstHalf.length), "the handler is mid-reply");
                assertTrue(started.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS));

                Closed closed = closeOnAnotherThread(server, grace).get(10, TimeUnit.SECONDS);

                assertEquals(1, closed.cutOff(), "the busy connection was cut off at the grace, and counted");
                Duration bound = grace.plus(closeTimeout).plusSeconds(1);
                assertTrue(closed.took().compareTo(bound) <= 0, "close(" + grace + ") took " + closed.took()
                        + ", more than the grace plus closeTimeout plus 1 s");
                assertTrue(closed.took().compareTo(grace) >= 0,
                        "close(" + grace + ") waited for the grace before cutting off, took " + closed.took());
                assertTrue(Peers.drainsToClose(client, Peers.WAIT), "the peer sees the connection closed");
                assertEquals(ServerState.CLOSED, server.state());
            } finally {
                release.countDown();
            }
        }
    }

    /**
     * A connection whose peer had closed before a graceful close began ends as the peer's close: the
     * drain did not end it. It was reported {@code ClosedByUs} whenever a drain had begun by the time the
     * connection finished.
     */
    @Test
    void aPeerThatClosedBeforeTheDrainIsAPeerClose() throws Exception {
        WatchedNetwork network = new WatchedNetwork();
        CountDownLatch ended = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        try (TcpServer server = new ServerEngine(network, loopback().handler(c -> {
            while (c.read().isPresent()) { // to the peer's end of stream
            }
            ended.countDown();
            release.await(); // still finishing its work when the graceful close begins
        }).onDisconnect((c, r) -> reasons.add(r)).build(), null)) {
            server.start();
            try (Socket client = connect(server.localAddress().orElseThrow())) {
                client.getOutputStream().write(bytes("bye"));
                client.shutdownOutput();
                assertTrue(ended.await(5, TimeUnit.SECONDS), "the handler read the peer's end");
                CompletableFuture<Closed> closing = closeOnAnotherThread(server, Duration.ofSeconds(5));
                Peers.awaitCondition(() -> network.inputsEnding() == 1, Peers.WAIT, () -> "the drain did not begin");
                release.countDown();
                assertEquals(DisconnectReason.PEER_CLOSED, Peers.take(reasons), "the peer closed first");
                assertEquals(0, closing.get(10, TimeUnit.SECONDS).cutOff());
            }
        }
    }

    // ---- c) a polling server drains and answers during the grace ----

    @Test
    void aPollingServerDrainsAndAnswersDataReceivedBeforeCloseDuringTheGrace() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().build())) {
            server.start();
            try (Socket client = connect(server.localAddress().orElseThrow())) {
                client.getOutputStream().write(bytes("question"));
                assertTrue(server.awaitNewData(Peers.WAIT), "the question waits for polling");

                CompletableFuture<Closed> closing = closeOnAnotherThread(server, Duration.ofSeconds(5));
                Peers.awaitCondition(server::isKilled, Peers.WAIT, () -> "close(grace) did not begin");

                // The polling thread goes on during the grace.
                List<ServerEvent.Received> received = server.awaitReceived(Peers.WAIT);
                assertFalse(received.isEmpty(), "the data received before close(grace) can still be drained during the grace");
                List<byte[]> pieces = new ArrayList<>();
                received.forEach(r -> pieces.add(r.data()));
                assertEquals("question", text(Peers.concat(pieces)));
                try {
                    server.send(received.getFirst().connection(), bytes("answer"));
                } catch (IOException e) {
                    throw new AssertionError("answering data drained during the grace failed", e);
                }

                assertEquals("answer", text(readUpTo(client, 6)), "the client got the answer");
                // Longer than the grace, so that an engine that keeps the connection to the end of the
                // grace fails on the count below, with a clear message, not on this read.
                client.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
                assertEquals(-1, client.getInputStream().read(), "then the connection closed, its work done");
                Closed closed = closing.get(10, TimeUnit.SECONDS);
                assertEquals(0, closed.cutOff(), "the drained and answered connection finished: nothing was cut off");
                assertEquals(ServerState.CLOSED, server.state());
            }
        }
    }

    // ---- d) no new connections during the drain; KILLED while draining, CLOSED after ----

    @Test
    void newConnectionsAreRefusedWhileDrainingAndTheStateIsKilledThenClosed() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger served = new AtomicInteger();
        byte[] reply = Peers.pattern(11, REPLY);
        try (TcpServer server = TcpServer.create(loopback()
                .handler(connection -> {
                    served.incrementAndGet();
                    for (Optional<byte[]> request = connection.read(); request.isPresent(); request = connection.read()) {
                        started.countDown();
                        release.await(30, TimeUnit.SECONDS); // the work in hand, until the test releases it
                        connection.send(reply);
                    }
                })
                .build())) {
            server.start();
            InetSocketAddress address = server.localAddress().orElseThrow();
            try (Socket client = connect(address)) {
                client.getOutputStream().write(bytes("request"));
                assertTrue(started.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS), "the handler got the request");

                CompletableFuture<Closed> closing = closeOnAnotherThread(server, Duration.ofSeconds(10));
                try {
                    Peers.awaitCondition(() -> server.state() != ServerState.ACCEPTING, Peers.WAIT,
                            () -> "close(grace) did not begin");
                    assertEquals(ServerState.KILLED, server.state(), "while draining, the server is KILLED");
                    assertRefused(address);
                    assertEquals(ServerState.KILLED, server.state(), "the handler is still busy: still draining");
                    assertFalse(closing.isDone(), "close(grace) waits for the busy handler");
                } finally {
                    release.countDown();
                }

                assertArrayEquals(reply, readUpTo(client, reply.length), "the busy handler finished its reply");
                assertEquals(-1, client.getInputStream().read(), "then its connection closed");
                Closed closed = closing.get(10, TimeUnit.SECONDS);
                assertEquals(0, closed.cutOff(), "nothing was cut off");
                assertEquals(ServerState.CLOSED, server.state(), "CLOSED after the drain");
                assertEquals(1, served.get(), "the connection made during the drain was never served");
            }
        }
    }

    // ---- e) client.close(grace) flushes the sends queued to a slow server ----

    @Test
    void clientCloseWithGraceFlushesQueuedSendsToASlowButReadingServer() throws Exception {
        int piece = 64 * 1024;
        int pieces = 24; // 1.5 MiB: more than the default 1 MiB of pending sends
        try (ServerSocket listener = Peers.narrowListener()) {
            try (TcpClient client = TcpClient.create(ClientOptions.builder()
                    .address((InetSocketAddress) listener.getLocalSocketAddress())
                    .build())) {
                client.connect();
                try (Socket accepted = listener.accept()) {
                    accepted.setSoTimeout((int) Peers.WAIT.toMillis());
                    CompletableFuture<SlowRead> reading = Peers.startOn(Thread.ofPlatform().daemon(), "slow-reader",
                            () -> readSlowlyToEnd(accepted, piece));
                    // From a thread of the test, not the connection's own: the sends are queued for its writer
                    // (waiting for room past the default 1 MiB, as WAIT does, while the server reads).
                    Peers.startOn(Thread.ofPlatform().daemon(), "sender", () -> {
                        for (int k = 0; k < pieces; k++) {
                            client.send(Peers.pattern(k, piece));
                        }
                        return null;
                    }).get(30, TimeUnit.SECONDS);

                    int cutOff = client.close(Duration.ofSeconds(10));

                    assertEquals(0, cutOff, "every queued send was written within the grace");
                    SlowRead read = reading.get(30, TimeUnit.SECONDS);
                    assertNull(read.problem(), read.problem());
                    assertEquals((long) pieces * piece, read.total(), "the server received every byte, then end of stream");
                }
            }
        }
    }

    // ---- helpers ----

    private record Closed(int cutOff, Duration took) {
    }

    private static CompletableFuture<Closed> closeOnAnotherThread(TcpServer server, Duration grace) {
        return Peers.startOn(Thread.ofPlatform().daemon(), "close-with-grace", () -> {
            long started = System.nanoTime();
            int cutOff = server.close(grace);
            return new Closed(cutOff, Duration.ofNanos(System.nanoTime() - started));
        });
    }

    /** Reads up to {@code n} bytes, fewer if the stream ends or resets first (the assertion then says what was missing). */
    private static byte[] readUpTo(Socket socket, int n) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] out = new byte[n];
        int at = 0;
        try {
            while (at < n) {
                int read = in.read(out, at, n - at);
                if (read < 0) {
                    break;
                }
                at += read;
            }
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            // a reset: what arrived before it is what the peer got
        }
        return Arrays.copyOf(out, at);
    }

    /** A connection attempt during the drain is refused, or closed at once without being served. */
    private static void assertRefused(InetSocketAddress address) throws IOException {
        try (Socket late = new Socket()) {
            try {
                late.connect(address, (int) Peers.WAIT.toMillis());
            } catch (ConnectException e) {
                return; // the listening socket is closed
            }
            assertTrue(Peers.closedByPeer(late, Peers.WAIT), "a connection made during the drain is closed at once");
        }
    }

    private record SlowRead(long total, String problem) {
    }

    /**
     * A slow server that reads: 16 KiB at a time with a short pause between reads (simulated slowness,
     * not synchronization), checking that byte {@code j} of piece {@code k} is {@code (k + j) % 251},
     * until end of stream.
     */
    private static SlowRead readSlowlyToEnd(Socket socket, int piece) {
        byte[] buffer = new byte[16 * 1024];
        long at = 0;
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                int n = in.read(buffer);
                if (n < 0) {
                    return new SlowRead(at, null);
                }
                for (int i = 0; i < n; i++) {
                    long offset = at + i;
                    byte wanted = (byte) ((offset / piece + offset % piece) % 251);
                    if (buffer[i] != wanted) {
                        return new SlowRead(offset, "byte " + offset + " differs: " + buffer[i] + " instead of " + wanted);
                    }
                }
                at += n;
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
        } catch (IOException e) {
            return new SlowRead(at, "reading failed after " + at + " bytes: " + e);
        }
    }

    /**
     * A graceful close waiting for its last connections leaves the server {@code KILLED}, and a
     * {@code restart()} meanwhile (a watchdog's, say) is refused: it used to bind again and accept new
     * clients, which the close then cut off, keeping it waiting.
     */
    @Test
    void aServerClosingGracefullyCannotBeRestarted() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TcpServer server = TcpServer.create(loopback().handler(c -> {
            busy.countDown();
            release.await(10, TimeUnit.SECONDS);
        }).build());
        server.start();
        InetSocketAddress address = server.localAddress().orElseThrow();
        try (Socket peer = connect(address)) {
            assertTrue(busy.await(5, TimeUnit.SECONDS));
            CompletableFuture<Integer> closing = CompletableFuture.supplyAsync(() -> server.close(Duration.ofSeconds(10)));
            Peers.awaitCondition(() -> server.state() == ServerState.KILLED, Peers.WAIT, () -> "not KILLED: " + server);
            IllegalStateException refused = assertThrows(IllegalStateException.class, server::restart);
            assertTrue(refused.getMessage().contains("closing"), refused.getMessage());
            assertThrows(ConnectException.class, () -> connect(address).close(), "nothing listens while it closes");
            release.countDown();
            assertEquals(0, closing.get(10, TimeUnit.SECONDS), "the busy connection finished within the grace");
            assertEquals(ServerState.CLOSED, server.state());
        } finally {
            release.countDown();
            server.close();
        }
    }

    /**
     * A {@code close()} during a graceful close ends the graceful one's wait too, even when a handler
     * ignores interrupts: the forced close stopped the grace's timer, so the graceful close used to
     * wait for good.
     */
    @Test
    void aCloseDuringAGracefulCloseEndsItsWaitEvenForAHandlerThatIgnoresInterrupts() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TcpServer server = TcpServer.create(loopback().closeTimeout(Duration.ofMillis(500)).handler(c -> {
            busy.countDown();
            while (true) { // deaf to interrupts, until the test lets it go
                try {
                    release.await();
                    return;
                } catch (InterruptedException ignored) {
                    // on it goes
                }
            }
        }).build());
        server.start();
        try (Socket peer = connect(server.localAddress().orElseThrow())) {
            assertTrue(busy.await(5, TimeUnit.SECONDS));
            CompletableFuture<Integer> graceful = CompletableFuture.supplyAsync(() -> server.close(Duration.ofSeconds(30)));
            Peers.awaitCondition(() -> server.state() == ServerState.KILLED, Peers.WAIT, () -> "close(grace) did not begin");
            server.close();
            assertEquals(1, graceful.get(5, TimeUnit.SECONDS), "the graceful close returned, with the handler cut off");
        } finally {
            release.countDown();
        }
    }

    /**
     * {@code close(ZERO)} counts what it cuts off, as a grace that ran out does: every open connection (a
     * script that checks for 0, a clean drain, must not take a cut-off for one). It returned 0.
     */
    @Test
    void aCloseWithoutAGraceCountsEveryOpenConnectionAsCutOff() throws Exception {
        TcpServer server = TcpServer.create(loopback().onReceive((c, d) -> { }).build());
        server.start();
        try (Socket first = connect(server.localAddress().orElseThrow());
                Socket second = connect(server.localAddress().orElseThrow())) {
            Peers.awaitCondition(() -> server.clients().size() == 2, Peers.WAIT, () -> "both connected");
            assertEquals(2, server.close(Duration.ZERO));
            assertTrue(Peers.closedByPeer(first, Peers.WAIT));
        }
        assertEquals(0, server.close(Duration.ZERO), "closed already: nothing more");
        TcpServer empty = TcpServer.create(loopback().build());
        empty.start();
        assertEquals(0, empty.close(Duration.ZERO), "nothing was open");
    }

    /** ... and a client's, its sends still queued. */
    @Test
    void aClientsCloseWithoutAGraceCountsItsQueuedSendsAsCutOff() throws Exception {
        try (ServerSocket narrow = Peers.narrowListener()) {
            TcpClient client = TcpClient.create(ClientOptions.builder()
                    .address((InetSocketAddress) narrow.getLocalSocketAddress()).maxPendingSendBytes(8 << 20).build());
            client.connect();
            try (Socket accepted = narrow.accept()) { // and never read
                client.send(new byte[4 << 20]); // from this thread: queued for the writer, which the peer blocks
                Peers.awaitCondition(() -> client.stats().pendingBytes() > 0, Peers.WAIT, () -> "queued");
                assertEquals(1, client.close(Duration.ZERO));
            }
        }
    }
}
