package simplesockets.impl;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import simplesockets.api.ClientStats;
import simplesockets.api.ConnectionStats;
import simplesockets.api.Failure;
import simplesockets.api.ServerStats;

/**
 * The figures of one server or client: its connections' counters ({@link Meter}) added up on request,
 * with the totals of the connections that ended, and its own counts (accepted or made, refused, slow
 * consumers).
 *
 * <p>A connection joins when its session begins and leaves when it was closed for good, at which point
 * its last figures are folded into the totals. Joining, leaving and adding up take a lock of this
 * tally's own, never taken on the data path, so that each connection is counted exactly once in a
 * snapshot (live or folded) and the counts never go back. A connection that ended while its received
 * bytes still wait for polling is kept aside, for the queued bytes now, until a snapshot or the next
 * connection's end finds them taken.
 */
final class Tally {

    private final String side;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by the lock, as are the totals below. */
    private final Set<Link> live = new HashSet<>();
    /** Connections that ended with received bytes still waiting for polling, in the order they ended. */
    private final Set<Link> draining = new LinkedHashSet<>();
    private long closed;
    private long bytesIn;
    private long bytesOut;
    private long messagesIn;
    private long messagesOut;
    private long stalls;
    private long stallNanos;
    private final LongAdder admitted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder slowConsumers = new LongAdder();

    /**
     * @param side {@code "server"} or {@code "client"}, for the flight recorder
     */
    Tally(String side) {
        this.side = side;
    }

    String side() {
        return side;
    }

    /** A server accepted a connection (and gave it a slot), or a client made one. */
    void admitted() {
        admitted.increment();
    }

    void refused() {
        refused.increment();
    }

    void slowConsumer() {
        slowConsumers.increment();
    }

    void opened(Link link) {
        lock.lock();
        try {
            live.add(link);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A connection was closed for good: its last figures go into the totals.
     *
     * @return its last figures
     */
    ConnectionStats closed(Link link) {
        lock.lock();
        try {
            letGoOfDrained();
            ConnectionStats last = link.stats();
            if (live.remove(link)) {
                closed++;
                bytesIn += last.bytesIn();
                bytesOut += last.bytesOut();
                messagesIn += last.messagesIn();
                messagesOut += last.messagesOut();
                stalls += last.readerStalls();
                stallNanos += last.readerStallTime().toNanos();
                if (last.queuedBytes() > 0) {
                    draining.add(link);
                }
            }
            return last;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lets go of the connections, oldest first, whose data was taken since they ended (nothing else
     * holds them), up to the first one still holding some: polling takes data oldest first, so each
     * end costs one look in the common case, never a scan of them all. Under the lock.
     */
    private void letGoOfDrained() {
        for (Iterator<Link> it = draining.iterator(); it.hasNext() && it.next().stats().queuedBytes() == 0; ) {
            it.remove();
        }
    }

    /** The sums now, of the live connections and of those that ended. */
    private Sum sum() {
        lock.lock();
        try {
            Sum sum = new Sum(closed, bytesIn, bytesOut, messagesIn, messagesOut, stalls, stallNanos);
            for (Link link : live) {
                sum.add(link.stats());
            }
            for (Iterator<Link> it = draining.iterator(); it.hasNext(); ) {
                long left = it.next().stats().queuedBytes();
                sum.queued += left;
                if (left == 0) {
                    it.remove();
                }
            }
            return sum;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A server's snapshot. The closed count is read first, then the open one, then the accepted one: a
     * connection leaves the open ones before it is counted closed, and is accepted before it opens, so one
     * that changes meanwhile is never counted twice, and accepted minus open minus closed is never below 0.
     *
     * @param open the connections open now, read when the snapshot asks
     */
    ServerStats server(java.util.function.IntSupplier open, long droppedEvents, long droppedExceptions,
            Map<Class<? extends Failure>, Long> failures) {
        Sum s = sum();
        int openNow = open.getAsInt();
        long accepted = admitted.sum();
        return ServerStats.builder()
                .connectionsOpen(openNow)
                .connectionsAccepted(accepted)
                .connectionsRefused(refused.sum())
                .connectionsClosed(s.closed)
                .bytesIn(s.bytesIn).bytesOut(s.bytesOut).messagesIn(s.messagesIn).messagesOut(s.messagesOut)
                .queuedBytes(s.queued).pendingBytes(s.pending)
                .readersStalled(s.stalled).readerStalls(s.stalls).readerStallTime(Duration.ofNanos(s.stallNanos))
                .slowConsumers(slowConsumers.sum())
                .droppedEvents(droppedEvents).droppedExceptions(droppedExceptions)
                .failures(failures)
                .build();
    }

    /** A client's snapshot. */
    ClientStats client(long droppedEvents, long droppedExceptions, Map<Class<? extends Failure>, Long> failures) {
        Sum s = sum();
        return ClientStats.builder()
                .connects(admitted.sum()).disconnects(s.closed)
                .bytesIn(s.bytesIn).bytesOut(s.bytesOut).messagesIn(s.messagesIn).messagesOut(s.messagesOut)
                .queuedBytes(s.queued).pendingBytes(s.pending)
                .readerStalled(s.stalled > 0).readerStalls(s.stalls).readerStallTime(Duration.ofNanos(s.stallNanos))
                .slowConsumers(slowConsumers.sum())
                .droppedEvents(droppedEvents).droppedExceptions(droppedExceptions)
                .failures(failures)
                .build();
    }

    /** Totals being added up. */
    private static final class Sum {
        final long closed;
        long bytesIn;
        long bytesOut;
        long messagesIn;
        long messagesOut;
        long stalls;
        long stallNanos;
        long queued;
        long pending;
        long stalled;

        Sum(long closed, long bytesIn, long bytesOut, long messagesIn, long messagesOut, long stalls, long stallNanos) {
            this.closed = closed;
            this.bytesIn = bytesIn;
            this.bytesOut = bytesOut;
            this.messagesIn = messagesIn;
            this.messagesOut = messagesOut;
            this.stalls = stalls;
            this.stallNanos = stallNanos;
        }

        void add(ConnectionStats c) {
            bytesIn += c.bytesIn();
            bytesOut += c.bytesOut();
            messagesIn += c.messagesIn();
            messagesOut += c.messagesOut();
            stalls += c.readerStalls();
            stallNanos += c.readerStallTime().toNanos();
            queued += c.queuedBytes();
            pending += c.pendingBytes();
            stalled += c.isReaderStalled() ? 1 : 0;
        }
    }
}
