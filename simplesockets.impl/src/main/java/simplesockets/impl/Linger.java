package simplesockets.impl;

import java.io.IOException;
import java.time.Duration;

/**
 * How long a connection that ends stays for its queued sends: a peer that closed its side may still read
 * the replies to what it sent (a client that half-closes, as {@code ncat} does at the end of its input),
 * so they go out for as long as they keep going out, and are dropped only once a whole window passes
 * with nothing written.
 */
final class Linger {

    private Linger() {
    }

    /**
     * Writes the sends gathered on the connection's own thread, then waits until every queued send of
     * {@code out} is written, while each {@code window} sees at least one batch written; blocks the calling
     * thread (the connection's own).
     *
     * @return whether everything was written
     * @throws IOException          if writing the gathered sends failed
     * @throws InterruptedException if the thread is interrupted (the owner's close ran out of time)
     */
    static boolean whileWriting(Outbound out, Duration window) throws IOException, InterruptedException {
        long pending = out.pendingBytes();
        while (!out.flushGathered(window)) { // the writer holds the socket, blocked on the peer's pace
            pending = progressed(out, pending);
            if (pending < 0) {
                return false;
            }
        }
        while (!out.awaitFlushed(window)) {
            pending = progressed(out, pending);
            if (pending < 0) {
                return false;
            }
        }
        return true;
    }

    /** The bytes still pending if fewer than {@code before}, else -1: nothing written for a whole window, the peer does not read. */
    private static long progressed(Outbound out, long before) {
        long left = out.pendingBytes();
        return left < before ? left : -1;
    }
}
