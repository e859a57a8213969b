package simplesockets.impl;

/**
 * Keeps busy connections taking turns on the carrier threads.
 *
 * <p>Virtual threads are not time-sliced. When a peer answers before the connection's thread has come
 * back to read (on a loaded machine the reply that wakes the peer often lets it run at once), the read
 * finds data, the thread never parks, and it keeps its carrier for message after message while other
 * connections wait in the scheduler's queue. Measured at 10,000 echo connections, about one in a
 * hundred connections got three to ten times the median's service that way, and the least-served got a
 * tenth of the most-served.
 *
 * <p>So after a read that returned data without waiting, the connection's thread yields: it queues
 * behind the others, as a connection on an event loop waits for the loop's next round. A read that
 * waited has already queued (the poller woke it), so it does not yield again. A stream is read as an
 * event loop reads it: while reads fill the buffer, up to {@link #MAX_STREAK} of them in a row go on
 * before the turn ends.
 *
 * <p>What a yield cannot undo: a read that waits queues behind every ready socket in the JDK poller's
 * list, while a read that finds its data waiting skipped that list, and the yield queues it only behind
 * the carriers' runnable threads. At 10,000 busy connections the most-served connections are those whose
 * next request more often came before their thread read again (docs/BENCHMARKS.md, ninth session).
 *
 * <p>One per connection; only its reader calls it.
 */
final class Turns {

    /**
     * A read that returns within this time did not wait for the peer. A read that parks goes through
     * the JDK's poller and then the scheduler's queue, which takes far longer, even on an idle machine.
     */
    static final long IMMEDIATE_NANOS = 4_000;

    /** The most reads in a row that filled the buffer before a turn ends (Netty reads 16 per round). */
    static final int MAX_STREAK = 16;

    private final Runnable yielder;
    private int streak;

    /** Makes one for an engine's connection: it yields the current (virtual) thread. */
    static Turns yielding() {
        return new Turns(Thread::yield);
    }

    /**
     * Makes one that calls {@code yielder} to give up the carrier.
     *
     * @param yielder gives up the carrier; {@link Thread#yield()} in the engines
     */
    Turns(Runnable yielder) {
        this.yielder = yielder;
    }

    /**
     * Called by a connection's reader after a read that returned data.
     *
     * @param readNanos how long the read took
     * @param full      whether the read filled the buffer, so that more is likely waiting
     */
    void afterRead(long readNanos, boolean full) {
        if (readNanos >= IMMEDIATE_NANOS) {
            streak = 0;
        } else if (full && streak < MAX_STREAK) {
            streak++;
        } else {
            streak = 0;
            yielder.run();
        }
    }
}
