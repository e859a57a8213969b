package simplesockets.testkit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The record of one direction's writes, for {@link Wire#take}: each write as the sender's transport
 * passed it, oldest first. Bounded: past {@link #RECORD_BYTES}, each write counted with
 * {@link #PER_WRITE} bytes for its keeping (so that many tiny writes are bounded too), the oldest writes
 * are dropped and counted, but the newest is always kept whole, however large. Thread-safe, with a lock of its own,
 * which a pipe takes under its own (never the other way round).
 */
final class WireRecord {

    /** The most bytes of recorded traffic kept; past it the oldest writes are dropped. */
    static final int RECORD_BYTES = 64 * 1024;
    /** What keeping one write costs besides its bytes (an array's header and a slot of the queue), about. */
    static final int PER_WRITE = 32;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition added = lock.newCondition();
    private final ArrayDeque<byte[]> writes = new ArrayDeque<>();
    private int bytes;
    private long dropped;

    /** Records one write; the caller gives up the array. */
    void add(byte[] write) {
        lock.lock();
        try {
            writes.addLast(write);
            bytes += write.length + PER_WRITE;
            while (bytes > RECORD_BYTES && writes.size() > 1) {
                bytes -= writes.pollFirst().length + PER_WRITE;
                dropped++;
            }
            added.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the oldest recorded write.
     *
     * @param timeout the longest wait, in real time; zero looks once without waiting
     * @return the write, or empty if none came in time
     * @throws InterruptedException if the waiting thread is interrupted
     */
    Optional<byte[]> take(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long nanos = Waits.nanos(timeout);
            while (writes.isEmpty()) {
                if (nanos <= 0) {
                    return Optional.empty();
                }
                nanos = added.awaitNanos(nanos);
            }
            byte[] write = writes.pollFirst();
            bytes -= write.length + PER_WRITE;
            return Optional.of(write);
        } finally {
            lock.unlock();
        }
    }

    /** How many writes were dropped because the record was full. */
    long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }
}
