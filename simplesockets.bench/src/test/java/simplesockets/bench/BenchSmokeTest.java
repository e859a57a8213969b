package simplesockets.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark harness's smoke test: every server kind of the full run's echo but {@code netty-epoll} (the
 * same handler as {@code netty-nio}, where the platform has epoll) starts in its own process and echoes
 * right under a second of load (the generator checks every reply), the TLS, bulk, bulk echo and idle
 * modes work, and a generator that fails is counted, not lost. The real run is {@code bench/run}.
 */
@Timeout(180)
class BenchSmokeTest {

    @TempDir
    Path dir;

    @Test
    void everyServerAndModeWorks() throws Exception {
        Bench bench = new Bench(dir, false);
        for (String kind : List.of("ss-raw", "ss-framed", "ss-poll", "netty-nio", "threads", "vthreads")) {
            try (Bench.Server server = bench.new Server(kind)) {
                Map<String, Double> result = bench.load(server, "echo", "10", "0", "1");
                assertTrue(result.getOrDefault("msgs_per_s", 0.0) > 100, kind + ": " + result);
                assertTrue(result.getOrDefault("server_cpu_us_per_msg", 0.0) > 0, kind + ": " + result);
                assertEquals(0.0, result.get("connect_errors"), kind + ": " + result);
                assertEchoedRight(kind, result);
                assertEquals(0.0, result.get("stalled"), kind + ": " + result);
                if (kind.equals("ss-raw")) { // the idle scenario, its server read once it holds every connection
                    Map<String, Double> idle = bench.idle(server, 20, false);
                    // The server's descriptors grew by one a connection (or more, if it opened another meanwhile).
                    assertTrue(idle.get("accepted") >= 20, "idle: " + idle);
                    // At 20 connections after a load the heap's growth is noise, of either sign: read, not judged.
                    assertTrue(idle.keySet().containsAll(List.of("rss_kb_per_conn", "heap_kb_per_conn")), "idle: " + idle);
                }
            }
        }
        if (System.getProperty("os.name").startsWith("Linux")) {
            // -1 is "cannot read": on Linux the bench's listen_overflows column must be a real reading.
            assertTrue(Bench.listenOverflows() >= 0, "the kernel's listen-queue overflows can be read");
        }
        Path keys = TestKeys.make(dir.resolve("keys"));
        try (Bench.Server server = bench.new Server("ss-tls", keys.resolve("server.p12").toString())) {
            Map<String, Double> result = bench.load(server, "blocking", "4", "0", "1", keys.resolve("trust.p12").toString());
            assertTrue(result.getOrDefault("msgs_per_s", 0.0) > 100, "tls: " + result);
            assertEchoedRight("ss-tls", result);
        }
        try (Bench.Server server = bench.new Server("ss-raw")) {
            Map<String, Double> result = bench.load(server, "bulkecho", String.valueOf(8 << 20));
            assertTrue(result.getOrDefault("mb_per_s", 0.0) > 1, "bulk echo: " + result);
            assertEquals((double) (8 << 20), result.get("echoed"), "bulk echo: " + result);
            assertEchoedRight("bulk echo", result);
        }
        try (Bench.Server server = bench.new Server("ss-sink")) {
            Map<String, Double> result = bench.load(server, "bulk", String.valueOf(8 << 20));
            assertTrue(result.getOrDefault("mb_per_s", 0.0) > 1, "bulk: " + result);
        }
    }

    /**
     * A generator that fails (here its connects are refused: the server closed) counts one
     * {@code gen_errors} in a result the harness goes on with; it crashed the run before.
     */
    @Test
    void aGeneratorThatFailsIsCountedAndTheRunGoesOn() throws Exception {
        Bench bench = new Bench(dir, false);
        try (Bench.Server server = bench.new Server("ss-raw")) {
            server.command("close");
            Map<String, Double> result = bench.load(server, "blocking", "2", "0", "1");
            assertEquals(Map.of("gen_errors", 1.0), result);
        }
    }

    /** Every reply was what was sent, no connection was closed under the load, and the generator did not fail. */
    private static void assertEchoedRight(String what, Map<String, Double> result) {
        for (String count : List.of("bad_echoes", "closed", "gen_errors")) {
            assertEquals(0.0, result.get(count), what + ", " + count + ": " + result);
        }
    }

    /**
     * The listen-overflow reading tells "cannot read" (-1) from a count, and an unreadable reading
     * puts no {@code listen_overflows} figure into a result: before, any failure read as 0, which the
     * bench recorded as "no overflows", and a failure on one side of a delta could record a negative
     * count.
     */
    @Test
    void anUnreadableListenOverflowCountIsNeitherZeroNorANegativeDelta() throws Exception {
        Path netstat = dir.resolve("netstat");
        Files.writeString(netstat, """
                TcpExt: SyncookiesSent ListenOverflows ListenDrops
                TcpExt: 1 42 43
                IpExt: InNoRoutes
                IpExt: 0
                """);
        assertEquals(42, Bench.listenOverflows(netstat), "the TcpExt ListenOverflows column");
        Files.writeString(netstat, "TcpExt: SyncookiesSent ListenDrops\nTcpExt: 1 43\n");
        assertEquals(-1, Bench.listenOverflows(netstat), "no ListenOverflows counter");
        Files.writeString(netstat, "TcpExt: SyncookiesSent ListenOverflows\nTcpExt: 1 x\n");
        assertEquals(-1, Bench.listenOverflows(netstat), "not a number");
        assertEquals(-1, Bench.listenOverflows(dir.resolve("absent")), "no such file");

        Map<String, Double> result = new HashMap<>();
        Bench.putListenOverflows(result, 40, 42);
        assertEquals(Map.of("listen_overflows", 2.0), result, "two readings, their difference");
        for (long[] readings : new long[][] {{-1, 42}, {40, -1}, {-1, -1}, {42, 40}}) {
            Map<String, Double> none = new HashMap<>();
            Bench.putListenOverflows(none, readings[0], readings[1]);
            assertFalse(none.containsKey("listen_overflows"), readings[0] + " then " + readings[1] + ": " + none);
        }
    }
}
