package simplesockets.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load generator checks what comes back: against an echo server that garbles, closes or repeats
 * itself, its result line says so ({@code bad_echoes}, {@code closed}, {@code connect_errors},
 * {@code errors}) instead of a clean figure, and against a correct one it finds nothing wrong.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadGenVerifiesEchoesTest {

    private static final int CONNECTIONS = 4;
    /** The flipping server flips a byte of every this many replies, over all its connections. */
    private static final int FLIP_EVERY = 7;
    /** The closing server closes each connection after this many replies (the first is the greeting). */
    private static final int CLOSE_AFTER = 50;
    /** Bulk runs stream this much (and a quarter more as warm-up): a multiple of the servers' 64-byte blocks. */
    private static final long BULK = 1 << 20;

    @Test
    void aCorrectEchoServerShowsNothingWrong() throws Exception {
        try (EchoServer server = new EchoServer(Fault.NONE, 0)) {
            Map<String, Double> r = Bench.values(NioEcho.run(server.address(), CONNECTIONS, 0, 1));
            assertClean(r);
            assertEquals(0, r.get("connect_errors"), r::toString);
            assertTrue(r.get("messages") > 0, r::toString);
        }
    }

    @Test
    void aServerThatFlipsAByteOfSomeRepliesHasBadEchoes() throws Exception {
        try (EchoServer server = new EchoServer(Fault.FLIP, FLIP_EVERY)) {
            Map<String, Double> r = Bench.values(NioEcho.run(server.address(), CONNECTIONS, 0, 1));
            assertTrue(r.get("bad_echoes") > 0, r::toString);
            assertEquals(0, r.get("closed"), r::toString);
            assertEquals(0, r.get("gen_errors"), r::toString);
            assertEquals(0, r.get("connect_errors"), r::toString); // the 4 greetings are its first replies
        }
    }

    @Test
    void aServerThatClosesConnectionsHasThemCountedAndTheOthersGoOn() throws Exception {
        try (EchoServer server = new EchoServer(Fault.CLOSE, CLOSE_AFTER)) {
            Map<String, Double> r = Bench.values(NioEcho.run(server.address(), CONNECTIONS, 0, 1));
            assertEquals(CONNECTIONS, r.get("closed"), r::toString);
            assertEquals(0, r.get("gen_errors"), r::toString);
            assertEquals(0, r.get("bad_echoes"), r::toString);
        }
    }

    /**
     * A server that drops a request stalls that connection's closed loop for good: nothing else would
     * tell it from a slow connection, so a request left unanswered through the whole window is counted.
     */
    @Test
    void aServerThatDropsARequestHasItsConnectionsCountedAsStalled() throws Exception {
        try (EchoServer server = new EchoServer(Fault.DROP, 3)) {
            Map<String, Double> r = Bench.values(NioEcho.run(server.address(), CONNECTIONS, 1, 1));
            assertEquals(CONNECTIONS, r.get("stalled"), r::toString);
            assertEquals(0, r.get("messages"), r::toString);
            assertEquals(0, r.get("closed"), r::toString);
            assertEquals(0, r.get("bad_echoes"), r::toString);
        }
        try (EchoServer server = new EchoServer(Fault.NONE, 0)) {
            Map<String, Double> r = Bench.values(NioEcho.run(server.address(), CONNECTIONS, 0, 1));
            assertEquals(0, r.get("stalled"), r::toString);
        }
    }

    @Test
    void aServerThatRepeatsItsFirstReplyHasOnlyBadEchoes() throws Exception {
        try (EchoServer server = new EchoServer(Fault.STALE, 0)) {
            Map<String, Double> r = Bench.values(NioEcho.run(server.address(), CONNECTIONS, 0, 1));
            assertTrue(r.get("bad_echoes") > 0, r::toString);
            assertEquals(0, r.get("messages"), r::toString);
            assertEquals(0, r.get("connect_errors"), r::toString); // its first reply, the greeting, is right
        }
    }

    @Test
    void aConnectionWhoseGreetingComesBackWrongIsAConnectError() throws Exception {
        try (EchoServer server = new EchoServer(Fault.FLIP, 1)) {
            Map<String, Double> r = Bench.values(NioEcho.run(server.address(), CONNECTIONS, 0, 1));
            assertEquals(CONNECTIONS, r.get("connect_errors"), r::toString);
            assertEquals(0, r.get("messages"), r::toString);
        }
    }

    @Test
    void theBlockingGeneratorChecksToo() throws Exception {
        try (EchoServer server = new EchoServer(Fault.NONE, 0)) {
            Map<String, Double> r = Bench.values(BlockingEcho.run(server.address(), CONNECTIONS, 0, 1, null));
            assertClean(r);
            assertTrue(r.get("messages") > 0, r::toString);
        }
        try (EchoServer server = new EchoServer(Fault.FLIP, FLIP_EVERY)) {
            Map<String, Double> r = Bench.values(BlockingEcho.run(server.address(), CONNECTIONS, 0, 1, null));
            assertTrue(r.get("bad_echoes") > 0, r::toString);
            assertEquals(0, r.get("closed"), r::toString);
            assertEquals(0, r.get("gen_errors"), r::toString);
        }
        try (EchoServer server = new EchoServer(Fault.CLOSE, CLOSE_AFTER)) {
            Map<String, Double> r = Bench.values(BlockingEcho.run(server.address(), CONNECTIONS, 0, 1, null));
            assertEquals(CONNECTIONS, r.get("closed"), r::toString);
            assertEquals(0, r.get("gen_errors"), r::toString);
            assertEquals(0, r.get("bad_echoes"), r::toString);
        }
    }

    @Test
    void bulkEchoComparesTheStreamAtItsOffsets() throws Exception {
        try (EchoServer server = new EchoServer(Fault.NONE, 0)) {
            Map<String, Double> r = Bench.values(Bulk.run(server.address(), BULK, true));
            assertClean(r);
            assertEquals(BULK, r.get("echoed"), r::toString);
            assertEquals(BULK, r.get("bytes"), r::toString);
        }
        try (EchoServer server = new EchoServer(Fault.FLIP, FLIP_EVERY)) {
            Map<String, Double> r = Bench.values(Bulk.run(server.address(), BULK, true));
            assertTrue(r.get("bad_echoes") > 0, r::toString);
            assertEquals(0, r.get("closed"), r::toString);
            assertEquals(0, r.get("gen_errors"), r::toString);
        }
        try (EchoServer server = new EchoServer(Fault.CLOSE, CLOSE_AFTER)) {
            Map<String, Double> r = Bench.values(Bulk.run(server.address(), BULK, true));
            assertEquals(1, r.get("closed"), r::toString);
            assertTrue(r.get("echoed") < BULK, r::toString);
        }
    }

    @Test
    void bulkGivesUpOnAServerThatNeverEchoesAndASinkEndsClean() throws Exception {
        try (EchoServer server = new EchoServer(Fault.SWALLOW, 0)) {
            Map<String, Double> r = Bench.values(Bulk.run(server.address(), BULK, true, Duration.ofSeconds(1)));
            assertEquals(1, r.get("gen_errors"), r::toString);
            assertEquals(0, r.get("echoed"), r::toString);
            assertEquals(0, r.get("mb_per_s"), r::toString);
        }
        try (EchoServer server = new EchoServer(Fault.SWALLOW, 0)) { // a sink: reads all, closes at the end
            Map<String, Double> r = Bench.values(Bulk.run(server.address(), BULK, false));
            assertEquals(0, r.get("closed"), r::toString);
            assertEquals(0, r.get("gen_errors"), r::toString);
            assertTrue(r.get("mb_per_s") > 0, r::toString);
        }
    }

    @Test
    void connectionRateCountsOnlyCorrectEchoes() throws Exception {
        try (EchoServer server = new EchoServer(Fault.NONE, 0)) {
            Map<String, Double> r = Bench.values(Connections.rate(server.address(), 1, CONNECTIONS));
            assertTrue(r.get("connections") > 0, r::toString);
            assertEquals(0, r.get("bad_echoes"), r::toString);
            assertEquals(0, r.get("errors"), r::toString);
            assertEquals(0, r.get("gen_errors"), r::toString);
        }
        try (EchoServer server = new EchoServer(Fault.FLIP, FLIP_EVERY)) {
            Map<String, Double> r = Bench.values(Connections.rate(server.address(), 1, CONNECTIONS));
            assertTrue(r.get("bad_echoes") > 0, r::toString);
            assertEquals(0, r.get("gen_errors"), r::toString);
        }
    }

    private static void assertClean(Map<String, Double> r) {
        assertEquals(0, r.get("bad_echoes"), r::toString);
        assertEquals(0, r.get("closed"), r::toString);
        assertEquals(0, r.get("gen_errors"), r::toString);
    }

    enum Fault {
        /** Echoes every byte. */
        NONE,
        /** Flips a byte of every {@code n}th 64-byte block it echoes, counted over all its connections. */
        FLIP,
        /** Closes each connection after echoing {@code n} blocks on it. */
        CLOSE,
        /** Answers every block with the first one its connection sent. */
        STALE,
        /** Reads everything and answers nothing. */
        SWALLOW,
        /** Answers each connection's first {@code n - 1} blocks, and none after them. */
        DROP
    }

    /**
     * A plain echo server on 127.0.0.1 with a virtual thread per connection, which reads 64-byte blocks
     * (the generator's messages; the bulk streams are whole multiples of them) and answers each as its
     * fault says.
     */
    private static final class EchoServer implements AutoCloseable {
        private final ServerSocket listener;
        private final Fault fault;
        private final int n;
        private final AtomicLong blocks = new AtomicLong();
        private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

        EchoServer(Fault fault, int n) throws IOException {
            this.fault = fault;
            this.n = n;
            listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(this::accept);
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        }

        private void accept() {
            try {
                while (!listener.isClosed()) { // ends when the listener closes
                    Socket socket = listener.accept();
                    sockets.add(socket);
                    Thread.ofVirtual().start(() -> serve(socket));
                }
            } catch (IOException e) {
                // closed
            }
        }

        private void serve(Socket socket) {
            byte[] block = new byte[LoadGen.SIZE];
            byte[] first = null;
            try (socket; InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
                    OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16)) {
                socket.setSoTimeout(30_000);
                // Ends at the client's end of stream (or an error, a time-out, or the server's close).
                for (long mine = 1; ; mine++) {
                    int got = in.readNBytes(block, 0, block.length);
                    if (got == 0) {
                        return;
                    }
                    long all = blocks.incrementAndGet();
                    switch (fault) {
                        case NONE -> { }
                        case FLIP -> {
                            if (all % n == 0) {
                                block[20] ^= 1;
                            }
                        }
                        case CLOSE -> {
                            if (mine > n) {
                                out.flush();
                                return;
                            }
                        }
                        case STALE -> {
                            if (first == null) {
                                first = block.clone();
                            }
                            System.arraycopy(first, 0, block, 0, block.length);
                        }
                        case SWALLOW -> {
                            continue;
                        }
                        case DROP -> {
                            if (mine >= n) {
                                out.flush();
                                continue;
                            }
                        }
                    }
                    out.write(block, 0, got);
                    if (in.available() == 0) {
                        out.flush();
                    }
                    if (got < block.length) {
                        out.flush();
                        return;
                    }
                }
            } catch (IOException e) {
                // the client went, or the server closed
            } finally {
                sockets.remove(socket);
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }
}
