package simplesockets.impl;

import java.util.concurrent.locks.Condition;

/**
 * One connection's share of the polling queue ({@link EventState}): its queued bytes, and the
 * condition its reader waits on for them to be drained. Its fields are guarded by the event state's
 * lock.
 */
final class Credit {
    /** Its reader waits here for its own bytes to be drained, not on the pollers' condition. */
    final Condition room;
    int queuedBytes;
    boolean cancelled;
    boolean graceOver;

    Credit(Condition room) {
        this.room = room;
    }
}
