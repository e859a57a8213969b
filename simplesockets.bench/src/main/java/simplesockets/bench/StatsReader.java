package simplesockets.bench;

import simplesockets.api.TcpServer;

/**
 * Reads a bench server's {@code stats()} every so often, as an operator's monitoring would, when the
 * server process runs with {@code -Dbench.stats=MILLIS} ({@link StatsCost} sets it). Without the
 * property it does nothing, so that the same bench classes also run against an engine that has no
 * {@code stats()}.
 */
final class StatsReader {

    /** The last snapshot, kept so that reading it cannot be optimized away. */
    private static volatile Object last;

    private StatsReader() {
    }

    static void startIfAsked(TcpServer server) {
        String every = System.getProperty("bench.stats");
        if (every != null) {
            long millis = Long.parseLong(every);
            Thread.ofPlatform().daemon().name("stats-reader").start(() -> read(server, millis));
        }
    }

    private static void read(TcpServer server, long millis) {
        try {
            while (true) {
                Thread.sleep(millis);
                last = server.stats();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
