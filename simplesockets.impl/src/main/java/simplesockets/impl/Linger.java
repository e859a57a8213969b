package simplesockets.impl;

import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long a connection that ends stays for its queued sends: a peer that closed its side may still read
 * the replies to what it sent (a client that half-closes, as {@code ncat} does at the end of its input),
 * so they go out for as long as they keep going out, and are dropped only once a whole window passes
 * with nothing written: not a piece ({@link TimedWrites#PIECE}) of them, however large the send.
 */
final class Linger {

    private static final Logger LOG = LoggerFactory.getLogger(Linger.class);

    private Linger() {
    }

    /**
     * Writes the last sends of a connection that ends, on its own thread: those gathered, then those
     * queued, within {@code linger}, or, for a graceful close, until the close's grace ends the connection.
     * Nothing is written if a writer stays blocked on a peer that does not read.
     *
     * @param id                  the connection's, for the log
     * @param repliesToHalfClosed whether the peer closed its side first and the replies are a server's: they
     *                            go out for as long as the peer reads them ({@link #whileWriting})
     * @param draining            whether a graceful close ends it: its grace bounds the wait
     */
    static void lastSends(Outbound out, long id, boolean repliesToHalfClosed, boolean draining, Duration linger) {
        try {
            // A graceful close bounds these itself: at its grace it ends the link, which closes out.
            Duration max = draining ? null : linger;
            if (repliesToHalfClosed && !draining) {
                whileWriting(out, max);
            } else if (out.flushGathered(max)) { // not if a writer stayed blocked on a peer that does not read
                out.awaitFlushed(max);
            }
        } catch (IOException e) {
            LOG.debug("Writing the last sends of connection {} failed", id, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
