package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client's poll waits only while it is connected, and returns when the connection ends. The poller
 * counts the ended connections before it looks whether it is connected, and waits from that count: a
 * connection that ends between the look and the wait ends the wait at once. Before, the wait counted
 * from its own start, missed such an end, and waited out its whole timeout for a connection that was gone.
 */
@Timeout(30)
class PollerSeesEndingsTest {

    private final EventState<String> events = new EventState<>(100, 1 << 20);

    @Test
    void anEndBetweenTheLookAndTheWaitEndsTheWait() throws Exception {
        long since = events.endings();
        events.ended(); // the connection ends after the poller counted, before it waits
        long started = System.nanoTime();
        assertEquals(List.of(), events.takeData(Duration.ofSeconds(20), since, 10));
        assertFalse(events.awaitAnyData(Duration.ofSeconds(20), since));
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(5)) < 0,
                "the waits returned at once, not at their timeout");
    }

    @Test
    void aServersWaitIsNotEndedByAConnectionsEnd() throws Exception {
        events.ended();
        long started = System.nanoTime();
        assertFalse(events.awaitAnyData(Duration.ofMillis(200), EventState.IGNORE_ENDINGS));
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofMillis(190)) >= 0,
                "it waited its timeout");
    }
}
