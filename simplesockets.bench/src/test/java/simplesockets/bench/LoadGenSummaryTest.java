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
        Map<String, Double> uneven = summary(2, 30, 20, 30, 40);
        assertEquals(0.5, uneven.get("fairness"), 1e-9, "thread 1: 20 / 40; thread 0 is even (30 / 30)");
        assertEquals(0.5, uneven.get("fairness_all"), 1e-9, "20 / 40 over all");
        assertEquals(120, uneven.get("messages"));

        Map<String, Double> apart = summary(2, 20, 40, 20, 40); // each thread even, one twice as fast
        assertEquals(1.0, apart.get("fairness"), 1e-9, "each thread serves its connections evenly");
        assertEquals(0.5, apart.get("fairness_all"), 1e-9, "the threads' own difference");
        assertEquals(20, apart.get("count_min"));
        assertEquals(40, apart.get("count_max"));
    }

    @Test
    void oneThreadReadsAllConnectionsTogether() {
        Map<String, Double> result = summary(1, 10, 40, 20);
        assertEquals(0.25, result.get("fairness"), 1e-9);
        assertEquals(0.25, result.get("fairness_all"), 1e-9);
    }

    @Test
    void whatWentWrongFollowsTheFigures() {
        Run run = new Run(2, 2);
        run.counts.set(0, 5);
        run.counts.set(1, 5);
        Map<String, Double> clean = Bench.values(run.summarize(List.of(new Histogram(3_600_000_000L, 3)), 1.0));
        assertEquals(0, clean.get("bad_echoes"));
        assertEquals(0, clean.get("closed"));
        assertEquals(0, clean.get("gen_errors"));

        run.badEchoes.set(3);
        run.closed.set(1);
        run.genErrors.set(2);
        Map<String, Double> bad = Bench.values(run.summarize(List.of(new Histogram(3_600_000_000L, 3)), 1.0));
        assertEquals(3, bad.get("bad_echoes"));
        assertEquals(1, bad.get("closed"));
        assertEquals(2, bad.get("gen_errors"));
        assertEquals(10, bad.get("messages"), "the figures stay as they were");
    }

    /** The result line of a run whose connections were answered {@code counts} times, read as the harness reads it. */
    private static Map<String, Double> summary(int threads, long... counts) {
        Run run = new Run(counts.length, threads);
        for (int i = 0; i < counts.length; i++) {
            run.counts.set(i, counts[i]);
        }
        return Bench.values(run.summarize(List.of(new Histogram(3_600_000_000L, 3)), 1.0));
    }
}
