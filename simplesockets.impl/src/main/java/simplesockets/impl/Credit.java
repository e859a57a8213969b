package simplesockets.impl;

import java.util.concurrent.locks.Condition;

/**
 * One connection's share of the polling queue ({@link EventState}): its queued bytes, and the
 * condition its reader waits on for them to be drained. Its fields are guarded by the event state's
 * lock; the queued bytes may be read without it ({@link #queued()}).
 */
final class Credit {
    /** Its reader waits here for its own bytes to be drained, not on the pollers' condition. */
    final Condition room;
    volatile int queuedBytes;
    boolean cancelled;
    boolean graceOver;

    Credit(Condition room) {
        this.room = room;
    }

    /** The connection's received bytes waiting to be taken, read without the lock. */
    int queued() {
        return queuedBytes;
    }
}
