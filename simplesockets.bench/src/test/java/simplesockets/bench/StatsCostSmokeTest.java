package simplesockets.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stats-cost harness in one short round (the real run is {@code bench/stats-cost}): each variant
 * echoes, and the {@code +jfr} server's recording holds the simplesockets events of its connections.
 */
@Timeout(120)
class StatsCostSmokeTest {

    @TempDir
    Path dir;

    @Test
    void eachVariantEchoesAndTheRecordingHoldsOurEvents() throws Exception {
        StatsCost.main(new String[] {dir.toString(), "rounds=1", "connections=10", "warmup=0", "measure=1",
            "variants=ss-raw,ss-raw+stats,ss-raw+jfr"});
        List<String> rows = Files.readAllLines(dir.resolve("stats-cost.csv"));
        for (String variant : List.of("ss-raw", "ss-raw+stats", "ss-raw+jfr")) {
            assertTrue(rows.stream().anyMatch(r -> r.startsWith(variant + ",0,msgs_per_s,")), variant + " ran: " + rows);
        }
        String table = Files.readString(dir.resolve("stats-cost.txt"));
        assertTrue(table.contains("ss-raw+stats"), table);
        List<RecordedEvent> events = RecordingFile.readAllEvents(dir.resolve("ss-raw-jfr-0.jfr"));
        long opened = events.stream().filter(e -> e.getEventType().getName().equals("simplesockets.ConnectionOpened")).count();
        assertEquals(10, opened, "one ConnectionOpened per connection of the load generator");
        assertTrue(events.stream().allMatch(e -> e.getEventType().getName().startsWith("simplesockets.")),
                "settings=none records only ours");
    }
}
