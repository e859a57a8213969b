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
 * waited has already queued (the poller woke it), so it does not yield again.
 */
final class Turns {

    /**
     * A read that returns within this time did not wait for the peer. A read that parks goes through
     * the JDK's poller and then the scheduler's queue, which takes far longer, even on an idle machine.
     */
    static final long IMMEDIATE_NANOS = 4_000;

    /** The one used by the engines: yields the current (virtual) thread. */
    static final Turns YIELDING = new Turns(Thread::yield);

    private final Runnable yielder;

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
     */
    void afterRead(long readNanos) {
        if (readNanos < IMMEDIATE_NANOS) {
            yielder.run();
        }
    }
}
