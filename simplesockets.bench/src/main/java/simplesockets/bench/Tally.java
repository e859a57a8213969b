package simplesockets.bench;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What went wrong in a run, counted by all of its threads; see the {@link LoadGen} class comment for the keys.
 *
 * <p>Threads: any of a run's threads counts here (the counters are atomic); {@link #keys()} is read once
 * they have ended.
 */
class Tally {
    final AtomicLong badEchoes = new AtomicLong();
    final AtomicLong closed = new AtomicLong();
    final AtomicLong genErrors = new AtomicLong();
    /** Connections whose request went unanswered through the whole measured window (echo and Unix echo). */
    final AtomicLong stalled = new AtomicLong();
    private final AtomicBoolean printed = new AtomicBoolean();

    /** Counts one of the generator's own failures; the first is printed to stderr. */
    void genError(Throwable e) {
        genErrors.incrementAndGet();
        if (printed.compareAndSet(false, true)) {
            System.err.println("load generator error (further ones only counted in gen_errors):");
            e.printStackTrace();
        }
    }

    String keys() {
        return " bad_echoes=" + badEchoes.get() + " closed=" + closed.get() + " gen_errors=" + genErrors.get()
                + " stalled=" + stalled.get();
    }
}
