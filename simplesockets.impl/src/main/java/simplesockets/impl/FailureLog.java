package simplesockets.impl;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import simplesockets.api.Failure;

/**
 * The seed's exception list and flag, bounded: past {@code max} entries the oldest is dropped and
 * counted. The flag is the seed's {@code occurred}: set by every record, cleared only on request.
 */
final class FailureLog {

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Failure> failures = new ArrayDeque<>();
    private final int max;
    private long dropped;
    private boolean occurred;

    FailureLog(int max) {
        this.max = max;
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
