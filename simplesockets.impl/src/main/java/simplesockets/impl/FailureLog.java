package simplesockets.impl;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.Failure;
import simplesockets.api.OnFailure;
import simplesockets.impl.jfr.JfrEvents;

/**
 * The seed's exception list and flag, bounded: past {@code max} entries the oldest is dropped and
 * counted. The flag is the seed's {@code occurred}: set by every record, cleared only on request.
 * Every failure is also counted by kind, for stats, and given to the flight recorder.
 */
final class FailureLog {

    private static final Logger LOG = LoggerFactory.getLogger(FailureLog.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Failure> failures = new ArrayDeque<>();
    private final int max;
    private final String side;
    private final Map<Class<? extends Failure>, Long> counts = new HashMap<>();
    private long dropped;
    private boolean occurred;

    /**
     * @param side {@code "server"} or {@code "client"}, for the flight recorder
     */
    FailureLog(int max, String side) {
        this.max = max;
        this.side = side;
    }

    /**
     * Records a failure, then hands it to the user's {@code onFailure} callback when there is one, or
     * else to {@code unhandled} (which queues it as an event). A throwing callback is logged (through
     * {@code warnings}, at most a line every few seconds), never recorded again: that could loop.
     */
    void report(Failure failure, OnFailure callback, Consumer<Failure> unhandled, Warnings warnings) {
        record(failure);
        if (callback == null) {
            unhandled.accept(failure);
            return;
        }
        call(callback, failure, warnings);
    }

    /** Hands a recorded failure to the user's callback; a throwing callback is logged, rate-limited, never recorded again. */
    static void call(OnFailure callback, Failure failure, Warnings warnings) {
        try {
            callback.failed(failure);
        } catch (Exception | AssertionError e) {
            warnings.warn(LOG, "onFailure threw", "The onFailure callback threw; not recorded again", e);
        }
    }

    void record(Failure failure) {
        lock.lock();
        try {
            if (failures.size() >= max) {
                failures.pollFirst();
                dropped++;
            }
            failures.addLast(failure);
            occurred = true;
            counts.merge(failure.getClass(), 1L, Long::sum);
        } finally {
            lock.unlock();
        }
        JfrEvents.failure(side, failure);
    }

    /** How many failures of each kind were recorded, dropped ones included. */
    Map<Class<? extends Failure>, Long> counts() {
        lock.lock();
        try {
            return Map.copyOf(counts);
        } finally {
            lock.unlock();
        }
    }

    List<Failure> snapshot(boolean delete, boolean reset) {
        lock.lock();
        try {
            List<Failure> copy = List.copyOf(failures);
            if (delete) {
                failures.clear();
            }
            if (reset) {
                occurred = false;
            }
            return copy;
        } finally {
            lock.unlock();
        }
    }

    boolean occurred() {
        lock.lock();
        try {
            return occurred;
        } finally {
            lock.unlock();
        }
    }

    long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }
}
