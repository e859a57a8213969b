package simplesockets.impl;

import java.io.IOException;
import java.util.Arrays;

/**
 * The sends a callback makes on its connection's own thread while the reader hands out the pieces of
 * one read, gathered ("corked") to be written once after the last piece: a stream costs one write per
 * read, not one per piece. Guarded by the write path's write lock.
 */
final class Cork {

    /** How bytes reach the socket. */
    @FunctionalInterface
    interface Sink {
        void write(byte[] bytes, int offset, int length) throws IOException;
    }

    /** The most bytes gathered before they are written anyway. */
    static final int MAX = 64 * 1024;

    private byte[] buffer;
    private int length;

    /** Adds bytes, writing what was gathered first when they would not fit. */
    void gather(byte[] bytes, Sink sink) throws IOException {
        if (length + bytes.length > MAX) {
            flush(sink);
            if (bytes.length >= MAX) {
                sink.write(bytes, 0, bytes.length);
                return;
            }
        }
        int needed = length + bytes.length;
        if (buffer == null) {
            buffer = new byte[Math.max(needed, 4096)];
        } else if (buffer.length < needed) {
            buffer = Arrays.copyOf(buffer, Math.min(MAX, Math.max(needed, 2 * buffer.length)));
        }
        System.arraycopy(bytes, 0, buffer, length, bytes.length);
        length += bytes.length;
    }

    /** Writes what was gathered, if anything. */
    void flush(Sink sink) throws IOException {
        if (length > 0) {
            int n = length;
            length = 0;
            sink.write(buffer, 0, n);
        }
    }
}
