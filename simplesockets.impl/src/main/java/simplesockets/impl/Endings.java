package simplesockets.impl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import simplesockets.api.DisconnectReason;

/**
 * Ends many links with one reason, as a close or a timeout check does: a link whose close may wait a
 * moment (TLS: a close_notify that a peer that does not read leaves unwritten, up to 200 ms) on a thread
 * of its own, side by side with the others; the rest on the calling thread, where closing never waits.
 * One after another, many such links would stretch the caller far past its bound.
 */
final class Endings {

    private Endings() {
    }

    /**
     * Ends every link of {@code links} with {@code why}, and waits for those ended on threads of
     * {@code scope}, at most {@code max} in all (once the scope is closed, every link is ended here).
     *
     * @throws InterruptedException if interrupted while it waits; the links are ended or being ended
     */
    static void endAll(Iterable<Link> links, DisconnectReason why, Scope scope, Duration max)
            throws InterruptedException {
        List<Thread> enders = new ArrayList<>();
        for (Link link : links) {
            if (link.transport().closeMayWait()) {
                try {
                    enders.add(scope.fork("closing", () -> link.end(why)));
                    continue;
                } catch (RejectedExecutionException closing) {
                    // the scope closes already: ended here
                }
            }
            link.end(why);
        }
        long wait = WaitLimit.nanos(max);
        long started = System.nanoTime();
        for (Thread ender : enders) {
            Scope.join(ender, Duration.ofNanos(Math.max(0, wait - (System.nanoTime() - started))));
        }
    }
}
