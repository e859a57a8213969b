package simplesockets.impl;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import simplesockets.impl.time.Clock;

/**
 * One connection's share of the polling queue ({@link EventState}): its queued bytes, and the
 * condition its reader waits on for them to be drained. Pieces the application took count until it
 * comes back for more ({@link #settle()}), so that what it holds in hand and has not answered yet still
 * holds the reader back: a poller that takes a batch and then sends its replies one by one would
 * otherwise let the reader read a second batch beside the replies to the first. Its fields are guarded by the event state's
 * lock; the queued bytes may be read without it ({@link #queued()}).
 */
final class Credit {
    private static final VarHandle DATA = VarHandles.field(MethodHandles.lookup(), "dataBytes", int.class);

    /** Its reader waits here for its own bytes to be drained, not on the pollers' condition. */
    final Condition room;
    volatile int queuedBytes;
    boolean cancelled;
    boolean graceOver;
    /** Whether its connection ended with pieces queued, charged for what they keep ({@link EventQueue#ENDED_CONNECTION}). */
    boolean endedCharged;

    /** Of the queued bytes, what taken pieces cost until they are settled. */
    private int held;
    /** Of the queued bytes, the received bytes themselves, without what their entries cost; read without the lock too. */
    private int dataBytes;
    /** Its connection's counters: told when its reader stalls; they read the queued bytes from here. */
    private final Meter meter;

    /** The event state's lock, which guards these fields. */
    private final ReentrantLock lock;

    Credit(ReentrantLock lock, Meter meter) {
        this.lock = lock;
        this.room = lock.newCondition();
        this.meter = meter;
        meter.watch(this);
    }

    /**
     * After end of stream: waits until its queued data has been taken, then for the grace period, so
     * that a polling application can still answer a half-closed peer; its reader's thread.
     */
    void awaitDrainedThenGrace(Duration grace, Clock clock) throws InterruptedException {
        Clock.Timer timer = null;
        lock.lock();
        try {
            while (!cancelled && waiting()) {
                room.await();
            }
            if (!grace.isZero()) {
                timer = clock.schedule(grace, this::endGrace); // never runs on this thread
                while (!cancelled && !graceOver) {
                    room.await();
                }
            }
        } finally {
            lock.unlock();
            if (timer != null) {
                timer.cancel();
            }
        }
    }

    private void endGrace() {
        lock.lock();
        try {
            graceOver = true;
            room.signal();
        } finally {
            lock.unlock();
        }
    }

    /** A piece of {@code bytes} joins the queue, costing {@code overhead} more; under the lock. */
    void charge(int bytes, int overhead) {
        queuedBytes += bytes + overhead;
        DATA.setOpaque(this, dataBytes + bytes);
    }

    /**
     * A piece whose entry cost {@code cost}, {@code overhead} of it beyond its bytes, was taken by the
     * application; under the lock. Its bytes are no longer queued, but they still count against the
     * reader until {@link #settle()}: the application holds them until it has answered them.
     */
    void release(int cost, int overhead) {
        held += cost;
        DATA.setOpaque(this, dataBytes - (cost - overhead));
    }

    /**
     * The pieces taken before are done with (the application came back for more): their cost no longer
     * holds the reader back, which is signalled; under the lock.
     */
    void settle() {
        queuedBytes -= held;
        held = 0;
        room.signal();
    }

    /** Whether pieces of it wait in the queue, not yet taken; under the lock. */
    boolean waiting() {
        return queuedBytes > held;
    }

    /** Whether pieces were taken that are not yet {@linkplain #settle() settled}; under the lock. */
    boolean holding() {
        return held > 0;
    }

    /** The received bytes waiting for polling; any thread, without the lock. */
    int queuedData() {
        return (int) DATA.getOpaque(this);
    }

    /**
     * Its reader waits on {@code condition}, under the lock.
     *
     * @param bound the bound that holds it back, which makes the wait a stall of the reader; {@code null}
     *              when it waits for another reason (pull mode)
     */
    void await(Condition condition, Meter.Bound bound) throws InterruptedException {
        if (bound != null) {
            meter.stalled(bound);
        } else {
            meter.resumed(); // a stall that the application's take ended is over: this wait is for demand
        }
        condition.await();
    }

    /**
     * Its reader is held back by {@code bound} outside this credit's waits: a stall, for its stats; a
     * stall of this credit's before it is over (its wait returned). By the reader.
     */
    void stalled(Meter.Bound bound) {
        meter.resumed();
        meter.stalled(bound);
    }

    /** The connection's received bytes waiting to be taken, read without the lock. */
    int queued() {
        return queuedBytes;
    }
}
