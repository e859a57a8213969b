package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.bytes;
import static simplesockets.impl.Peers.loopback;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import simplesockets.api.ClientOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;

/**
 * After {@code close()}, no thread the server or client started is alive. Virtual threads do not
 * show in {@link Thread#getAllStackTraces()}, so the check reads a full JSON thread dump, which
 * lists them.
 */
@Timeout(30)
class LeakTest {

    private static final Pattern NAME = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]*)\"");

    @TempDir
    Path dumps;

    private List<String> threadNames(String file) throws Exception {
        return threadNames(dumps.resolve(file));
    }

    /** The names of every live thread, virtual ones included, from a JSON thread dump written to {@code dump}. */
    static List<String> threadNames(Path dump) throws Exception {
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .dumpThreads(dump.toAbsolutePath().toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        Matcher m = NAME.matcher(Files.readString(dump));
        List<String> names = new java.util.ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static String prefix(String threadName) {
        // "simplesockets-server-7-conn-3" -> "simplesockets-server-7-"
        String[] parts = threadName.split("-");
        return parts[0] + "-" + parts[1] + "-" + parts[2] + "-";
    }

    /**
     * A connection that ended with data still waiting for polling is kept for the server's figures only
     * while that data waits: once the data was taken and another connection ended, nothing of the
     * server holds it, though nobody asked for stats. Before, only a {@code stats()} call let go of it,
     * so a polling server whose peers reset after sending kept every such connection for good.
     */
    @Test
    void anEndedConnectionWhoseDataWasTakenIsLetGoWithoutAStatsCall() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().build())) { // polling
            server.start();
            java.net.InetSocketAddress address = server.localAddress().orElseThrow();
            try (java.net.Socket peer = Peers.connect(address)) {
                peer.getOutputStream().write(bytes("left behind"));
                Peers.awaitCondition(() -> server.hasNewData(), Peers.WAIT, () -> "no data");
                peer.setSoLinger(true, 0); // a reset, its data still queued
            }
            Peers.awaitCondition(() -> server.clients().isEmpty() && countEnded(server) == 1, Peers.WAIT,
                    () -> "the reset was not reported");
            java.lang.ref.WeakReference<simplesockets.api.Connection> ended =
                    new java.lang.ref.WeakReference<>(server.drainReceived().getFirst().connection());
            while (server.pollEvent().isPresent()) {
                // every event taken: none holds the connection
            }
            try (java.net.Socket next = Peers.connect(address)) {
                Peers.awaitCondition(() -> !server.clients().isEmpty(), Peers.WAIT, () -> "not connected");
            }
            Peers.awaitCondition(() -> server.clients().isEmpty(), Peers.WAIT, () -> "the next one did not end");
            while (server.pollEvent().isPresent()) {
                // its events too
            }
            for (int i = 0; i < 20 && ended.get() != null; i++) {
                System.gc();
                Thread.sleep(50); // lets a collection finish; the loop is bounded
            }
            assertTrue(ended.get() == null, "the ended connection was let go");
        }
    }

    private static long countEnded(TcpServer server) {
        return server.stats().connectionsClosed();
    }

    /**
     * A plain connection's thread runs with nothing of the scope's beneath it, and leaves the scope itself:
     * once connections have ended, the server's scope tracks its accept thread alone (a thread that never
     * left would be kept for the server's life). Polling, with default options.
     */
    @Test
    void endedConnectionsThreadsLeaveTheScope() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().build())) {
            server.start();
            int peers = 20;
            for (int i = 0; i < peers; i++) {
                try (java.net.Socket peer = new java.net.Socket()) {
                    peer.connect(server.localAddress().orElseThrow(), 5_000);
                }
            }
            Scope scope = ((ServerEngine) server).scope();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int ended = 0;
            while (ended < peers && System.nanoTime() < deadline) {
                if (server.awaitEvent(Duration.ofMillis(100)).orElse(null) instanceof simplesockets.api.ServerEvent.Disconnected) {
                    ended++;
                }
            }
            assertEquals(peers, ended, "every connection ended");
            while (scope.tracked() > 1 && System.nanoTime() < deadline) {
                server.awaitEvent(Duration.ofMillis(10)); // each leaves just after its end is reported
            }
            assertEquals(1, scope.tracked(), "the accept thread alone");
        }
    }

    /**
     * After the server's and the clients' {@code close()}, none of their threads is alive, and the
     * server's close was prompt: a close whose threads do not end when asked waits out its close timeout
     * for them, set to 5 s here (500 ms by default) so that such a close fails the 2 s bound by seconds,
     * while a healthy one, well under a second, leaves a loaded machine seconds of slack.
     */
    @Test
    void closeLeavesNoThreadOfOursAlive() throws Exception {
        BlockingQueue<String> serverThreads = new LinkedBlockingQueue<>();
        BlockingQueue<String> clientThreads = new LinkedBlockingQueue<>();
        TcpServer server = TcpServer.create(loopback()
                .closeTimeout(Duration.ofSeconds(5)) // what a close whose threads do not end waits: far past the bound
                .onReceive((c, d) -> {
                    serverThreads.add(Thread.currentThread().getName());
                    c.send(d);
                })
                .build());
        server.start();
        TcpClient[] clients = new TcpClient[5];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = TcpClient.create(ClientOptions.builder().address(server.localAddress().orElseThrow()).autoReceive(true)
                    .onReceive(d -> clientThreads.add(Thread.currentThread().getName())).build());
            clients[i].connect();
            clients[i].send(bytes("hi"));
        }
        String serverPrefix = prefix(Peers.take(serverThreads));
        for (int i = 1; i < clients.length; i++) {
            Peers.take(serverThreads); // every connection is being served before the dump
        }
        String clientThread = Peers.take(clientThreads);
        assertTrue(serverPrefix.startsWith("simplesockets-server-"), serverPrefix);
        assertTrue(clientThread.startsWith("simplesockets-client-"), clientThread);

        List<String> before = threadNames("before.json");
        assertTrue(before.stream().anyMatch(n -> n.startsWith(serverPrefix + "accept")), "the dump sees our threads");
        assertEquals(5, before.stream().filter(n -> n.startsWith(serverPrefix + "conn")).count());
        assertTrue(before.contains(clientThread));

        long started = System.nanoTime();
        server.close();
        long tookMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        assertTrue(tookMillis < 2_000, "close took " + tookMillis + " ms");
        for (TcpClient client : clients) {
            client.close();
        }

        List<String> after = threadNames("after.json");
        assertFalse(after.stream().anyMatch(n -> n.startsWith(serverPrefix)), "server threads alive: " + after);
        assertFalse(after.contains(clientThread), "client thread alive: " + after);
    }

    /**
     * A connection's writer is its own, not the scope's: it must still be joined. Writers blocked in a
     * write to peers that never read, and a sender blocked on the full queue, are all gone after
     * {@code close()}, and the blocked sender is told its connection closed.
     */
    @Test
    void closeJoinsWritersBlockedOnPeersThatNeverRead() throws Exception {
        TcpServer server = TcpServer.create(loopback().sendOverflow(simplesockets.api.SendOverflow.WAIT).build());
        server.start();
        java.util.List<java.net.Socket> peers = new java.util.ArrayList<>();
        java.util.List<java.util.concurrent.CompletableFuture<Object>> senders = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                java.net.Socket peer = new java.net.Socket();
                peer.setReceiveBufferSize(4096);
                peer.connect(server.localAddress().orElseThrow());
                peers.add(peer);
                simplesockets.api.Connection c = ((simplesockets.api.ServerEvent.Connected) server.awaitEvent(Peers.WAIT)
                        .orElseThrow()).connection();
                byte[] chunk = new byte[64 * 1024];
                // Far more than the kernel holds for a peer that never reads: the sender ends up waiting
                // for room in the full queue, behind a writer blocked in its write.
                senders.add(Peers.startOn(Thread.ofVirtual(), "sender-" + i, () -> {
                    for (int n = 0; n < 1024; n++) {
                        c.send(chunk);
                    }
                    return "all sent";
                }));
                Peers.awaitCondition(() -> c.stats().pendingBytes() > 512 * 1024, Peers.WAIT,
                        () -> "the queue of " + c + " did not fill: " + c.stats());
            }
            // At least one per connection: a writer that let go of a queue it had emptied may still be on
            // its way out when the next send starts the next one (they take turns at the write lock), and
            // a dump can come in the instant between the two, so it is taken again until it shows them.
            java.util.concurrent.atomic.AtomicInteger dumps = new java.util.concurrent.atomic.AtomicInteger();
            List<String> before = new java.util.concurrent.CopyOnWriteArrayList<>();
            Peers.awaitCondition(() -> {
                try {
                    List<String> names = threadNames("writers-before-" + dumps.incrementAndGet() + ".json");
                    before.clear();
                    before.addAll(names);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return before.stream().filter(n -> n.matches("simplesockets-server-\\d+-writer")).count() >= 3;
            }, Peers.WAIT, () -> "fewer than 3 writers: " + before);
            String prefix = before.stream().filter(n -> n.startsWith("simplesockets-server-") && n.endsWith("-writer"))
                    .map(LeakTest::prefix).findFirst().orElseThrow(() -> new AssertionError("no writer in " + before));

            long started = System.nanoTime();
            server.close();
            long tookMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
            assertTrue(tookMillis < 2_000, "close took " + tookMillis + " ms");

            List<String> after = threadNames("writers-after.json");
            assertFalse(after.stream().anyMatch(n -> n.startsWith(prefix)), "server threads alive: " + after);
            for (var sender : senders) {
                var failed = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> sender.get(5, java.util.concurrent.TimeUnit.SECONDS));
                assertTrue(failed.getCause() instanceof java.io.IOException, failed.getCause().toString());
            }
        } finally {
            server.close();
            for (java.net.Socket peer : peers) {
                peer.close();
            }
        }
    }

    /**
     * Connections that ended with data still waiting for polling count what they keep against
     * {@code maxQueuedBytesTotal}, not only their bytes: their waiting pieces keep each whole connection.
     * Peers that connect, send a byte and reset, faster than the loop polls, held about 65 bytes of the
     * bound each and kept twenty times as much. Now a newer peer's reader waits once the ended ones fill
     * the bound, and goes on when the loop takes what waits.
     */
    @Test
    void endedConnectionsWithDataWaitingCountWhatTheyKeep() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().maxQueuedBytesTotal(16 * 1024).build())) {
            server.start();
            int sent = 0;
            boolean stalled = false;
            for (; sent < 40 && !stalled; sent++) { // 40 ended connections' bytes alone are 2.6 KB
                try (java.net.Socket peer = Peers.connect(server.localAddress().orElseThrow())) {
                    peer.getOutputStream().write(1);
                    int want = sent + 1;
                    Peers.awaitCondition(() -> server.stats().messagesIn() >= want || server.stats().readersStalled() > 0,
                            Peers.WAIT, () -> "neither read nor held back: " + server.stats());
                    stalled = server.stats().readersStalled() > 0;
                    peer.setSoLinger(true, 0); // a reset: its connection ends with its byte waiting
                }
                int ended = sent + 1;
                if (!stalled) { // its reader sees the reset (a held reader does not read), before the next peer
                    Peers.awaitCondition(() -> server.stats().connectionsClosed() >= ended, Peers.WAIT,
                            () -> "the reset was not seen: " + server.stats());
                }
            }
            assertTrue(stalled, "no reader held back by " + sent + " ended connections: " + server.stats());
            assertTrue(sent <= 9, "16 KiB holds about eight ended connections, held " + sent);
            for (int round = 0; round < 100 && server.stats().readersStalled() > 0; round++) { // bounded
                server.drainReceived();
                server.awaitReceived(Duration.ofMillis(100));
            }
            assertEquals(0, server.stats().readersStalled(), "the held reader goes on once the loop takes what waits");
        }
    }
}
