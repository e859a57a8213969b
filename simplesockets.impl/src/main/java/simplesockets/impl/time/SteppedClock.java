package simplesockets.impl.time;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A clock that moves only when told to: {@link #advance} moves it forward, runs the tasks that came
 * due in the order they were due (on the advancing thread, outside the lock), and wakes the sleepers
 * whose time came. Tests of timeouts and back-offs use it so that they never sleep. Thread-safe; one
 * clock may serve several servers and clients. Advances from several threads take turns, so that time
 * never goes back and due tasks run in order.
 */
public final class SteppedClock implements Clock {

    private final ReentrantLock lock = new ReentrantLock();
    /** Held for a whole advance, tasks included; reentrant, so a task may advance the clock too. */
    private final ReentrantLock advancing = new ReentrantLock();
    private final Condition moved = lock.newCondition();
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private final Instant origin;
    private long nanos;
    private long sequence;
    /** The deadlines of the threads sleeping now. */
    private final java.util.List<Long> sleepers = new java.util.ArrayList<>();

    /** A clock whose wall time starts now. */
    public SteppedClock() {
        this.origin = Instant.now();
    }

    @Override
    public long nanoTime() {
        lock.lock();
        try {
            return nanos;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Instant now() {
        return origin.plusNanos(nanoTime());
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        lock.lock();
        try {
            Long deadline = nanos + duration.toNanos();
            sleepers.add(deadline);
            moved.signalAll();
            try {
                while (nanos - deadline < 0) {
                    moved.await();
                }
            } finally {
                sleepers.remove(deadline);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Timer schedule(Duration delay, Runnable body) {
        lock.lock();
        try {
            return add(nanos + delay.toNanos(), body);
        } finally {
            lock.unlock();
        }
    }

    /** {@inheritDoc} A time already passed comes due at the next {@link #advance}. */
    @Override
    public Timer scheduleAt(long atNanos, Runnable body) {
        lock.lock();
        try {
            return add(atNanos, body);
        } finally {
            lock.unlock();
        }
    }

    /** Adds a task due at {@code due}; under the lock. */
    private Timer add(long due, Runnable body) {
        Task task = new Task(due, sequence++, body);
        tasks.add(task);
        moved.signalAll();
        return () -> cancel(task);
    }

    private void cancel(Task task) {
        lock.lock();
        try {
            tasks.remove(task);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves the clock forward, running every task that comes due on the way, in order, at its own
     * time (a task scheduled by another one runs too, if it comes due within the step).
     *
     * @param step how far; not negative
     */
    public void advance(Duration step) {
        if (step.isNegative()) {
            throw new IllegalArgumentException("the clock does not go back: " + step);
        }
        advancing.lock();
        try {
            advanceTurn(step);
        } finally {
            advancing.unlock();
        }
    }

    private void advanceTurn(Duration step) {
        long target;
        lock.lock();
        try {
            target = nanos + step.toNanos();
        } finally {
            lock.unlock();
        }
        while (true) {
            Task due;
            lock.lock();
            try {
                due = tasks.peek();
                if (due == null || due.due - target > 0) {
                    nanos = Math.max(nanos, target); // another advance may have gone further meanwhile
                    moved.signalAll();
                    return;
                }
                tasks.poll();
                nanos = Math.max(nanos, due.due);
                moved.signalAll();
            } finally {
                lock.unlock();
            }
            due.body.run();
        }
    }

    /**
     * Waits, in real time, until at least {@code count} threads sleep on this clock with their time
     * still to come: the way a test knows a back-off has begun before it advances past it. A sleeper
     * whose time has passed but that has not woken yet is not counted.
     *
     * @param count   how many sleepers
     * @param timeout the longest real wait
     * @return whether that many were sleeping in time
     * @throws InterruptedException if interrupted
     */
    public boolean awaitSleepers(int count, Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long left = timeout.toNanos();
            while (sleepers.stream().filter(d -> d - nanos > 0).count() < count) {
                if (left <= 0) {
                    return false;
                }
                left = moved.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * How many tasks wait to come due.
     *
     * @return the count
     */
    public int pendingTasks() {
        lock.lock();
        try {
            return tasks.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "SteppedClock[" + TimeUnit.NANOSECONDS.toMillis(nanoTime()) + " ms]";
    }

    private record Task(long due, long order, Runnable body) implements Comparable<Task> {
        @Override
        public int compareTo(Task other) {
            int byDue = Long.compare(due - other.due, 0);
            return byDue != 0 ? byDue : Long.compare(order, other.order);
        }
    }
}
