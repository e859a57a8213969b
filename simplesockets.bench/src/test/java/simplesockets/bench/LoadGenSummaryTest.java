package simplesockets.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The load generator's result line: fairness is read among the connections of one of its threads, so
 * that a thread the OS runs faster than the other does not count as the server's unfairness.
 */
class LoadGenSummaryTest {

    @Test
    void fairnessIsTheWorseThreadsMinOverMaxAndTheOverallRatioStandsBesideIt() {
        // Thread 0 serves connections 0 and 2, thread 1 connections 1 and 3.
        LoadGen.Run run = new LoadGen.Run(4, 2);
        long[] counts = {30, 20, 30, 40};
        for (int i = 0; i < counts.length; i++) {
            run.counts.set(i, counts[i]);
        }
        Map<String, Double> result = Bench.values(run.summarize(List.of(new Histogram(3_600_000_000L, 3)), 1.0));
        assertEquals(0.5, result.get("fairness"), 1e-9, "thread 1: 20 / 40; thread 0 is even (30 / 30)");
        assertEquals(0.5, result.get("fairness_all"), 1e-9, "20 / 40 over all");
        assertEquals(120, result.get("messages"));

        LoadGen.Run skewed = new LoadGen.Run(4, 2);
        long[] apart = {20, 40, 20, 40}; // each thread even, one twice as fast as the other
        for (int i = 0; i < apart.length; i++) {
            skewed.counts.set(i, apart[i]);
        }
        Map<String, Double> threads = Bench.values(skewed.summarize(List.of(new Histogram(3_600_000_000L, 3)), 1.0));
        assertEquals(1.0, threads.get("fairness"), 1e-9, "each thread serves its connections evenly");
        assertEquals(0.5, threads.get("fairness_all"), 1e-9, "the threads' own difference");
        assertEquals(20, threads.get("count_min"));
        assertEquals(40, threads.get("count_max"));
    }

    @Test
    void oneThreadReadsAllConnectionsTogether() {
        LoadGen.Run run = new LoadGen.Run(3, 1);
        run.counts.set(0, 10);
        run.counts.set(1, 40);
        run.counts.set(2, 20);
        Map<String, Double> result = Bench.values(run.summarize(List.of(new Histogram(3_600_000_000L, 3)), 1.0));
        assertEquals(0.25, result.get("fairness"), 1e-9);
        assertEquals(0.25, result.get("fairness_all"), 1e-9);
    }
}
