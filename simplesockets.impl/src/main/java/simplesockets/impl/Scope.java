package simplesockets.impl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns every thread a server or client starts: our structured concurrency. {@link #fork} starts a
 * named virtual thread inside the scope; {@link #close} joins them all within a deadline, interrupts
 * the ones that are late, and reports any that still live. Once closed, nothing more can be forked. A
 * {@link #child} thread is owned by the scope's thread that starts it, which joins it, or, giving up,
 * hands it back ({@link #adopt}) for the scope's close to join.
 *
 * <p>The JDK's {@code StructuredTaskScope} is still a preview API in JDK 21 to 25; this small type
 * is where it would go once it is final.
 */
final class Scope {

    private static final Logger LOG = LoggerFactory.getLogger(Scope.class);
    /** How long the threads that ignored the deadline get after they are interrupted. */
    private static final Duration AFTER_INTERRUPT = Duration.ofMillis(100);

    private final String prefix;
    private final Duration afterInterrupt;
    private final AtomicLong counter = new AtomicLong();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    /**
     * Threads whose task ended and that left {@link #threads}, until they are seen terminated: a thread
     * cannot say when it has terminated, only that its task is over, so {@link #close} joins these too.
     * Each thread that leaves drops the ones that have terminated, so this holds about as many as end at
     * once.
     */
    private final java.util.Queue<Thread> exiting = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Thread factories of {@link #child} threads, by name. */
    private final ConcurrentHashMap<String, ThreadFactory> children = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    /** Written under the lock; read without it by {@link #child}. */
    private volatile boolean closed;

    /**
     * @param prefix the start of every thread name, such as {@code "simplesockets-server-3-"}
     */
    Scope(String prefix) {
        this(prefix, AFTER_INTERRUPT);
    }

    /**
     * @param afterInterrupt how long the threads late for a close get once interrupted ({@link #AFTER_INTERRUPT}
     *                       but in tests, which give a loaded machine longer to tell "ended on the interrupt"
     *                       from "would not end")
     */
    Scope(String prefix, Duration afterInterrupt) {
        this.prefix = prefix;
        this.afterInterrupt = afterInterrupt;
    }

    /**
     * Starts a virtual thread named {@code prefix + name + "-" + n}.
     *
     * @throws RejectedExecutionException if the scope is closed
     */
    Thread fork(String name, Runnable task) {
        return start(Thread.ofVirtual(), name, new Tracked(task, this));
    }

    /**
     * Starts a virtual thread named as {@link #fork} names it, for a task that leaves the scope itself: its
     * last act, on its own thread however it ends, must be {@link #leave()}. Its thread runs it with no
     * frame of the scope's beneath it, which every idle connection's thread would keep on its stack.
     *
     * @throws RejectedExecutionException if the scope is closed
     */
    Thread forkLeaving(String name, Runnable task) {
        return start(Thread.ofVirtual(), name, task);
    }

    /**
     * The last act of a tracked thread's task, on that thread: it leaves the scope's set, and {@link #close}
     * joins it until it has terminated.
     */
    void leave() {
        Thread me = Thread.currentThread();
        exiting.removeIf(ended -> !ended.isAlive());
        exiting.add(me); // before it leaves the set: a close sees it in one or the other
        threads.remove(me);
    }

    /**
     * Takes over a {@link #child} thread that its owner gave up waiting for (a writer still in a user's
     * callback when its connection's thread ends): {@link #close} joins it like its own, and names it if it
     * outlives the close.
     */
    void adopt(Thread child) {
        exiting.removeIf(ended -> !ended.isAlive());
        exiting.add(child);
    }

    /**
     * Makes a virtual thread named {@code prefix + name}, not started and not tracked here: it belongs to
     * the thread that starts it, which joins it before it ends itself ({@link Outbound}'s writer is
     * joined by its connection's thread). So a thread started for every burst of replies costs no entry in
     * the scope's set and no name of its own, while {@link #close} still waits for it through its owner.
     *
     * @throws RejectedExecutionException if the scope is closed
     */
    Thread child(String name, Runnable task) {
        if (closed) {
            throw new RejectedExecutionException("scope " + prefix + " is closed");
        }
        return children.computeIfAbsent(name,
                n -> Thread.ofVirtual().name(prefix + n).uncaughtExceptionHandler(Scope::uncaught).factory())
                .newThread(task);
    }

    private static void uncaught(Thread t, Throwable e) {
        LOG.warn("Bug: thread {} ended with an exception", t.getName(), e);
    }

    /**
     * Starts a platform thread in the scope, for the one loop that must never wait behind thousands
     * of busy virtual threads: accepting. (Helidon does the same.) It is a daemon, and is joined on
     * close like the rest.
     */
    Thread forkPlatform(String name, Runnable task) {
        return start(Thread.ofPlatform().daemon(), name, new Tracked(task, this));
    }

    private Thread start(Thread.Builder builder, String name, Runnable task) {
        Thread thread = builder
                .name(prefix + name + "-" + counter.incrementAndGet())
                .uncaughtExceptionHandler(Scope::uncaught)
                .unstarted(task);
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

    /**
     * A tracked thread's body: the task, then out of the scope's set. A class rather than a lambda, for
     * one frame less on every stack.
     */
    private record Tracked(Runnable task, Scope scope) implements Runnable {
        @Override
        public void run() {
            try {
                task.run();
            } finally {
                scope.leave();
            }
        }
    }

    /** How many threads it tracks now: started, and not yet left ({@link #leave()}); for tests. */
    int tracked() {
        return threads.size();
    }

    /**
     * Whether {@code thread} is one of this scope's: one it tracks (a connection's, say), or a
     * {@link #child} of one (a connection's writer, which runs callbacks too), known by its name.
     */
    boolean owns(Thread thread) {
        return threads.contains(thread) || thread.isVirtual() && thread.getName().startsWith(prefix);
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
        List<Thread> all = new ArrayList<>(threads);
        all.addAll(exiting); // after the set: one that moves meanwhile is in the one or the other
        java.util.Set<Thread> seen = new java.util.HashSet<>();
        while (!all.isEmpty()) { // again for the children adopted meanwhile by the threads joined
            for (Thread thread : all) {
                seen.add(thread);
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
            all = exiting.stream().filter(thread -> !seen.contains(thread)).toList();
        }
        late.forEach(Thread::interrupt);
        List<Thread> alive = new ArrayList<>();
        long secondDeadline = System.nanoTime() + afterInterrupt.toNanos();
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
