package simplesockets.impl;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The seed's flags and lists, done right: events waiting for polling ({@link EventQueue}), in the
 * order they happened, under one lock, and the waits of pollers and readers on them.
 *
 * <ul>
 *   <li>"New data" is derived from the queue (a count of its data entries kept in the same critical
 *       sections), never stored apart from it.</li>
 *   <li>Data entries are bounded per connection by {@link Credit}: past the bound, that connection's
 *       reader waits in {@link #awaitReadPermit} instead of reading on, so TCP flow control pushes
 *       back on the peer. Other connections are not affected. Each credit's reader waits on a
 *       condition of its own; pollers wait on theirs, so a drain wakes only who it concerns.</li>
 *   <li>All data entries together are bounded too: past the total, every reader waits.</li>
 *   <li>Other events are bounded by count; past it the oldest is dropped and counted.</li>
 *   <li>In pull mode (a client without background receiving) a reader may read only while someone
 *       waits for data and none is queued ({@link Demand}).</li>
 * </ul>
 *
 * @param <E> the event type
 */
final class EventState<E> {

    private final ReentrantLock lock = new ReentrantLock();
    /** Pollers wait here. */
    private final Condition changed = lock.newCondition();
    /** Who waits for data, and pull mode; readers held back by the total bound wait on its condition too. */
    private final Demand demand = new Demand(lock);
    private final EventQueue<E> queue;
    private final long maxQueuedTotal;
    private final Budget budget; // the bytes in flight of the whole server or client, queued data among them
    /** Bumped when a connection ends, so that waiters who asked to be told return. */
    private long endings;
    private boolean closed;

    EventState(int maxOtherEvents, long maxQueuedTotal) {
        this.maxQueuedTotal = maxQueuedTotal;
        this.budget = new Budget(maxQueuedTotal);
        this.queue = new EventQueue<>(maxOtherEvents, budget);
    }

    /** The bytes in flight of the whole server or client, of which the queue is a part. */
    Budget budget() {
        return budget;
    }

    /** A new connection's share of the queue. */
    Credit newCredit(Meter meter) {
        return new Credit(lock, meter);
    }

    /**
     * Queues the pieces of one read, charged to a connection's credit, under one lock, and wakes the
     * pollers once: {@code first}, then each piece {@code more} hands out, as long as the credit lets
     * each one be queued at once (as {@link #awaitReadPermit} would let it without waiting). Pieces not
     * taken stay with {@code more}'s reader.
     *
     * @param limit the credit's limit
     * @param more  the read's next piece, or {@code null} when none is left; called under the lock
     * @param event the event of one piece
     */
    void publishData(Credit credit, int limit, byte[] first, Supplier<byte[]> more, Function<byte[], E> event) {
        lock.lock();
        try {
            for (byte[] piece = first; piece != null; piece = more.get()) {
                queue.addData(credit, event.apply(piece), piece.length);
                if (credit.cancelled || credit.queuedBytes >= limit || queue.queuedTotal() >= maxQueuedTotal) {
                    break;
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Queues a lifecycle or failure event, dropping the oldest such event when full. */
    void publish(E event) {
        lock.lock();
        try {
            queue.addOther(event);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether data waits; asking counts as coming back for more ({@link EventQueue#settle()}). */
    boolean hasData() {
        return locked(() -> {
            queue.settle(); // the seed's loop asks this flag before it takes more
            return queue.dataEntries() > 0;
        });
    }

    long droppedEvents() {
        return queue.droppedEvents();
    }

    /** Takes every data entry, oldest first, without waiting; other events stay. */
    List<E> drainData() {
        return locked(() -> {
            queue.settle();
            return takeData(Integer.MAX_VALUE);
        });
    }

    /** For a wait that a connection's end does not end. */
    static final long IGNORE_ENDINGS = -1;

    /**
     * How many connections have ended so far: a poller that asks this before it looks whether it may
     * wait, then waits with it ({@link #takeData}), cannot miss an end in between.
     */
    long endings() {
        return locked(() -> endings);
    }

    /**
     * Waits until data is queued (or the state closes, or time is up, or the count of ended
     * connections is past {@code endingsSince}, from {@link #endings()}, unless that is
     * {@link #IGNORE_ENDINGS}), then takes up to {@code max} data entries, oldest first; other events stay.
     */
    List<E> takeData(Duration timeout, long endingsSince, int max) throws InterruptedException {
        lock.lock();
        try {
            return awaitDataLocked(timeout, endingsSince) ? takeData(max) : List.of();
        } finally {
            lock.unlock();
        }
    }

    /** Waits as {@link #takeData} does until data is queued, without taking it. */
    boolean awaitAnyData(Duration timeout, long endingsSince) throws InterruptedException {
        lock.lock();
        try {
            return awaitDataLocked(timeout, endingsSince);
        } finally {
            lock.unlock();
        }
    }

    private boolean awaitDataLocked(Duration timeout, long endingsSince) throws InterruptedException {
        queue.settle(); // the application is back for more: what it took before is done with
        long nanos = WaitLimit.nanos(timeout);
        boolean untilEnding = endingsSince != IGNORE_ENDINGS;
        long endingsAtStart = endingsSince;
        demand.begin();
        try {
            while (queue.dataEntries() == 0 && !closed && !(untilEnding && endings != endingsAtStart)) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = awaitChange(nanos);
            }
            return queue.dataEntries() > 0;
        } finally {
            demand.end();
        }
    }

    /** {@link Demand#pollWaits()}: any thread, no lock. */
    long pollWaits() {
        return demand.pollWaits();
    }

    /** A poller's wait for a change, without a timer when it has no limit ({@link WaitLimit}). */
    private long awaitChange(long nanos) throws InterruptedException {
        if (nanos == Long.MAX_VALUE) {
            changed.await();
            return nanos;
        }
        return changed.awaitNanos(nanos);
    }

    private List<E> takeData(int max) {
        boolean wasFull = queue.queuedTotal() >= maxQueuedTotal;
        List<E> taken = queue.takeData(max);
        released(wasFull);
        return taken;
    }

    /** Takes the oldest event of any kind, without waiting. */
    Optional<E> poll() {
        return locked(() -> {
            queue.settle();
            return Optional.ofNullable(pollLocked());
        });
    }

    /** Waits for an event of any kind and takes it. */
    Optional<E> awaitEvent(Duration timeout) throws InterruptedException {
        long nanos = WaitLimit.nanos(timeout);
        lock.lock();
        try {
            queue.settle();
            demand.begin();
            try {
                while (queue.isEmpty() && !closed) {
                    if (nanos <= 0) {
                        return Optional.empty();
                    }
                    nanos = awaitChange(nanos);
                }
            } finally {
                demand.end();
            }
            return Optional.ofNullable(pollLocked());
        } finally {
            lock.unlock();
        }
    }

    private E pollLocked() {
        boolean wasFull = queue.queuedTotal() >= maxQueuedTotal;
        E event = queue.poll();
        released(wasFull);
        return event;
    }

    /** Data was taken: wakes the readers that wait for the total to fall under its bound, or in pull mode. */
    private void released(boolean wasFull) {
        if (wasFull && queue.queuedTotal() < maxQueuedTotal || demand.freedBy(queue.dataEntries() > 0)) {
            demand.wakeReaders();
        }
    }

    /**
     * Blocks a connection's reader until it may read again: its queued bytes are under the limit
     * and, in pull mode, someone waits for data that is not there yet.
     *
     * @return {@code false} if the credit was cancelled (the connection is closing)
     */
    boolean awaitReadPermit(Credit credit, int limit) throws InterruptedException {
        lock.lock();
        try {
            while (!credit.cancelled) {
                if (credit.queuedBytes >= limit) {
                    credit.await(credit.room, Meter.Bound.CONNECTION_QUEUE);
                } else if (queue.queuedTotal() >= maxQueuedTotal || demand.holdsReader(queue.dataEntries() > 0)) {
                    credit.await(demand.readers(), queue.queuedTotal() >= maxQueuedTotal ? Meter.Bound.ALL_QUEUES : null);
                } else {
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** {@link Demand#awaitPushed}: a callback reader's wait while a client's background receiving is off. */
    boolean awaitPushed(java.util.function.BooleanSupplier open) throws InterruptedException {
        return demand.awaitPushed(open);
    }

    /** A connection ended: waiters that wait only while it lives return. */
    void ended() {
        update(() -> {
            endings++;
            changed.signalAll();
            demand.wakeReaders(); // a callback reader waiting in pull mode ends too
        });
    }

    /** Wakes the connection's reader for good: its connection is closing. */
    void cancel(Credit credit) {
        update(() -> {
            credit.cancelled = true;
            queue.ended(credit);
            credit.room.signal();
            demand.wakeReaders();
        });
    }

    /** Pull mode: read only on demand (a client with background receiving off). */
    void pull(boolean on) {
        update(() -> demand.pull(on));
    }

    /** Wakes every waiter; awaits return at once from now on, with what is queued. */
    void close() {
        update(() -> {
            closed = true;
            queue.settle();
            changed.signalAll();
            demand.close();
        });
    }

    private <T> T locked(java.util.function.Supplier<T> body) {
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    private void update(Runnable change) {
        lock.lock();
        try {
            change.run();
        } finally {
            lock.unlock();
        }
    }
}
