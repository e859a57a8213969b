package simplesockets.impl;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import simplesockets.impl.time.Clock;

/**
 * Real time for one server or client. Each scheduled task waits on a virtual thread of the owner's
 * {@link Scope}, so the owner joins it like every other thread; {@link #close()} cancels the ones
 * still waiting, so that shutdown never waits out a timer.
 */
final class SystemClock implements Clock, AutoCloseable {

    private static final int PENDING = 0;
    private static final int RUNNING = 1;
    private static final int CANCELLED = 2;

    private final Scope scope;
    private final Set<Task> pending = ConcurrentHashMap.newKeySet();

    SystemClock(Scope scope) {
        this.scope = scope;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Instant now() {
        return Instant.now();
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(duration);
    }

    @Override
    public Timer schedule(Duration delay, Runnable task) {
        Task timer = new Task(task);
        pending.add(timer);
        try {
            scope.fork("timer", () -> timer.await(delay));
        } catch (RejectedExecutionException e) {
            pending.remove(timer);
            timer.state.set(CANCELLED); // closing: nothing runs any more
        }
        return timer;
    }

    /** Cancels every task still waiting. */
    @Override
    public void close() {
        pending.forEach(Task::cancel);
    }

    private final class Task implements Timer {
        private final Runnable body;
        private final AtomicInteger state = new AtomicInteger(PENDING);
        private volatile Thread thread;

        Task(Runnable body) {
            this.body = body;
        }

        /**
         * Waits out the delay parked, and runs the body unless cancelled first. A cancel unparks it, with no
         * exception made (a timer is cancelled on every connect and most closes); an interrupt (a scope's
         * close) counts as a cancel.
         */
        void await(Duration delay) {
            // Published before the state is read, and cancel() sets the state before it reads this:
            // one of the two always sees the other.
            thread = Thread.currentThread();
            try {
                long wait = WaitLimit.nanos(delay);
                long started = System.nanoTime();
                while (state.get() == PENDING) {
                    long left = wait - (System.nanoTime() - started);
                    if (left <= 0) {
                        break;
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        state.compareAndSet(PENDING, CANCELLED);
                        return;
                    }
                    LockSupport.parkNanos(this, left);
                }
                if (state.compareAndSet(PENDING, RUNNING)) {
                    body.run();
                }
            } finally {
                pending.remove(this);
            }
        }

        @Override
        public void cancel() {
            if (state.compareAndSet(PENDING, CANCELLED)) {
                Thread waiting = thread;
                if (waiting != null) {
                    LockSupport.unpark(waiting);
                }
                pending.remove(this);
            }
        }
    }
}
