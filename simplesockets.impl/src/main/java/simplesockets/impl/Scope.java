package simplesockets.impl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns every thread a server or client starts: our structured concurrency. {@link #fork} starts a
 * named virtual thread inside the scope; {@link #close} joins them all within a deadline, interrupts
 * the ones that are late, and reports any that still live. Once closed, nothing more can be forked.
 *
 * <p>The JDK's {@code StructuredTaskScope} is still a preview API in JDK 21 to 25; this small type
 * is where it would go once it is final.
 */
final class Scope {

    private static final Logger LOG = LoggerFactory.getLogger(Scope.class);
    /** How long the threads that ignored the deadline get after they are interrupted. */
    private static final Duration AFTER_INTERRUPT = Duration.ofMillis(100);

    private final String prefix;
    private final AtomicLong counter = new AtomicLong();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;

    /**
     * @param prefix the start of every thread name, such as {@code "simplesockets-server-3-"}
     */
    Scope(String prefix) {
        this.prefix = prefix;
    }

    /**
     * Starts a virtual thread named {@code prefix + name + "-" + n}.
     *
     * @throws RejectedExecutionException if the scope is closed
     */
    Thread fork(String name, Runnable task) {
        return start(Thread.ofVirtual(), name, task);
    }

    /**
     * Starts a platform thread in the scope, for the one loop that must never wait behind thousands
     * of busy virtual threads: accepting. (Helidon does the same.) It is a daemon, and is joined on
     * close like the rest.
     */
    Thread forkPlatform(String name, Runnable task) {
        return start(Thread.ofPlatform().daemon(), name, task);
    }

    private Thread start(Thread.Builder builder, String name, Runnable task) {
        Thread thread = builder
                .name(prefix + name + "-" + counter.incrementAndGet())
                .uncaughtExceptionHandler((t, e) -> LOG.warn("Bug: thread {} ended with an exception", t.getName(), e))
                .unstarted(() -> {
                    try {
                        task.run();
                    } finally {
                        threads.remove(Thread.currentThread());
                    }
                });
        lock.lock();
        try {
            if (closed) {
                throw new RejectedExecutionException("scope " + prefix + " is closed");
            }
            threads.add(thread);
            thread.start();
        } finally {
            lock.unlock();
        }
        return thread;
    }

    /** Waits for one thread of this scope to end, at most {@code timeout}; never for the caller itself. */
    static boolean join(Thread thread, Duration timeout) throws InterruptedException {
        if (thread == Thread.currentThread()) {
            return false;
        }
        return thread.join(timeout);
    }

    /**
     * Closes the scope: joins every thread until the deadline, then interrupts the rest and gives
     * them a little longer.
     *
     * @return the threads still alive at the end, normally none
     */
    List<Thread> close(Duration timeout) {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        List<Thread> late = new ArrayList<>();
        for (Thread thread : List.copyOf(threads)) {
            try {
                if (!join(thread, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))
                        && thread != Thread.currentThread()) {
                    late.add(thread);
                }
            } catch (InterruptedException e) {
                interrupted = true;
                late.add(thread);
            }
        }
        late.forEach(Thread::interrupt);
        List<Thread> alive = new ArrayList<>();
        long secondDeadline = System.nanoTime() + AFTER_INTERRUPT.toNanos();
        for (Thread thread : late) {
            try {
                long left = Math.max(0, secondDeadline - System.nanoTime());
                if (!thread.join(Duration.ofNanos(left))) {
                    alive.add(thread);
                }
            } catch (InterruptedException e) {
                interrupted = true;
                alive.add(thread);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return alive;
    }
}
