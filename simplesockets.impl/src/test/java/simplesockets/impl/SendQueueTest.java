package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.SendOverflow;
import simplesockets.impl.time.SteppedClock;

/**
 * The bound on a connection's queued sends counts what each send costs, not only its bytes: empty or
 * tiny sends to a peer that does not read used to queue without end under the bound (a million 1-byte
 * sends held about 30 MiB against a 1 MiB bound; empty ones cost nothing at all).
 */
@Timeout(30)
class SendQueueTest {

    /** What a connection does when its queue overflows or closes: here, says so. */
    private static final Outbound.Ends ENDS = new Outbound.Ends() {
        @Override
        public void writeFailed(IOException e) {
        }

        @Override
        public IOException overflowed(int limit) {
            return new SocketException("slow consumer: over " + limit);
        }

        @Override
        public IOException closed() {
            return new SocketException("closed");
        }
    };

    @Test
    void emptySendsCountAgainstTheBound() throws Exception {
        Budget budget = new Budget(Long.MAX_VALUE);
        SendQueue queue = new SendQueue(ENDS, new SteppedClock(), 1024, SendOverflow.DISCONNECT, budget);
        assertTrue(queue.offer(new byte[512]), "the first send starts the writer");
        int taken = 0;
        try {
            for (; taken < 1_000_000; taken++) {
                queue.offer(new byte[0]);
            }
        } catch (SocketException overflow) {
            assertTrue(overflow.getMessage().contains("slow consumer"), overflow.getMessage());
        }
        assertEquals((1024 - 512) / SendQueue.ENTRY_OVERHEAD - 1, taken, "empty sends that fit beside the first");
        assertEquals(512, queue.pending(), "the stats count bytes only");
        assertEquals(512 + (taken + 1) * SendQueue.ENTRY_OVERHEAD, budget.used(), "the total bound sees every entry");
        queue.close();
        assertEquals(0, budget.used(), "and gets it all back at the close");
        assertThrows(SocketException.class, () -> queue.offer(new byte[1]));
    }

    /**
     * A wait for the queue to be written says whether everything was: not when a failed write or the
     * close dropped sends. It said so whenever the writer had stopped by the time the waiter looked, so a
     * client's {@code close(grace)} could report a clean drain of sends a reset had dropped.
     */
    @Test
    void aFlushThatDroppedSendsIsNotAllWritten() throws Exception {
        SendQueue failing = new SendQueue(ENDS, new SteppedClock(), 1 << 20, SendOverflow.WAIT, new Budget(Long.MAX_VALUE));
        assertTrue(failing.offer(new byte[100]), "the first send starts the writer");
        byte[] batch = failing.next(null, new Runnable[1]);
        failing.failed(batch); // its write failed
        failing.writerRefused(); // and the writer stops
        assertFalse(failing.awaitFlushed(java.time.Duration.ofSeconds(1)), "a failed write is not written");

        SendQueue dropping = new SendQueue(ENDS, new SteppedClock(), 1 << 20, SendOverflow.WAIT, new Budget(Long.MAX_VALUE));
        dropping.offer(new byte[100]);
        dropping.writerRefused(); // closed with the send still queued
        assertFalse(dropping.awaitFlushed(java.time.Duration.ofSeconds(1)), "a dropped send is not written");

        SendQueue writing = new SendQueue(ENDS, new SteppedClock(), 1 << 20, SendOverflow.WAIT, new Budget(Long.MAX_VALUE));
        writing.offer(new byte[100]);
        byte[] written = writing.next(null, new Runnable[1]);
        assertEquals(null, writing.next(written, new Runnable[1]), "written, and the writer stops");
        writing.close();
        assertTrue(writing.awaitFlushed(java.time.Duration.ofSeconds(1)), "everything written, then closed");
    }
}
