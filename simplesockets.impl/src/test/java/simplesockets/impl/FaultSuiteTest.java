package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.bytes;
import static simplesockets.impl.Peers.connect;
import static simplesockets.impl.Peers.loopback;
import static simplesockets.impl.Peers.take;
import static simplesockets.impl.Peers.text;

import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.File;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Framing;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpServer;

/**
 * Faults over real sockets. After each one, the server still serves a fresh client correctly.
 * (Stalled readers, throwing callbacks, half-closes and accept failures have their own tests in
 * {@link ReliabilityTest}, {@link SeedDefectsTest} and {@link ServerTest}.)
 */
@Timeout(60)
class FaultSuiteTest {

    private final BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
    private final java.util.concurrent.CountDownLatch firstData = new java.util.concurrent.CountDownLatch(1);

    private TcpServer echo(ServerOptions.Builder options) throws Exception {
        TcpServer server = TcpServer.create(options.onReceive((c, d) -> {
                    firstData.countDown();
                    c.send(d);
                })
                .onDisconnect((c, r) -> reasons.add(r)).build());
        server.start();
        return server;
    }

    private static void servesAFreshClient(TcpServer server, Framing framing) throws Exception {
        try (Socket fresh = connect(server.localAddress().orElseThrow())) {
            byte[] message = bytes("fresh client");
            if (framing instanceof Framing.LengthPrefixed) {
                DataOutputStream out = new DataOutputStream(fresh.getOutputStream());
                out.writeInt(message.length);
                out.write(message);
                Peers.readExactly(fresh, 4);
            } else {
                fresh.getOutputStream().write(message);
            }
            assertEquals("fresh client", text(Peers.readExactly(fresh, message.length)));
        }
    }

    @Test
    void resetInTheMiddleOfAMessage() throws Exception {
        try (TcpServer server = echo(loopback().framing(Framing.lengthPrefixed(1024)))) {
            Socket peer = connect(server.localAddress().orElseThrow());
            DataOutputStream out = new DataOutputStream(peer.getOutputStream());
            out.writeInt(100);
            out.write(new byte[40]); // 40 of 100 bytes, then a reset
            out.flush();
            peer.setSoLinger(true, 0); // whether or not the server read the 40 bytes yet, it sees a reset

            peer.close();
            DisconnectReason reason = take(reasons);
            assertTrue(reason == DisconnectReason.RESET, "got " + reason);
            assertTrue(server.clients().isEmpty());
            servesAFreshClient(server, Framing.lengthPrefixed(1024));
        }
    }

    @Test
    void aPeerProcessKilledWithSigkillMidStream() throws Exception {
        try (TcpServer server = echo(loopback())) {
            String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
            Process streamer = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    Streamer.class.getName(), String.valueOf(server.localAddress().orElseThrow().getPort())).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(streamer.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("streaming", out.readLine());
                assertTrue(firstData.await(10, TimeUnit.SECONDS), "the server is receiving the stream");
                streamer.destroyForcibly(); // SIGKILL
                assertTrue(streamer.waitFor(10, TimeUnit.SECONDS));
                DisconnectReason reason = take(reasons);
                assertTrue(reason == DisconnectReason.PEER_CLOSED || reason == DisconnectReason.RESET, "got " + reason);
                assertTrue(server.clients().isEmpty());
                servesAFreshClient(server, Framing.RAW);
            } finally {
                streamer.destroyForcibly();
            }
        }
    }

    /**
     * A handler that ignores interrupts and closes does not hold up {@code close()} for good: the close
     * waits for its thread the close timeout (300 ms here), interrupts it, gives it 100 ms more, and then
     * names it in an error and returns, about 400 ms in all. The handler is let go only after the test,
     * so a close that waited for it would not return at all: any bound tells the two apart, and 2 s leaves
     * a loaded machine more than a second and a half of slack. (The 400 ms themselves are what the close
     * promises: a longer close timeout would only lengthen the test.)
     */
    @Test
    void aHandlerThatNeverReturnsStillLetsCloseFinishInBoundedTimeAndIsReported() throws Exception {
        AtomicBoolean release = new AtomicBoolean();
        BlockingQueue<Connection> started = new LinkedBlockingQueue<>();
        TcpServer server = TcpServer.create(loopback().closeTimeout(Duration.ofMillis(300)).handler(c -> {
            started.add(c);
            while (!release.get()) { // ignores interrupts and closes: a stuck handler
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ignored) {
                    // stuck on purpose
                }
            }
        }).build());
        server.start();
        try (Socket peer = connect(server.localAddress().orElseThrow())) {
            take(started);
            long begin = System.nanoTime();
            String logged = Peers.stderrOf(server::close); // never throws: the stuck thread is logged
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
            assertTrue(tookMillis < 2_000, "close took " + tookMillis + " ms");
            assertTrue(logged.contains("ERROR") && logged.contains("simplesockets-server-")
                    && logged.contains("did not end"), logged);
            assertTrue(Peers.closedByPeer(peer, Duration.ofMillis(250)), "its socket was closed anyway (before close() returned: its end is there already)");
        } finally {
            release.set(true);
        }
    }

    @Test
    void aFloodPastMaxConnectionsIsRefusedPromptlyAndTheLimitHolds() throws Exception {
        int max = 10;
        int flood = 300;
        try (TcpServer server = echo(loopback().maxConnections(max).backlog(flood))) {
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < flood; i++) {
                    sockets.add(connect(server.localAddress().orElseThrow()));
                }
                int refused = 0;
                for (Socket socket : sockets) {
                    if (Peers.closedByPeer(socket, Duration.ofMillis(socket == sockets.getFirst() ? 500 : 20))) {
                        refused++;
                    }
                }
                assertTrue(server.clients().size() <= max, server.clients().size() + " clients");
                assertEquals(flood - max, refused, "all but " + max + " were refused");
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
            // The served ones are gone now, so a fresh client gets a slot.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!server.clients().isEmpty() && System.nanoTime() < deadline) {
                take(reasons);
            }
            servesAFreshClient(server, Framing.RAW);
        }
    }

    @Test
    void aThrowingHandlerEndsOnlyItsConnection() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().handler(c -> {
            if (c.read().map(d -> d[0] == 'x').orElse(false)) {
                throw new IllegalStateException("bad request");
            }
            c.send(bytes("ok"));
        }).onDisconnect((c, r) -> reasons.add(r)).build())) {
            server.start();
            try (Socket bad = connect(server.localAddress().orElseThrow())) {
                bad.getOutputStream().write(bytes("x"));
                assertInstanceOf(DisconnectReason.Failed.class, take(reasons));
            }
            try (Socket good = connect(server.localAddress().orElseThrow())) {
                good.getOutputStream().write(bytes("y"));
                assertEquals("ok", text(Peers.readExactly(good, 2)));
            }
        }
    }
}
