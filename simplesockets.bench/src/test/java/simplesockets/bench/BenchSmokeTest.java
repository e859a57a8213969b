package simplesockets.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark harness's smoke test, the only part that {@code mvn verify} runs: every server kind
 * starts in its own process and echoes under a second of load, and the TLS and bulk modes work.
 * The real run is {@code bench/run}.
 */
@Timeout(180)
class BenchSmokeTest {

    @TempDir
    Path dir;

    @Test
    void everyServerAndModeWorks() throws Exception {
        Bench bench = new Bench(dir, false);
        for (String kind : List.of("ss-raw", "ss-framed", "ss-poll", "netty-nio", "threads")) {
            try (Bench.Server server = bench.new Server(kind)) {
                Map<String, Double> result = bench.load(server, "echo", "10", "0", "1");
                assertTrue(result.getOrDefault("msgs_per_s", 0.0) > 100, kind + ": " + result);
                assertTrue(result.getOrDefault("server_cpu_us_per_msg", 0.0) > 0, kind + ": " + result);
                assertTrue(result.get("connect_errors") == 0.0, kind + ": " + result);
            }
        }
        assertTrue(Bench.listenOverflows() >= 0, "the kernel's listen-queue overflows can be read");
        Path keys = TestKeys.make(dir.resolve("keys"));
        try (Bench.Server server = bench.new Server("ss-tls", keys.resolve("server.p12").toString())) {
            Map<String, Double> result = bench.load(server, "blocking", "4", "0", "1", keys.resolve("trust.p12").toString());
            assertTrue(result.getOrDefault("msgs_per_s", 0.0) > 100, "tls: " + result);
        }
        try (Bench.Server server = bench.new Server("ss-sink")) {
            Map<String, Double> result = bench.load(server, "bulk", String.valueOf(8 << 20));
            assertTrue(result.getOrDefault("mb_per_s", 0.0) > 1, "bulk: " + result);
        }
    }
}
