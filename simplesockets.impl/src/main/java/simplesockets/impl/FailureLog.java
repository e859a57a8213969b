package simplesockets.impl;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.Failure;
import simplesockets.api.OnFailure;

/**
 * The seed's exception list and flag, bounded: past {@code max} entries the oldest is dropped and
 * counted. The flag is the seed's {@code occurred}: set by every record, cleared only on request.
 */
final class FailureLog {

    private static final Logger LOG = LoggerFactory.getLogger(FailureLog.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Failure> failures = new ArrayDeque<>();
    private final int max;
    private long dropped;
    private boolean occurred;

    FailureLog(int max) {
        this.max = max;
    }

    /**
     * Records a failure, then hands it to the user's {@code onFailure} callback when there is one, or
     * else to {@code unhandled} (which queues it as an event). A throwing callback is logged, never
     * recorded again: that could loop.
     */
    void report(Failure failure, OnFailure callback, Consumer<Failure> unhandled) {
        record(failure);
        if (callback == null) {
            unhandled.accept(failure);
            return;
        }
        try {
            callback.failed(failure);
        } catch (Exception | AssertionError e) {
            LOG.warn("The onFailure callback threw; not recorded again", e);
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
