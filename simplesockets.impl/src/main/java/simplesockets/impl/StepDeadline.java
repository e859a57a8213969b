package simplesockets.impl;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Transport;

/**
 * The deadline of one step that a connection's thread takes before the connection is announced (its
 * PROXY protocol header, its TLS handshake): at its time it closes the transport, which ends the step,
 * unless the step finished first. The step and the timer settle which came first with one
 * compare-and-set, so a step that finishes just as the deadline comes is either in time (the timer then
 * leaves the transport alone) or late (its transport closed), never both: checked with a flag that the
 * timer set after it had begun, a step could pass as in time, and then lose its connection to the timer.
 */
final class StepDeadline {

    private static final int RUNNING = 0;
    private static final int FINISHED = 1;
    private static final int EXPIRED = 2;

    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private final Clock.Timer timer;

    /** Starts the deadline: {@code timeout} from now on {@code clock}, it closes {@code transport}. */
    StepDeadline(Clock clock, Duration timeout, Transport transport) {
        this.timer = clock.schedule(timeout, () -> {
            if (state.compareAndSet(RUNNING, EXPIRED)) {
                Transports.closeQuietly(transport);
            }
        });
    }

    /**
     * The step is over, done or failed: the deadline no longer closes anything.
     *
     * @return whether it was over in time; {@code false} if the deadline came first and closed the transport
     */
    boolean finish() {
        timer.cancel();
        return state.compareAndSet(RUNNING, FINISHED) || state.get() == FINISHED;
    }
}
