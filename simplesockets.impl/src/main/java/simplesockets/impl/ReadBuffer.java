package simplesockets.impl;

/**
 * A connection's read buffer, sized by what the reads return, as Netty's adaptive allocator sizes
 * its buffers. The first read is {@link #FIRST} bytes. A read that fills the buffer doubles it, up to
 * {@link #MAX} (or the largest piece, if that is larger); two reads in a row that use under a quarter
 * of it halve it, down to {@link #MIN}. A virtual thread parked in a read holds its buffer, so a
 * connection whose messages are small holds a small one, while a stream is read in large chunks; one
 * that goes quiet right after a stream keeps its last size (up to {@link #MAX}) until it reads again.
 *
 * <p>Only the connection's reader uses it; {@link #size()} may be read by any thread.
 */
final class ReadBuffer {

    /** The largest read, in bytes, unless the largest piece is larger. */
    static final int MAX = 64 * 1024;
    /** The smallest read, in bytes. */
    static final int MIN = 64;
    /** The first read of a connection, in bytes. */
    static final int FIRST = 256;

    private final int max;
    private byte[] array;
    private int smallReads;
    /** The array's length, published for {@link #size()}. */
    private volatile int size;

    /**
     * Makes the buffer for one connection.
     *
     * @param largestPiece the configured receive size, the largest piece handed out at once
     */
    ReadBuffer(int largestPiece) {
        this.max = Math.max(largestPiece, MAX);
        this.array = new byte[FIRST];
        this.size = FIRST;
    }

    /** The array to read into next. */
    byte[] array() {
        return array;
    }

    /** The size of the next read; any thread may ask. */
    int size() {
        return size;
    }

    /** Lets go of the array: the connection ended. */
    void release() {
        array = new byte[0];
        size = 0;
    }

    /**
     * Sizes the next read from the one just made. A new array is made on a change, or when the bytes
     * read were handed over as they are; the old one is left to whoever holds it.
     *
     * @param n    the bytes the read returned
     * @param kept whether the array itself was handed over, so the next read needs a new one
     */
    void filled(int n, boolean kept) {
        int current = array.length;
        int next = current;
        if (n == current && current < max) {
            next = (int) Math.min(max, 2L * current); // in long: a largest piece past 1 GiB would overflow
            smallReads = 0;
        } else if (n < current / 4 && current > MIN) {
            if (++smallReads >= 2) {
                next = Math.max(MIN, current / 2);
                smallReads = 0;
            }
        } else {
            smallReads = 0;
        }
        if (next != current || kept) {
            array = new byte[next];
        }
        size = next;
    }
}
