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
 *
 * <p>While the bound is spent, one builder holds a pass and reads on until its frame is done (or its
 * connection ends): frames still arriving may be all that spends the bound, and only finishing one
 * gives bytes back, so without the pass they would wait for each other for good (a frame larger than
 * the bound would never arrive at all). So the bound can also be passed by one frame, at most the
 * framing's maximum. The pass is a turn of at most {@link #PASS_TURN}: once its holder has had it
 * that long, a waiting builder takes it, and the holder waits like the others at its next read. So
 * neither a peer that stops mid-frame nor one that trickles its frame a byte at a time can hold up
 * the others, and while several wait, they take turns. The price of that: a holder whose turn ends
 * keeps what its frame holds, so peers that each stop just short of the end of a large frame can pass
 * the bound by up to one such frame each, one more a turn, until their frames finish or their
 * connections end (an idle timeout ends them).
 */
final class Budget {

    /** How long one builder may hold the pass while another waits for it. */
    static final java.time.Duration PASS_TURN = java.time.Duration.ofSeconds(1);
    private static final long PASS_TURN_NANOS = PASS_TURN.toNanos();

    /** A builder of a frame, as the budget sees it. */
    interface Builder {
        /** Now, on the clock of its server or client, which every builder of one budget shares. */
        long nanoTime();
    }

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();
    private int waiting;
    /** The builder that may read on while the bound is spent, or {@code null}; written under the lock. */
    private volatile Builder pass;
    /** When the holder took the pass ({@link Builder#nanoTime()}); under the lock. */
    private long passTaken;

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
     * Blocks a builder of a frame while the bytes in flight are at or past the limit, until
     * {@code stop} says otherwise ({@link #wake()} makes waiters look), unless it holds the pass or
     * takes it because no one does.
     *
     * @param builder the one building the frame, the same object each time, which gives the pass back
     *                with {@link #done}
     * @param waits   told once, before the builder first waits
     */
    void awaitRoom(Builder builder, java.util.function.BooleanSupplier stop, Runnable waits) throws InterruptedException {
        if (used.get() < limit || pass == builder) {
            return;
        }
        lock.lock();
        try {
            waiting++;
            boolean told = false;
            while (used.get() >= limit && !stop.getAsBoolean()) {
                Builder holder = pass;
                long now = builder.nanoTime();
                long held = holder == null || holder == builder ? PASS_TURN_NANOS : now - passTaken;
                if (held >= PASS_TURN_NANOS) {
                    pass = builder; // someone must read on, or no frame would ever be done
                    passTaken = now;
                    return;
                }
                if (!told) {
                    told = true;
                    waits.run();
                }
                room.awaitNanos(PASS_TURN_NANOS - held); // until the pass is given back, or the holder's turn ends
            }
        } finally {
            waiting--;
            lock.unlock();
        }
    }

    /** The builder's frame is done, or its connection ended: if it held the pass, a waiter may take it. */
    void done(Builder builder) {
        if (pass != builder) {
            return;
        }
        lock.lock();
        try {
            if (pass == builder) {
                pass = null;
                room.signalAll();
            }
        } finally {
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

    /** Whether the bytes in flight are at or past the limit. */
    boolean spent() {
        return used.get() >= limit;
    }
}
