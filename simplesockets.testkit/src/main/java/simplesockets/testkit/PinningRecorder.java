package simplesockets.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingStream;

/**
 * Fails a test when a virtual thread was pinned to its carrier while it ran: it listens to the JFR
 * event {@code jdk.VirtualThreadPinned} from construction to {@link #close()}.
 *
 * {@snippet :
 * try (PinningRecorder pinning = new PinningRecorder()) {
 *     // ... load the server ...
 * } // throws AssertionError, with the pinned stacks, if any virtual thread was pinned
 * }
 *
 * <p>On JDK 21 to 23, blocking inside {@code synchronized} pins; from JDK 24 on, pinning is left to
 * native frames and class initializers. The recorder reports whatever the running JDK reports, but for
 * three cases that are the JDK's own doing, not the code under test's:
 * <ul>
 *   <li>a pinning while the JDK loads a class (the first use of a class on a virtual thread);</li>
 *   <li>a pinning inside the {@code commit()} of a JFR event: the JDK pins a virtual thread there on
 *       purpose while it writes the event's strings (JDK-8338417), so code that records events with
 *       string fields, this library's included, may block there briefly while pinned when many
 *       threads commit at once, which the recording this recorder starts makes happen.</li>
 *   <li>a pinning inside {@code Thread.start()} of a virtual thread: the JDK adds the new thread to its
 *       own set of threads there, in a critical section, and may wait for that set's lock while pinned
 *       when many threads start at once (seen on JDK 25 as "Freeze or preempt failed" on a contended
 *       monitor of a {@code ConcurrentHashMap}).</li>
 * </ul>
 * Starting JFR costs some tens of milliseconds; use one recorder around a whole load-style test. It
 * hears every virtual thread of the JVM, not only the test's: with tests run in parallel, a pinning in
 * one test fails whichever recorders are open, so run tests that use it on their own (JUnit's
 * {@code @Isolated}, say).
 */
public final class PinningRecorder implements AutoCloseable {

    private static final String EVENT = "jdk.VirtualThreadPinned";
    private static final int KEPT = 20;

    private final RecordingStream stream;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<String> pinnings = new ArrayList<>();
    private final AtomicLong count = new AtomicLong();
    private boolean closed;

    /** Starts recording every pinning, however short. */
    public PinningRecorder() {
        this(Duration.ZERO);
    }

    /**
     * Starts recording pinnings that last at least {@code threshold}.
     *
     * @param threshold the shortest pinning reported
     */
    public PinningRecorder(Duration threshold) {
        stream = new RecordingStream();
        stream.enable(EVENT).withThreshold(threshold).withStackTrace();
        stream.onEvent(EVENT, this::record);
        stream.startAsync();
    }

    private void record(RecordedEvent event) {
        if (insideEventCommit(event) || loadingAClass(event) || startingAThread(event)) {
            return;
        }
        count.incrementAndGet();
        lock.lock();
        try {
            if (pinnings.size() < KEPT) {
                pinnings.add(describe(event));
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether the pinned thread was committing a JFR event: a frame of its stack is an event's
     * {@code commit} (the park that was pinned is above it, in the JDK's event writer or its locks).
     */
    private static boolean insideEventCommit(RecordedEvent event) {
        if (event.getStackTrace() == null) {
            return false;
        }
        for (RecordedFrame frame : event.getStackTrace().getFrames()) {
            if (frame.getMethod().getName().equals("commit") && isEvent(frame.getMethod().getType().getName())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isEvent(String typeName) {
        try {
            Class<?> type = Class.forName(typeName, false, Thread.currentThread().getContextClassLoader());
            return jdk.jfr.Event.class.isAssignableFrom(type);
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Whether the pinned thread was starting a virtual thread: the JDK's {@code VirtualThread.start} is on its stack. */
    private static boolean startingAThread(RecordedEvent event) {
        return onStack(event, "java.lang.VirtualThread", "start");
    }

    /** Whether the pinned thread was loading a class: a class loader's {@code loadClass} is on its stack. */
    private static boolean loadingAClass(RecordedEvent event) {
        return onStack(event, "java.lang.ClassLoader", "loadClass");
    }

    /** Whether a frame of the pinned thread's stack is the method named, of the type named. */
    private static boolean onStack(RecordedEvent event, String type, String method) {
        if (event.getStackTrace() == null) {
            return false;
        }
        for (RecordedFrame frame : event.getStackTrace().getFrames()) {
            if (frame.getMethod().getName().equals(method) && frame.getMethod().getType().getName().equals(type)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(RecordedEvent event) {
        StringBuilder text = new StringBuilder("pinned for ").append(event.getDuration().toMillis()).append(" ms");
        if (event.getThread() != null) {
            text.append(" on ").append(event.getThread().getJavaName());
        }
        for (String field : new String[] {"pinnedReason", "blockingOperation"}) { // JDK 24 and later
            if (event.hasField(field) && event.getString(field) != null) {
                text.append(", ").append(field).append(": ").append(event.getString(field));
            }
        }
        if (event.getStackTrace() != null) {
            for (RecordedFrame frame : event.getStackTrace().getFrames()) {
                text.append("\n\tat ").append(frame.getMethod().getType().getName()).append('.')
                        .append(frame.getMethod().getName()).append(':').append(frame.getLineNumber());
            }
        }
        return text.toString();
    }

    /**
     * How many pinnings were seen so far. Events arrive with a delay; {@link #close()} waits for all
     * of them.
     *
     * @return the count
     */
    public long count() {
        return count.get();
    }

    /**
     * Descriptions (with stacks) of the first pinnings seen, at most 20.
     *
     * @return a snapshot
     */
    public List<String> pinnings() {
        lock.lock();
        try {
            return List.copyOf(pinnings);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops recording, waits for every event recorded so far, and fails if any virtual thread was
     * pinned. Idempotent.
     *
     * @throws AssertionError if a pinning was recorded
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lock.unlock();
        }
        stream.stop();
        stream.close();
        if (count.get() > 0) {
            throw new AssertionError("a virtual thread was pinned " + count.get() + " time(s):\n"
                    + String.join("\n", pinnings()));
        }
    }
}
