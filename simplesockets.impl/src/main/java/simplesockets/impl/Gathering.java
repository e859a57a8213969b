package simplesockets.impl;

import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * The writer's batch of queued sends, joined into one array so that it costs one write: sends are taken
 * from the queue under its lock ({@link #takeMore}) and copied outside it ({@link #joined}). Only the
 * holder of the connection's write lock uses it, between the two.
 */
final class Gathering {

    private final int max;
    private final ArrayList<byte[]> taking = new ArrayList<>();
    private int takingSize;

    /** @param max the most bytes of one batch */
    Gathering(int max) {
        this.max = max;
    }

    /**
     * Takes the sends that follow {@code first} out of {@code queue} while they fit in the batch with it;
     * under the queue's lock.
     *
     * @return how many sends the batch holds ({@code first} included): more than one means it must be
     *         {@linkplain #joined() joined}
     */
    int takeMore(ArrayDeque<byte[]> queue, byte[] first) {
        int size = first.length;
        for (byte[] next = queue.peekFirst(); next != null && size + next.length <= max; next = queue.peekFirst()) {
            if (taking.isEmpty()) {
                taking.add(first);
            }
            taking.add(queue.pollFirst());
            size += next.length;
        }
        takingSize = size;
        return Math.max(1, taking.size());
    }

    /** The sends taken by {@link #takeMore}, copied into one array; without the queue's lock. */
    byte[] joined() {
        byte[] batch = new byte[takingSize];
        int at = 0;
        for (byte[] part : taking) {
            System.arraycopy(part, 0, batch, at, part.length);
            at += part.length;
        }
        taking.clear();
        return batch;
    }
}
