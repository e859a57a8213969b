package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static simplesockets.impl.Peers.loopback;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.ServerState;
import simplesockets.api.TcpServer;

/**
 * A graceful close answers what had already arrived: bytes the peer sent before {@code close(grace)}
 * began, which the kernel holds (and has acknowledged) but the connection had not read yet, are read
 * and delivered during the drain, not dropped. Over real sockets, where shutting the input down makes
 * the JDK's socket return end of stream at once, whatever is still buffered.
 *
 * <p>Found by the HAProxy rolling-restart test: a request read in part when the drain began was
 * answered in part.
 */
@Timeout(60)
class DrainKeepsArrivedBytesTest {

    @ParameterizedTest(name = "behind a PROXY header: {0}")
    @ValueSource(booleans = {false, true})
    void aPollingServerDrainsTheBytesTheKernelHeldWhenTheDrainBegan(boolean proxied) throws Exception {
        int limit = 1024; // the reader stops after this much undrained data, leaving the rest in the kernel
        byte[] sent = Peers.pattern(3, 32 * 1024);
        ServerOptions.Builder options = loopback().maxQueuedBytesPerConnection(limit);
        if (proxied) { // the connection's transport is then the PROXY protocol's, over the socket's
            options.proxyProtocol(simplesockets.api.ProxyProtocol.trusting("127.0.0.0/8"));
        }
        TcpServer server = TcpServer.create(options.build());
        server.start();
        try (server; Socket client = Peers.connect(server.localAddress().orElseThrow())) {
            if (proxied) {
                client.getOutputStream().write(Peers.bytes("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\n"));
            }
            client.getOutputStream().write(sent);
            // The reader has read up to its bound and waits for a drain: the rest is in the kernel.
            Peers.awaitCondition(server::hasNewData, Peers.WAIT, () -> "nothing received");
            assertEquals(ServerEvent.Connected.class, server.awaitEvent(Peers.WAIT).orElseThrow().getClass());

            CompletableFuture<Integer> closing = CompletableFuture.supplyAsync(() -> server.close(Duration.ofSeconds(10)));
            byte[] received = Peers.pollBytes(server, sent.length,
                    r -> server.send(r.connection(), r.data())); // answered during the drain
            assertEquals(sent.length, received.length, "every byte that had arrived before the drain was delivered");
            assertArrayEquals(sent, received);
            assertArrayEquals(sent, Peers.readExactly(client, sent.length), "and answered");
            assertEquals(0, closing.get().intValue(), "nothing was cut off");
        }
    }

    /**
     * A connection still waiting for its PROXY header when the drain begins is not yet a link; once its
     * header comes, it drains at once: what arrived with the header is answered, and the connection
     * ends, long before the grace. (Before, such a link was served as if no drain had begun, and cut off
     * at the grace: callbacks behind a header failed the test below about one round in twelve.)
     */
    @ParameterizedTest(name = "polling: {0}")
    @ValueSource(booleans = {false, true})
    void aConnectionStillInItsHeaderWhenTheDrainBeginsDrainsOnceItIsALink(boolean polling) throws Exception {
        ServerOptions.Builder options = loopback().proxyProtocol(simplesockets.api.ProxyProtocol.trusting("127.0.0.0/8"));
        if (!polling) {
            options.onReceive((c, d) -> c.send(d));
        }
        TcpServer server = TcpServer.create(options.build());
        server.start();
        Thread loop = polling ? Thread.ofVirtual().start(() -> Peers.echoUntilClosed(server)) : null;
        try (server; Socket client = Peers.connect(server.localAddress().orElseThrow())) {
            Peers.awaitCondition(() -> server.stats().connectionsAccepted() == 1, Peers.WAIT, () -> "not accepted");
            CompletableFuture<Integer> closing = CompletableFuture.supplyAsync(() -> server.close(Duration.ofSeconds(30)));
            Peers.awaitCondition(() -> server.state() != ServerState.ACCEPTING, Peers.WAIT, () -> "the drain did not begin");
            byte[] request = Peers.pattern(9, 700);
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            both.writeBytes(Peers.bytes("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\n"));
            both.writeBytes(request);
            client.getOutputStream().write(both.toByteArray());
            client.setSoTimeout(10_000); // well under the grace: the drain, not the grace, ends it
            assertArrayEquals(request, Peers.readExactly(client, request.length), "answered");
            assertEquals(-1, client.getInputStream().read(), "then ended by the drain");
            assertEquals(0, closing.get().intValue(), "nothing was cut off");
        } finally {
            if (loop != null) {
                loop.join(Duration.ofSeconds(5));
            }
        }
    }

    /**
     * Clients in a request/response loop while the server drains: requests of 600 to 3,000 bytes are
     * read in several pieces (reads start at 256 bytes), so a drain often begins between the pieces of
     * one. Each request the server began to read is answered whole; the others see the end of the
     * stream before any byte of an answer. Never half an answer.
     */
    @ParameterizedTest(name = "polling: {0}, behind a PROXY header: {1}")
    @CsvSource({"true, false", "false, false", "true, true", "false, true"})
    void requestsUnderWayWhenTheDrainBeginsAreAnsweredWholeOrNotAtAll(boolean polling, boolean proxied) throws Exception {
        for (int round = 0; round < 4; round++) {
            ServerOptions.Builder options = loopback();
            if (!polling) {
                options.onReceive((c, d) -> c.send(d));
            }
            if (proxied) {
                options.proxyProtocol(simplesockets.api.ProxyProtocol.trusting("127.0.0.0/8"));
            }
            TcpServer server = TcpServer.create(options.build());
            server.start();
            Thread loop = polling ? Thread.ofVirtual().start(() -> Peers.echoUntilClosed(server)) : null;
            int clients = 16;
            CountDownLatch warmedUp = new CountDownLatch(clients * 20);
            AtomicInteger halves = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int seed = round * 100 + i;
                threads.add(Thread.ofVirtual().start(() -> requestLoop(server, seed, proxied, warmedUp, halves)));
            }
            assertEquals(true, warmedUp.await(20, TimeUnit.SECONDS), "traffic began");
            int cutOff = server.close(Duration.ofSeconds(10));
            for (Thread thread : threads) {
                assertEquals(true, thread.join(Duration.ofSeconds(20)), "a client ended");
            }
            if (loop != null) {
                loop.join(Duration.ofSeconds(5));
            }
            assertEquals(0, halves.get(), "answers cut short in round " + round);
            assertEquals(0, cutOff, "connections cut off in round " + round);
        }
    }

    /** Requests and their echoes until the server ends the connection; counts answers cut short. */
    private static void requestLoop(TcpServer server, int seed, boolean proxied, CountDownLatch warmedUp,
            AtomicInteger halves) {
        SplittableRandom random = new SplittableRandom(seed);
        try (Socket socket = Peers.connect(server.localAddress().orElseThrow())) {
            socket.setTcpNoDelay(true);
            if (proxied) {
                socket.getOutputStream().write(Peers.bytes("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\n"));
            }
            socket.setSoTimeout(15_000);
            InputStream in = socket.getInputStream();
            while (true) {
                byte[] request = Peers.pattern(random.nextInt(251), 600 + random.nextInt(2_400));
                try {
                    socket.getOutputStream().write(request);
                } catch (IOException closed) {
                    return;
                }
                byte[] answer = new byte[request.length];
                int got = 0;
                try {
                    for (int n = 0; got < answer.length && n >= 0; got += Math.max(n, 0)) {
                        n = in.read(answer, got, answer.length - got);
                    }
                } catch (IOException reset) {
                    // the end, as a reset: what came before counts
                }
                if (got < request.length) {
                    if (got > 0) {
                        halves.incrementAndGet();
                    }
                    return;
                }
                assertArrayEquals(request, answer);
                warmedUp.countDown();
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
