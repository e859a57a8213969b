package simplesockets.impl;

import java.io.IOException;
import java.time.Duration;

/**
 * How long a connection that ends stays for its queued sends: a peer that closed its side may still read
 * the replies to what it sent (a client that half-closes, as {@code ncat} does at the end of its input),
 * so they go out for as long as they keep going out, and are dropped only once a whole window passes
 * with nothing written: not a piece ({@link TimedWrites#PIECE}) of them, however large the send.
 */
final class Linger {

    private Linger() {
    }

    /**
     * Writes the sends gathered on the connection's own thread, then waits until every queued send of
     * {@code out} is written, while each {@code window} sees at least one piece written; blocks the calling
     * thread (the connection's own).
     *
     * @return whether everything was written
     * @throws IOException          if writing the gathered sends failed
     * @throws InterruptedException if the thread is interrupted (the owner's close ran out of time)
     */
    static boolean whileWriting(Outbound out, Duration window) throws IOException, InterruptedException {
        long pieces = out.writes().pieces();
        while (!out.flushGathered(window)) { // the writer holds the socket, blocked on the peer's pace
            pieces = progressed(out, pieces);
            if (pieces < 0) {
                return false;
            }
        }
        while (!out.awaitFlushed(window)) {
            pieces = progressed(out, pieces);
            if (pieces < 0) {
                return false;
            }
        }
        return true;
    }

    /** The pieces written so far if more than {@code before}, else -1: nothing written for a whole window, the peer does not read. */
    private static long progressed(Outbound out, long before) {
        long now = out.writes().pieces();
        return now != before ? now : -1;
    }
}
