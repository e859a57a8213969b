package simplesockets.impl;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.Condition;

/**
 * One connection's share of the polling queue ({@link EventState}): its queued bytes, and the
 * condition its reader waits on for them to be drained. Its fields are guarded by the event state's
 * lock; the queued bytes may be read without it ({@link #queued()}).
 */
final class Credit {
    private static final VarHandle DATA;

    static {
        try {
            DATA = MethodHandles.lookup().findVarHandle(Credit.class, "dataBytes", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Its reader waits here for its own bytes to be drained, not on the pollers' condition. */
    final Condition room;
    volatile int queuedBytes;
    boolean cancelled;
    boolean graceOver;

    /** Of the queued bytes, the received bytes themselves, without what their entries cost; read without the lock too. */
    private int dataBytes;
    /** Its connection's counters: told when its reader stalls; they read the queued bytes from here. */
    private final Meter meter;

    Credit(Condition room, Meter meter) {
        this.room = room;
        this.meter = meter;
        meter.watch(this);
    }

    /** A piece of {@code bytes} joins the queue, costing {@code overhead} more; under the lock. */
    void charge(int bytes, int overhead) {
        queuedBytes += bytes + overhead;
        DATA.setOpaque(this, dataBytes + bytes);
    }

    /** A piece whose entry cost {@code cost}, {@code overhead} of it beyond its bytes, left the queue; under the lock. */
    void release(int cost, int overhead) {
        queuedBytes -= cost;
        DATA.setOpaque(this, dataBytes - (cost - overhead));
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
        }
        condition.await();
    }

    /** The connection's received bytes waiting to be taken, read without the lock. */
    int queued() {
        return queuedBytes;
    }
}
