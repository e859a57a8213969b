package simplesockets.testkit;

import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import simplesockets.impl.transport.PeerResetException;

/**
 * One direction of an in-memory connection: a bounded ring of bytes with an end-of-stream marker.
 * A full pipe blocks its writer, as a full TCP window does; an empty one blocks its reader.
 */
final class Pipe {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final Condition writable = lock.newCondition();
    private final byte[] ring;
    private int head;
    private int size;
    /** The writer sent end of stream. */
    private boolean ended;
    /** The reader's end is closed: writes fail. */
    private boolean readerClosed;
    /** The writer reset the connection: reads fail with a reset. */
    private boolean reset;

    Pipe(int capacity) {
        this.ring = new byte[capacity];
    }

    /** Blocks until bytes, end of stream, or the timeout ({@code 0} for none). */
    int read(byte[] buffer, int offset, int length, long timeoutNanos) throws java.io.IOException {
        lock.lock();
        try {
            long nanos = timeoutNanos;
            while (size == 0 && !ended && !readerClosed && !reset) {
                if (timeoutNanos > 0) {
                    if (nanos <= 0) {
                        throw new SocketTimeoutException("Read timed out");
                    }
                    nanos = readable.awaitNanos(nanos);
                } else {
                    readable.await();
                }
            }
            if (readerClosed) {
                throw new SocketException("Socket closed");
            }
            if (reset) {
                throw new PeerResetException("Connection reset");
            }
            if (size == 0) {
                return -1;
            }
            int n = Math.min(length, size);
            for (int i = 0; i < n; i++) {
                buffer[offset + i] = ring[(head + i) % ring.length];
            }
            head = (head + n) % ring.length;
            size -= n;
            writable.signalAll();
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("read interrupted");
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until every byte is in the pipe. */
    void write(byte[] buffer, int offset, int length) throws java.io.IOException {
        int written = 0;
        lock.lock();
        try {
            while (written < length) {
                while (size == ring.length && !readerClosed && !ended && !reset) {
                    writable.await();
                }
                if (ended || reset) {
                    throw new SocketException("Socket closed");
                }
                if (readerClosed) {
                    throw new PeerResetException("Broken pipe");
                }
                int n = Math.min(length - written, ring.length - size);
                int tail = (head + size) % ring.length;
                for (int i = 0; i < n; i++) {
                    ring[(tail + i) % ring.length] = buffer[offset + written + i];
                }
                size += n;
                written += n;
                readable.signalAll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("write interrupted");
        } finally {
            lock.unlock();
        }
    }

    /** The writer sends end of stream; bytes already in the pipe can still be read. */
    void end() {
        lock.lock();
        try {
            ended = true;
            readable.signalAll();
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The reader closes its end: its reads fail, and so do the writer's writes. */
    void closeReader() {
        lock.lock();
        try {
            readerClosed = true;
            readable.signalAll();
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The writer resets: buffered bytes are discarded and the reader sees a reset. */
    void reset() {
        lock.lock();
        try {
            reset = true;
            size = 0;
            readable.signalAll();
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
