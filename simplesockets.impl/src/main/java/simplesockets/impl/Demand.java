package simplesockets.impl;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Who waits for data, for pull mode: a client without background receiving reads only while a poller
 * waits for data and none is queued, and its callback reader waits while receiving is off. Held by
 * {@link EventState}, under whose lock every method but {@link #pollWaits()} and {@link #awaitPushed}'s
 * fast path runs; readers held back by pull mode or by the total bound wait on {@link #readers()}.
 */
final class Demand {

    private final ReentrantLock lock;
    private final Condition readers;
    private int dataWaiters;
    /** The waits for data begun so far; guarded by the lock. */
    private long waitsBegun;
    /** {@link #waitsBegun} shifted left by one, its low bit set while someone waits; written under the lock. */
    private volatile long waitState;
    /** Written under the lock; read without it by {@link #awaitPushed}'s fast path. */
    private volatile boolean pull;
    private boolean closed;

    Demand(ReentrantLock lock) {
        this.lock = lock;
        this.readers = lock.newCondition();
    }

    /** Where readers held back by the total bound or by pull mode wait. */
    Condition readers() {
        return readers;
    }

    /** A poller begins to wait for data (until {@link #end()}): in pull mode, a reader may read for it. Under the lock. */
    void begin() {
        dataWaiters++;
        waitState = (++waitsBegun << 1) | 1;
        if (pull) {
            readers.signalAll();
        }
    }

    /** A poller stops waiting for data. Under the lock. */
    void end() {
        if (--dataWaiters == 0) {
            waitState = waitsBegun << 1;
        }
    }

    /**
     * For a reader that reads only while someone waits for data (pull mode): the waits for data begun so
     * far, shifted left by one, with the low bit set while someone waits. Outside pull mode, -1: every
     * read counts as waited for. Any thread, no lock.
     */
    long pollWaits() {
        return pull ? waitState : -1;
    }

    /** Whether pull mode holds a reader back: nobody waits for data, or data is queued already. Under the lock. */
    boolean holdsReader(boolean dataQueued) {
        return pull && (dataWaiters == 0 || dataQueued);
    }

    /** Whether data being taken lets a reader on: in pull mode, once none is queued. Under the lock. */
    boolean freedBy(boolean dataQueued) {
        return pull && !dataQueued;
    }

    /** Wakes every held-back reader. Under the lock. */
    void wakeReaders() {
        readers.signalAll();
    }

    /** Turns pull mode on or off. Under the lock. */
    void pull(boolean on) {
        pull = on;
        readers.signalAll();
    }

    /** From now on nothing waits here. Under the lock. */
    void close() {
        closed = true;
        readers.signalAll();
    }

    /**
     * Blocks a callback reader while a client's background receiving is off: its {@code onReceive} gets
     * data only while that is on. Returns whether {@code open} still holds; its end wakes this wait.
     */
    boolean awaitPushed(BooleanSupplier open) throws InterruptedException {
        if (!pull) {
            return true; // every server, and a client receiving in the background: no lock taken
        }
        lock.lock();
        try {
            while (pull && !closed && open.getAsBoolean()) {
                readers.await();
            }
            return open.getAsBoolean();
        } finally {
            lock.unlock();
        }
    }
}
