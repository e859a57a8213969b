package simplesockets.bench;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;

/**
 * Per-run measurement state shared by the selector threads (or, in blocking mode, the connections' threads):
 * each connection's count of correct replies in the measured window, the warm-up and measured window
 * themselves ({@link #measure}), and the result line's figures ({@link #summarize}).
 *
 * <p>Threads: the generator's threads count and read {@link #measuring} and {@link #stop}; the thread
 * that started the run calls {@link #measure}, sets {@link #stop}, and summarizes once the others have ended.
 */
final class Run extends Tally {
    final AtomicLongArray counts;
    /** Connection {@code i} is served by the generator's thread {@code i % threads}. */
    final int threads;
    volatile boolean measuring;
    volatile boolean stop;
    long started;

    Run(int connections, int threads) {
        counts = new AtomicLongArray(connections);
        this.threads = threads;
    }

    /**
     * The result line's figures. Fairness is the least-served connection's count over the most-served
     * one's among the connections of one of the generator's threads, the worst of its threads: the
     * threads themselves run at rates the OS decides (in many rounds one sends on its connections 15 to
     * 20% more often than the other, whatever the server), which is not the server's unfairness. The
     * ratio over all connections is {@code fairness_all}. Then the {@link Tally}'s keys.
     */
    String summarize(List<Histogram> histograms, double seconds) {
        Histogram all = new Histogram(3_600_000_000L, 3);
        histograms.forEach(all::add);
        long[] min = new long[threads];
        long[] max = new long[threads];
        Arrays.fill(min, Long.MAX_VALUE);
        long total = 0;
        long[] sorted = new long[counts.length()];
        for (int i = 0; i < sorted.length; i++) {
            long c = counts.get(i);
            min[i % threads] = Math.min(min[i % threads], c);
            max[i % threads] = Math.max(max[i % threads], c);
            total += c;
            sorted[i] = c;
        }
        double fairness = 1;
        for (int t = 0; t < threads && t < sorted.length; t++) {
            fairness = Math.min(fairness, max[t] == 0 ? 0 : (double) min[t] / max[t]);
        }
        Arrays.sort(sorted);
        long lowest = sorted[0];
        long highest = sorted[sorted.length - 1];
        return String.format(java.util.Locale.ROOT,
                "messages=%d msgs_per_s=%.0f p50_us=%.1f p99_us=%.1f p999_us=%.1f fairness=%.3f fairness_all=%.3f"
                        + " count_min=%d count_p1=%d count_p50=%d count_p99=%d count_max=%d",
                total, total / seconds, all.getValueAtPercentile(50) / 1000.0, all.getValueAtPercentile(99) / 1000.0,
                all.getValueAtPercentile(99.9) / 1000.0, fairness, highest == 0 ? 0 : (double) lowest / highest,
                lowest, sorted[sorted.length / 100], sorted[sorted.length / 2], sorted[sorted.length * 99 / 100], highest)
                + keys();
    }

    /**
     * Warm up, then measure, then tell the generator's threads to stop; tells the harness when measuring
     * starts and ends, for its CPU readings.
     *
     * @return the seconds measured
     */
    double measureThenStop(int warmup, int measure) throws Exception {
        Thread.sleep(warmup * 1000L);
        System.out.println("measuring");
        System.out.flush();
        started = System.nanoTime();
        measuring = true;
        Thread.sleep(measure * 1000L);
        measuring = false;
        System.out.println("measured");
        System.out.flush();
        double seconds = (System.nanoTime() - started) / 1e9;
        stop = true;
        return seconds;
    }
}
