package simplesockets.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The statistics the reports give: medians and ranges over rounds, ratios taken within a round, the
 * servers' order per round, and the rounds whose echo was wrong.
 */
class ResultsTest {

    @Test
    void aRatioIsTheMedianOfSameRoundRatiosNotARatioOfMedians() {
        // The machine drifts: both servers fast in round 0, slow in round 2.
        Results results = Results.parse(List.of(
                "echo,ss-raw,100,0,msgs_per_s,90", "echo,netty-nio,100,0,msgs_per_s,100",
                "echo,ss-raw,100,1,msgs_per_s,40", "echo,netty-nio,100,1,msgs_per_s,80",
                "echo,ss-raw,100,2,msgs_per_s,30", "echo,netty-nio,100,2,msgs_per_s,40"));
        Results.Spread ratio = results.ratio("echo", "ss-raw", "netty-nio", 100, "msgs_per_s");
        assertEquals(0.75, ratio.median(), 1e-9, "0.9, 0.5 and 0.75");
        assertEquals(0.5, ratio.min(), 1e-9);
        assertEquals(0.9, ratio.max(), 1e-9);
        assertEquals(3, ratio.rounds());
        assertEquals("0.75x (0.50..0.90)", ratio.asRatio());
        assertEquals(0.5, results.median("echo", "ss-raw", 100, "msgs_per_s") / results.median("echo", "netty-nio", 100, "msgs_per_s"),
                1e-9, "the ratio of medians, 40 / 80, would say otherwise");
    }

    @Test
    void aMedianOfAnEvenCountIsTheMeanOfTheMiddleTwoAndMissingRoundsAreLeftOut() {
        Results results = Results.parse(List.of(
                "echo,a,1,0,m,4", "echo,a,1,1,m,1", "echo,a,1,2,m,3", "echo,a,1,3,m,2",
                "echo,b,1,0,m,2", "echo,b,1,2,m,1"));
        assertEquals(2.5, results.median("echo", "a", 1, "m"), 1e-9);
        assertEquals(4, results.max("echo", "a", 1, "m"), 1e-9);
        Results.Spread ratio = results.ratio("echo", "a", "b", 1, "m");
        assertEquals(2, ratio.rounds(), "rounds 1 and 3 have no peer");
        assertEquals(2.5, ratio.median(), 1e-9, "4 / 2 and 3 / 1");
        assertTrue(Double.isNaN(results.median("echo", "c", 1, "m")), "nothing measured is NaN, never 0");
        assertEquals("n/a", results.ratio("echo", "c", "b", 1, "m").asRatio());
    }

    @Test
    void rowsWrittenBeforeTheRoundColumnAreNumberedInTheOrderTheyRan() {
        Results results = Results.parse(List.of(
                "echo,ss-raw,100,msgs_per_s,50", "echo,netty-nio,100,msgs_per_s,100",
                "echo,ss-raw,100,msgs_per_s,90", "echo,netty-nio,100,msgs_per_s,100"));
        assertEquals(1, results.value("echo", "ss-raw", 100, 1, "msgs_per_s") / 90, 1e-9);
        assertEquals(0.7, results.ratio("echo", "ss-raw", "netty-nio", 100, "msgs_per_s").median(), 1e-9);
        assertEquals("echo,ss-raw,100,1,msgs_per_s,90.000", results.rows().get(2).csv(), "written back with its round");
    }

    @Test
    void aMetricOneOldRoundLacksDoesNotShiftTheRoundsAfterIt() {
        Results results = Results.parse(List.of(
                "echo,ss-raw,100,msgs_per_s,50", "echo,ss-raw,100,server_cpu_us_per_msg,10",
                "echo,netty-nio,100,msgs_per_s,100", "echo,netty-nio,100,server_cpu_us_per_msg,5",
                "echo,ss-raw,100,msgs_per_s,90", // no CPU reading in this round
                "echo,netty-nio,100,msgs_per_s,100", "echo,netty-nio,100,server_cpu_us_per_msg,6",
                "echo,ss-raw,100,msgs_per_s,60", "echo,ss-raw,100,server_cpu_us_per_msg,12",
                "echo,netty-nio,100,msgs_per_s,100", "echo,netty-nio,100,server_cpu_us_per_msg,4"));
        assertEquals(12, results.value("echo", "ss-raw", 100, 2, "server_cpu_us_per_msg"), 1e-9, "round 2's, not round 1's");
        assertTrue(Double.isNaN(results.value("echo", "ss-raw", 100, 1, "server_cpu_us_per_msg")));
        Results.Spread cpu = results.ratio("echo", "ss-raw", "netty-nio", 100, "server_cpu_us_per_msg");
        assertEquals(2, cpu.rounds());
        assertEquals(2.5, cpu.median(), 1e-9, "10 / 5 and 12 / 4");
    }

    @Test
    void aWrongRoundIsLeftOutOfMediansAndRatiosButItsCountsAreNot() {
        Results results = Results.parse(List.of(
                "echo,fast,100,0,msgs_per_s,1000", "echo,fast,100,0,bad_echoes,7", "echo,netty-nio,100,0,msgs_per_s,100",
                "echo,fast,100,1,msgs_per_s,50", "echo,fast,100,1,bad_echoes,0", "echo,netty-nio,100,1,msgs_per_s,100",
                "echo,fast,100,2,msgs_per_s,70", "echo,fast,100,2,bad_echoes,0", "echo,netty-nio,100,2,msgs_per_s,100",
                "echo,netty-nio,100,2,closed,1"));
        assertEquals(60, results.median("echo", "fast", 100, "msgs_per_s"), 1e-9, "the garbling round's 1000 is out");
        Results.Spread ratio = results.ratio("echo", "fast", "netty-nio", 100, "msgs_per_s");
        assertEquals(1, ratio.rounds(), "round 0 garbled, and the peer's round 2 lost a connection");
        assertEquals(0.5, ratio.median(), 1e-9);
        assertEquals(7, results.max("echo", "fast", 100, "bad_echoes"), 1e-9, "a count is never hidden");
    }

    @Test
    void everyServerRunsFirstInSomeRound() {
        List<String> servers = List.of("a", "b", "c");
        assertEquals(List.of("a", "b", "c"), Bench.order(servers, 0));
        assertEquals(List.of("b", "c", "a"), Bench.order(servers, 1));
        assertEquals(List.of("c", "a", "b"), Bench.order(servers, 2));
        assertEquals(List.of("a", "b", "c"), Bench.order(servers, 3));
    }

    @Test
    void aRoundWithAWrongEchoIsListed() {
        Results results = Results.parse(List.of(
                "echo,ss-raw,100,0,bad_echoes,0", "echo,ss-raw,100,0,closed,0", "echo,ss-raw,100,0,gen_errors,0",
                "echo,broken,100,1,bad_echoes,3", "echo,broken,100,2,closed,1", "echo,broken,100,2,connect_errors,5",
                "echo,broken,100,3,stalled,2", "echo,broken,100,3,msgs_per_s,10"));
        assertEquals(List.of("echo broken at 100, round 1: bad_echoes=3", "echo broken at 100, round 2: closed=1"),
                results.failedRounds());
        assertEquals(List.of("echo broken at 100, round 3: stalled=2"), results.stalledRounds());
        assertEquals(10, results.median("echo", "broken", 100, "msgs_per_s"), 1e-9,
                "a stalled connection's round is listed, not left out: starving one is what fairness shows");
    }
}
