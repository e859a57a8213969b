package simplesockets.impl;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bytes in flight of one server or client, together: received data waiting for polling, frames
 * still arriving, and sends waiting for their writer. Each part charges what it holds as it grows
 * and gives it back when it is done. Past the limit, a connection that is building a frame waits
 * before it reads more (TCP flow control then slows its peer), while a connection that holds nothing
 * reads on, so fresh clients are still served while the budget is spent.
 *
 * <p>Charging never blocks and never fails, so the bound can be passed by what one read adds to each
 * waiting connection's frame; the waits keep it from growing further.
 */
final class Budget {

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();
    private int waiting;

    /**
     * @param limit the bytes in flight past which builders of frames wait
     */
    Budget(long limit) {
        this.limit = limit;
    }

    void charge(long bytes) {
        used.addAndGet(bytes);
    }

    void release(long bytes) {
        long now = used.addAndGet(-bytes);
        if (now < limit && now + bytes >= limit) {
            wake(); // it just fell below the limit
        }
    }

    /**
     * Blocks while the bytes in flight are at or past the limit, until {@code stop} says otherwise
     * ({@link #wake()} makes waiters look).
     */
    void awaitRoom(java.util.function.BooleanSupplier stop) throws InterruptedException {
        if (used.get() < limit) {
            return;
        }
        lock.lock();
        try {
            waiting++;
            while (used.get() >= limit && !stop.getAsBoolean()) {
                room.await();
            }
        } finally {
            waiting--;
            lock.unlock();
        }
    }

    /** Makes every waiter look at its stop condition again: a connection ended. */
    void wake() {
        lock.lock();
        try {
            if (waiting > 0) {
                room.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    long used() {
        return used.get();
    }

    /** Whether the bytes in flight are at or past the limit: {@link #awaitRoom} would wait. */
    boolean spent() {
        return used.get() >= limit;
    }
}
