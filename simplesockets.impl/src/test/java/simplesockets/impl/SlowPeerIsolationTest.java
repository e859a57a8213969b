package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.connect;
import static simplesockets.impl.Peers.loopback;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpServer;

/**
 * One peer that never reads must not freeze the server for everyone (issue 11): not the tutorial's
 * polling echo server, not {@code broadcast}, not the callback or handler styles. Default options
 * except host and port; callbacks set only to observe are noted where they are.
 */
@Timeout(120)
class SlowPeerIsolationTest {

    /** What the misbehaving peer pushes, as in the issue. */
    private static final int FLOOD = 16 << 20;
    /**
     * A well-behaved client's round trip must take at most this long. On loopback one takes well under a
     * millisecond. What the peer that never reads causes where it is not isolated is a wait without end
     * (the write timeout is off by default, so a write to it never returns), which the read, given three
     * times this, reports as no answer: 2 s tells the two apart as surely as 1 s did, and leaves a loaded
     * machine's stalls of several hundred milliseconds room.
     */
    private static final Duration ROUND_TRIP = Duration.ofSeconds(2);
    private static final int ROUND_TRIPS = 20;
    /**
     * The receive buffer of a peer that never reads. Small and fixed, so the kernel cannot absorb the
     * whole flood by autotuning (this box allows 32 MiB of receive buffer), as a real slow peer's
     * window would not.
     */
    private static final int STALLED_RECEIVE_BUFFER = 32 * 1024;
    private static final int BLOCK = 256 * 1024;
    private static final int BROADCASTS = 64;
    private static final int DEFAULT_PENDING = ServerOptions.builder().build().maxPendingSendBytes();

    // ---- a) the tutorial's polling echo server ----

    @Test
    void aPollingEchoServerKeepsAnsweringWhileOnePeerFloodsAndNeverReads() throws Exception {
        // onDisconnect only observes: the data path is the tutorial's polling loop.
        Map<InetSocketAddress, DisconnectReason> ended = new ConcurrentHashMap<>();
        try (TcpServer server = TcpServer.create(loopback()
                .onDisconnect((connection, reason) -> ended.put(connection.remoteAddress(), reason))
                .build());
                Poller poller = startServerAndPoller(server);
                Socket stalled = stalledPeer(server.localAddress().orElseThrow());
                Socket client = connect(server.localAddress().orElseThrow());
                Flood flood = Flood.start(stalled, 1 << 20)) {
            InetSocketAddress stalledAddress = (InetSocketAddress) stalled.getLocalSocketAddress();
            flood.awaitUnderway();

            // At least ROUND_TRIPS, and on until the stalled peer is gone (at most 10 s), so that the
            // round trips span the whole time the server's sends to it are stuck.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (int i = 0; i < ROUND_TRIPS || (!ended.containsKey(stalledAddress) && System.nanoTime() - deadline < 0); i++) {
                roundTrip(client, "polling", i);
            }

            Peers.awaitCondition(() -> ended.containsKey(stalledAddress), Peers.WAIT,
                    () -> "the peer that never reads was not disconnected");
            assertEquals(DisconnectReason.SLOW_CONSUMER, ended.get(stalledAddress),
                    "the peer that never reads is disconnected as a slow consumer");
            awaitSlowConsumerRecorded(server, stalledAddress);
            assertFalse(server.clients().stream().anyMatch(c -> c.remoteAddress().equals(stalledAddress)),
                    "the slow consumer has left clients()");
            poller.assertHealthy();
        }
    }

    // ---- b) broadcast ----

    @Test
    void broadcastCompletesForThePeersThatReadWhileOneNeverReads() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().build())) {
            server.start();
            InetSocketAddress address = server.localAddress().orElseThrow();
            try (Socket stalled = stalledPeer(address);
                    Socket first = connect(address);
                    Socket second = connect(address);
                    Socket third = connect(address)) {
                awaitConnected(server, 4);
                Semaphore blocksDelivered = new Semaphore(0);
                long expected = (long) BROADCASTS * BLOCK;
                List<BroadcastReader> readers = new ArrayList<>();
                for (Socket peer : List.of(first, second, third)) {
                    readers.add(BroadcastReader.start(peer, expected, blocksDelivered));
                }

                long started = System.nanoTime();
                for (int i = 0; i < BROADCASTS; i++) {
                    byte[] block = Peers.pattern(i, BLOCK);
                    CompletableFuture<Integer> call = Peers.startOn(Thread.ofPlatform().daemon(), "broadcast-" + i,
                            () -> server.broadcast(block));
                    int sentTo;
                    try {
                        sentTo = call.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (TimeoutException e) {
                        throw new AssertionError("broadcast #" + i + " did not return within " + Peers.WAIT
                                + ": it waits on the peer that does not read");
                    }
                    assertTrue(sentTo >= 3, "broadcast #" + i + " reached the three reading peers, not " + sentTo);
                    // The reading peers keep up before the next broadcast, so only the stalled peer's
                    // pending sends can pass maxPendingSendBytes.
                    assertTrue(blocksDelivered.tryAcquire(3, Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS),
                            "the three reading peers did not all receive broadcast #" + i + " within " + Peers.WAIT);
                }
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                assertTrue(took.compareTo(Duration.ofSeconds(60)) < 0, "64 broadcasts took " + took);

                for (BroadcastReader reader : readers) {
                    reader.join();
                    assertNull(reader.problem(), reader.problem());
                    assertEquals(expected, reader.total(), "a reading peer got every broadcast byte");
                }

                InetSocketAddress stalledAddress = (InetSocketAddress) stalled.getLocalSocketAddress();
                assertEquals(DisconnectReason.SLOW_CONSUMER, awaitDisconnectEvent(server, stalledAddress),
                        "the peer that never reads is disconnected as a slow consumer");
                awaitSlowConsumerRecorded(server, stalledAddress);
            }
        }
    }

    /**
     * A slow consumer's failure is recorded before its disconnect is reported, so a polling loop sees the
     * {@code Failed} event first, then the {@code Disconnected}. Before, the sender closed the connection
     * and only then recorded why, so the connection's own thread could report the end first.
     */
    @Test
    void aSlowConsumersFailureComesBeforeItsDisconnect() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().maxPendingSendBytes(64 * 1024).build())) {
            server.start();
            try (Socket stalled = stalledPeer(server.localAddress().orElseThrow())) {
                awaitConnected(server, 1); // its Connected event taken
                Connection connection = server.clients().getFirst();
                byte[] block = new byte[16 * 1024];
                IOException cutOff = null;
                for (int i = 0; i < 10_000 && cutOff == null; i++) { // the kernel's buffers first, then the bound
                    try {
                        connection.send(block);
                    } catch (IOException e) {
                        cutOff = e;
                    }
                }
                assertNotNull(cutOff, "the peer that never reads was cut off");
                List<Class<?>> kinds = new ArrayList<>();
                Optional<ServerEvent> event = server.awaitEvent(Peers.WAIT);
                for (; event.isPresent() && !(event.get() instanceof ServerEvent.Disconnected); event = server.awaitEvent(Peers.WAIT)) {
                    kinds.add(event.get().getClass());
                }
                String seen = "the events before " + event + "; the send threw " + cutOff + "; recorded "
                        + server.exceptions();
                assertEquals(List.of(ServerEvent.Failed.class), kinds, () -> "the failure, then the disconnect: " + seen);
                assertEquals(DisconnectReason.SLOW_CONSUMER, ((ServerEvent.Disconnected) event.orElseThrow()).reason(), seen);
            }
        }
    }

    /**
     * The server's state is true at once for the failure's own callback: while a synchronous
     * {@code onFailure} for a slow consumer runs (held here), the connection is gone from {@code clients()}
     * and the open count, and its slot is free, so a server full at {@code maxConnections(1)} admits the
     * next client. Before, the connection left the list only once {@code onFailure} returned, though its
     * {@code isOpen()} was already false.
     */
    @Test
    void aSlowConsumerHasLeftTheListAndFreedItsSlotWhileItsOnFailureRuns() throws Exception {
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<TcpServer> self = new AtomicReference<>();
        AtomicReference<String> seenInCallback = new AtomicReference<>();
        try (TcpServer server = TcpServer.create(loopback().maxConnections(1).maxPendingSendBytes(64 * 1024)
                .onFailure(failure -> {
                    if (failure instanceof Failure.SlowConsumer) {
                        TcpServer me = self.get();
                        seenInCallback.set("clients " + me.clients() + ", open " + me.stats().connectionsOpen());
                        inCallback.countDown();
                        release.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    }
                }).build())) {
            self.set(server);
            server.start();
            InetSocketAddress address = server.localAddress().orElseThrow();
            try (Socket stalled = stalledPeer(address)) {
                awaitConnected(server, 1);
                Connection connection = server.clients().getFirst();
                CompletableFuture<IOException> sender = Peers.startOn(Thread.ofPlatform(), "sender", () -> {
                    byte[] block = new byte[16 * 1024];
                    for (int i = 0; i < 10_000; i++) { // the kernel's buffers first, then the bound
                        try {
                            connection.send(block);
                        } catch (IOException e) {
                            return e;
                        }
                    }
                    return null;
                });
                try {
                    assertTrue(inCallback.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS),
                            "the peer that never reads was cut off: " + sender.getNow(null));
                    assertEquals("clients [], open 0", seenInCallback.get(), "what onFailure saw");
                    assertFalse(connection.isOpen(), "the slow consumer is closed");
                    assertEquals(List.of(), server.clients(), "clients() while onFailure runs");
                    assertEquals(0, server.stats().connectionsOpen(), "the open count while onFailure runs");
                    try (Socket next = connect(address)) {
                        awaitConnected(server, 1); // admitted, not refused: the slot is free
                        assertEquals(1, server.clients().size(), "the next client is served: " + server.clients());
                        assertTrue(server.clients().getFirst().isOpen(), "the next client's connection is open");
                    }
                } finally {
                    release.countDown();
                }
                assertNotNull(sender.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS), "the send that overflowed threw");
            }
        }
    }

    // ---- c) callbacks ----

    @Test
    void aCallbackEchoServerKeepsAnsweringWhileOnePeerFloodsAndNeverReads() throws Exception {
        AtomicReference<SocketAddress> flooder = new AtomicReference<>();
        AtomicLong fromFlooder = new AtomicLong();
        CountDownLatch floodArrived = new CountDownLatch(1);
        try (TcpServer server = TcpServer.create(loopback()
                .onReceive((connection, data) -> {
                    countFlood(connection, data.length, flooder, fromFlooder, floodArrived);
                    connection.send(data);
                })
                .build())) {
            server.start();
            assertIsolated(server, flooder, floodArrived);
            assertTrue(fromFlooder.get() < FLOOD, "the flooder's own connection thread was held up by its echo");
        }
    }

    // ---- d) a connection handler ----

    @Test
    void aHandlerEchoServerKeepsAnsweringWhileOnePeerFloodsAndNeverReads() throws Exception {
        AtomicReference<SocketAddress> flooder = new AtomicReference<>();
        AtomicLong fromFlooder = new AtomicLong();
        CountDownLatch floodArrived = new CountDownLatch(1);
        try (TcpServer server = TcpServer.create(loopback()
                .handler(connection -> {
                    for (Optional<byte[]> data = connection.read(); data.isPresent(); data = connection.read()) {
                        countFlood(connection, data.get().length, flooder, fromFlooder, floodArrived);
                        connection.send(data.get());
                    }
                })
                .build())) {
            server.start();
            assertIsolated(server, flooder, floodArrived);
            assertTrue(fromFlooder.get() < FLOOD, "the flooder's own connection thread was held up by its echo");
        }
    }

    /**
     * The callback and handler styles: the flooder's own connection thread blocks in its echo (a send
     * on the connection's own thread writes directly and waits for the peer), and nobody else notices.
     */
    private static void assertIsolated(TcpServer server, AtomicReference<SocketAddress> flooder,
            CountDownLatch floodArrived) throws Exception {
        InetSocketAddress address = server.localAddress().orElseThrow();
        try (Socket stalled = stalledPeer(address);
                Socket one = connect(address);
                Socket two = connect(address)) {
            flooder.set(stalled.getLocalSocketAddress());
            try (Flood flood = Flood.start(stalled, 128 * 1024)) {
                assertTrue(floodArrived.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS),
                        "the server did not receive the flood");
                flood.awaitUnderway();
                for (int i = 0; i < ROUND_TRIPS; i++) {
                    roundTrip(one, "one", i);
                    roundTrip(two, "two", i);
                }
                assertTrue(server.clients().stream().anyMatch(c -> c.remoteAddress().equals(stalled.getLocalSocketAddress())),
                        "a send on the connection's own thread waits for the peer: the flooder is not disconnected");
                assertFalse(server.exceptions().stream().anyMatch(f -> f instanceof Failure.SlowConsumer),
                        "sends on the connection's own thread are not queued, so they never overflow: "
                                + server.exceptions());
            }
        }
    }

    private static void countFlood(Connection connection, int length, AtomicReference<SocketAddress> flooder,
            AtomicLong fromFlooder, CountDownLatch floodArrived) {
        if (connection.remoteAddress().equals(flooder.get()) && fromFlooder.addAndGet(length) >= 128 * 1024) {
            floodArrived.countDown();
        }
    }

    // ---- helpers ----

    /** A peer that connects with a small, fixed receive buffer and then never reads. */
    private static Socket stalledPeer(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(STALLED_RECEIVE_BUFFER);
        socket.connect(address, (int) Peers.WAIT.toMillis());
        socket.setSoTimeout((int) Peers.WAIT.toMillis());
        return socket;
    }

    /** Sends a short message and reads its echo, which must come back within {@link #ROUND_TRIP}. */
    private static void roundTrip(Socket client, String name, int i) throws IOException {
        byte[] message = String.format("%s round trip %03d", name, i).getBytes(StandardCharsets.UTF_8);
        // Read with a longer timeout than the limit, so a late answer is reported as late, not lost.
        client.setSoTimeout((int) ROUND_TRIP.multipliedBy(3).toMillis());
        long started = System.nanoTime();
        client.getOutputStream().write(message);
        byte[] answer;
        try {
            answer = client.getInputStream().readNBytes(message.length);
        } catch (SocketTimeoutException e) {
            throw new AssertionError(name + ": round trip #" + i + " got no answer within "
                    + ROUND_TRIP.multipliedBy(3) + ": the server is held up by the peer that does not read", e);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertArrayEquals(message, answer, name + ": round trip #" + i + " echoed");
        assertTrue(took.compareTo(ROUND_TRIP) <= 0, name + ": round trip #" + i + " took " + took);
    }

    /** Takes events until {@code count} connections are reported, for a server nobody else polls. */
    private static void awaitConnected(TcpServer server, int count) throws InterruptedException {
        for (int seen = 0; seen < count; ) {
            ServerEvent event = server.awaitEvent(Peers.WAIT).orElseThrow(
                    () -> new AssertionError("not every peer was reported connected within " + Peers.WAIT));
            if (event instanceof ServerEvent.Connected) {
                seen++;
            }
        }
    }

    /** Takes events until the connection from {@code address} is reported disconnected, for at most 10 s. */
    private static DisconnectReason awaitDisconnectEvent(TcpServer server, InetSocketAddress address)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadline < 0) {
            Optional<ServerEvent> event = server.awaitEvent(Duration.ofMillis(200));
            if (event.isPresent() && event.get() instanceof ServerEvent.Disconnected d
                    && d.connection().remoteAddress().equals(address)) {
                return d.reason();
            }
        }
        throw new AssertionError("the connection from " + address + " was not reported disconnected within 10 s");
    }

    private static void awaitSlowConsumerRecorded(TcpServer server, InetSocketAddress address) {
        Peers.awaitCondition(() -> server.exceptions().stream()
                        .anyMatch(f -> f instanceof Failure.SlowConsumer slow && slow.address().equals(address)
                                && slow.limit() == DEFAULT_PENDING),
                Peers.WAIT, () -> "no Failure.SlowConsumer for " + address + " with limit " + DEFAULT_PENDING
                        + " was recorded: " + server.exceptions());
    }

    /**
     * The tutorial's polling loop on its own thread, exactly as {@code EchoServer.echoOnce}: each
     * received piece is sent back, and a send that fails is skipped. Closing it closes the server
     * first (which frees a send stuck on the old engine), then joins the thread.
     */
    private static Poller startServerAndPoller(TcpServer server) throws IOException {
        server.start();
        return new Poller(server);
    }

    private static final class Poller implements AutoCloseable {
        private final TcpServer server;
        private final Thread thread;
        private final AtomicReference<Throwable> problem = new AtomicReference<>();
        private volatile boolean running = true;

        Poller(TcpServer server) {
            this.server = server;
            this.thread = Thread.ofPlatform().daemon().name("polling-echo").start(this::run);
        }

        private void run() {
            try {
                while (running) {
                    for (ServerEvent.Received r : server.awaitReceived(Duration.ofMillis(100))) {
                        try {
                            server.send(r.connection(), r.data());
                        } catch (IOException e) {
                            // The client left before its echo: go on with the others.
                        }
                    }
                }
            } catch (Throwable t) {
                if (running) {
                    problem.set(t);
                }
            }
        }

        void assertHealthy() {
            assertNull(problem.get(), () -> "the polling loop died: " + problem.get());
            assertTrue(thread.isAlive(), "the polling loop still runs");
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            server.close();
            assertTrue(thread.join(Peers.WAIT), "the polling thread ended once the server closed");
        }
    }

    /** Pushes {@link #FLOOD} bytes into a socket from its own thread, and never reads. */
    private static final class Flood implements AutoCloseable {
        private final Socket socket;
        private final Thread thread;
        private final CountDownLatch underway = new CountDownLatch(1);
        private final AtomicLong written = new AtomicLong();

        private Flood(Socket socket, int underwayAt) {
            this.socket = socket;
            this.thread = Thread.ofPlatform().daemon().name("flood").start(() -> push(underwayAt));
        }

        static Flood start(Socket socket, int underwayAt) {
            return new Flood(socket, underwayAt);
        }

        private void push(int underwayAt) {
            byte[] chunk = Peers.pattern(7, 64 * 1024);
            try {
                OutputStream out = socket.getOutputStream();
                while (written.get() < FLOOD) {
                    out.write(chunk);
                    if (written.addAndGet(chunk.length) >= underwayAt) {
                        underway.countDown();
                    }
                }
            } catch (IOException e) {
                // Expected: the server disconnects a slow consumer, or the test closes the socket.
            } finally {
                underway.countDown();
            }
        }

        /** Waits until the flood has pushed enough to be felt (or was cut off already). */
        void awaitUnderway() throws InterruptedException {
            assertTrue(underway.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS),
                    "the flood did not get going: " + written.get() + " bytes written");
        }

        @Override
        public void close() throws IOException, InterruptedException {
            socket.close();
            assertTrue(thread.join(Peers.WAIT), "the flooding thread ended once its socket closed");
        }
    }

    /**
     * Reads broadcast blocks from a peer until all have come, checking every byte: byte {@code j} of
     * block {@code i} is {@code (i + j) % 251}. Releases one permit per complete block.
     */
    private static final class BroadcastReader {
        private final Socket socket;
        private final long expected;
        private final Semaphore blocks;
        private final Thread thread;
        private volatile long total;
        private volatile String problem;

        private BroadcastReader(Socket socket, long expected, Semaphore blocks) {
            this.socket = socket;
            this.expected = expected;
            this.blocks = blocks;
            this.thread = Thread.ofPlatform().daemon().name("broadcast-reader").start(this::read);
        }

        static BroadcastReader start(Socket socket, long expected, Semaphore blocks) {
            return new BroadcastReader(socket, expected, blocks);
        }

        private void read() {
            byte[] buffer = new byte[64 * 1024];
            long at = 0;
            try {
                socket.setSoTimeout((int) Peers.WAIT.multipliedBy(2).toMillis());
                InputStream in = socket.getInputStream();
                while (at < expected) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, expected - at));
                    if (n < 0) {
                        problem = "the stream ended after " + at + " of " + expected + " bytes";
                        return;
                    }
                    for (int k = 0; k < n && problem == null; k++) {
                        long offset = at + k;
                        byte wanted = (byte) ((offset / BLOCK + offset % BLOCK) % 251);
                        if (buffer[k] != wanted) {
                            problem = "byte " + offset + " differs: " + buffer[k] + " instead of " + wanted;
                        }
                    }
                    long before = at / BLOCK;
                    at += n;
                    total = at;
                    blocks.release((int) (at / BLOCK - before));
                }
            } catch (IOException e) {
                problem = "reading failed after " + at + " bytes: " + e;
            }
        }

        void join() throws InterruptedException {
            assertTrue(thread.join(Peers.WAIT), "a reader did not finish");
        }

        long total() {
            return total;
        }

        String problem() {
            return problem;
        }
    }
}
