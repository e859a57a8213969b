package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a polling application took and has not answered yet still holds the connection's reader back,
 * until the application comes back for more.
 *
 * <p>The tutorial's loop takes a batch, then sends the replies one by one. If the taken bytes stopped
 * counting at once, the reader could read a second batch while the first is being answered; the replies
 * to both then passed the bound on pending sends, and a peer that read everything was cut off as a slow
 * consumer. Bulk echo through the tutorial's server was cut off that way in 5 of 9 rounds that followed
 * a run at 1,000 connections ({@code Bench pick echo=ss-poll levels=1000 bulk=ss-poll}), and in none of
 * 6 with this rule.
 */
@Timeout(30)
class PollerHoldsCreditTest {

    private static final int LIMIT = 1000;

    private final EventState<String> events = new EventState<>(100, 1 << 20);
    private final Credit credit = events.newCredit(new Meter(null, null));

    private void queue(String name, int bytes) {
        events.publishData(credit, LIMIT, new byte[bytes], () -> null, b -> name);
    }

    @Test
    void takenPiecesHoldTheReaderBackUntilTheApplicationComesBackForMore() throws Exception {
        queue("a", 600);
        queue("b", 600);
        AtomicReference<Thread> reader = new AtomicReference<>();
        CompletableFuture<Boolean> permit = Peers.startOn(Thread.ofVirtual(), "reader", () -> {
            reader.set(Thread.currentThread());
            return events.awaitReadPermit(credit, LIMIT);
        });
        awaitWaiting(reader);

        assertEquals(List.of("a", "b"), events.drainData(), "taken in order");
        assertEquals(0, credit.queuedData(), "no received bytes wait for polling any more (stats)");
        assertTrue(credit.queued() >= LIMIT, "but the taken bytes still count against the reader");
        awaitWaiting(reader); // it may have been woken; it waits again
        assertFalse(permit.isDone(), "the reader still waits while the application holds the batch");

        // The application is back for more (here: nothing there yet): the batch is done with.
        assertEquals(List.of(), events.takeData(Duration.ZERO, EventState.IGNORE_ENDINGS, 10));
        assertTrue(permit.get(5, TimeUnit.SECONDS), "the reader may read again");
        assertEquals(0, credit.queued());
    }

    @Test
    void everyWayOfTakingSettlesWhatWasTakenBefore() throws Exception {
        queue("a", 1200);
        assertEquals("a", events.poll().orElseThrow());
        assertTrue(credit.queued() >= LIMIT, "held after a single poll");
        assertTrue(events.awaitEvent(Duration.ZERO).isEmpty());
        assertEquals(0, credit.queued(), "settled by the next wait for an event");

        queue("b", 1200);
        assertEquals(List.of("b"), events.takeData(Duration.ofSeconds(1), EventState.IGNORE_ENDINGS, 10));
        assertTrue(credit.queued() >= LIMIT, "held after a batch");
        assertFalse(events.awaitAnyData(Duration.ZERO, EventState.IGNORE_ENDINGS));
        assertEquals(0, credit.queued(), "settled by the next wait for data");

        queue("c", 1200);
        assertEquals(List.of("c"), events.drainData());
        assertFalse(events.hasData());
        assertEquals(0, credit.queued(), "settled by asking the new-data flag, which the seed's loop asks before it takes more");

        queue("d", 1200);
        assertEquals(List.of("d"), events.drainData());
        events.close();
        assertEquals(0, credit.queued(), "settled when the state closes");
    }

    @Test
    void aHalfClosedConnectionWaitsForItsDataToBeTakenNotForTheNextPoll() throws Exception {
        queue("a", 600);
        AtomicReference<Thread> reader = new AtomicReference<>();
        CompletableFuture<Boolean> drained = Peers.startOn(Thread.ofVirtual(), "reader", () -> {
            reader.set(Thread.currentThread());
            credit.awaitDrainedThenGrace(Duration.ZERO, new SystemClock(new Scope("test-")));
            return true;
        });
        awaitWaiting(reader);
        assertEquals(List.of("a"), events.drainData());
        assertTrue(drained.get(5, TimeUnit.SECONDS), "taken is enough: the grace that follows is for the answer");
    }

    private static void awaitWaiting(AtomicReference<Thread> thread) {
        Peers.awaitCondition(() -> thread.get() != null && thread.get().getState() == Thread.State.WAITING,
                Peers.WAIT, () -> "the reader did not wait");
    }
}
