package simplesockets.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run's measurements, one per scenario, server, connection count, round and metric, and the two
 * statistics the reports give: a metric's median over the rounds with its range, and the median of a
 * server's ratios to a peer measured in the same round, with their range. The second is the one to
 * read for "how far from Netty": the machine's drift between rounds moves both servers of a round
 * together, so it cancels in the ratio of a round and not in a ratio of medians.
 */
final class Results {

    /** The header of a {@code results.csv} or {@code pick.csv}. */
    static final String HEADER = "scenario,server,connections,round,metric,value";

    /** One measurement. */
    record Row(String scenario, String server, long connections, int round, String metric, double value) {

        String csv() {
            return String.format(Locale.ROOT, "%s,%s,%d,%d,%s,%.3f", scenario, server, connections, round, metric, value);
        }

        boolean is(String scenario, String server, long connections, String metric) {
            return this.scenario.equals(scenario) && this.server.equals(server) && this.connections == connections
                    && this.metric.equals(metric);
        }
    }

    /** A median over rounds and the range it came from; NaN throughout when there was nothing to take. */
    record Spread(double median, double min, double max, int rounds) {

        static final Spread NONE = new Spread(Double.NaN, Double.NaN, Double.NaN, 0);

        static Spread of(List<Double> values) {
            List<Double> v = values.stream().filter(d -> !d.isNaN() && !d.isInfinite()).sorted().toList();
            if (v.isEmpty()) {
                return NONE;
            }
            int n = v.size();
            double median = n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
            return new Spread(median, v.getFirst(), v.getLast(), n);
        }

        /** {@code 0.85x (0.80..0.93)}: a ratio's median and its range over the rounds. */
        String asRatio() {
            if (rounds == 0) {
                return "n/a";
            }
            return rounds == 1 ? String.format(Locale.ROOT, "%.2fx (1 round)", median)
                    : String.format(Locale.ROOT, "%.2fx (%.2f..%.2f)", median, min, max);
        }
    }

    private final List<Row> rows = new ArrayList<>();

    /** Adds one measurement. */
    void add(Row row) {
        rows.add(row);
    }

    List<Row> rows() {
        return List.copyOf(rows);
    }

    /**
     * Reads the lines of a {@code results.csv} without its header. Runs before the round column (before
     * 3 December 2026) wrote five fields, a round's metrics of one server together; their rounds are
     * numbered in the order they came: a server's next round begins where one of its metrics comes again
     * (so that a metric one round lacks does not shift the rounds after it).
     */
    static Results parse(List<String> lines) {
        Results results = new Results();
        Map<String, Integer> rounds = new HashMap<>();
        Map<String, java.util.Set<String>> metrics = new HashMap<>();
        for (String line : lines) {
            String[] f = line.split(",");
            if (f.length == 6) {
                results.add(new Row(f[0], f[1], Long.parseLong(f[2]), Integer.parseInt(f[3]), f[4], Double.parseDouble(f[5])));
            } else if (f.length == 5) {
                String server = f[0] + "," + f[1] + "," + f[2];
                if (!metrics.computeIfAbsent(server, k -> new java.util.HashSet<>()).add(f[3])) {
                    rounds.merge(server, 1, Integer::sum);
                    metrics.get(server).clear();
                    metrics.get(server).add(f[3]);
                }
                int round = rounds.getOrDefault(server, 0);
                results.add(new Row(f[0], f[1], Long.parseLong(f[2]), round, f[3], Double.parseDouble(f[4])));
            } else {
                throw new IllegalArgumentException("not a result row: " + line);
            }
        }
        return results;
    }

    /** The value of one round, or NaN. */
    double value(String scenario, String server, long connections, int round, String metric) {
        Row r = row(scenario, server, connections, round, metric);
        return r == null ? Double.NaN : r.value;
    }

    /** A metric over the rounds, leaving out the rounds whose echo was wrong ({@link #failedRounds}). */
    Spread of(String scenario, String server, long connections, String metric) {
        List<Double> values = new ArrayList<>();
        for (Row r : rows) {
            if (r.is(scenario, server, connections, metric) && (isCount(metric) || !failed(r))) {
                values.add(r.value);
            }
        }
        return Spread.of(values);
    }

    /** Counts of what went wrong are read over every round: a median or maximum must never hide one. */
    private static boolean isCount(String metric) {
        return WRONG.contains(metric) || metric.endsWith("errors") || metric.equals("listen_overflows")
                || metric.equals("stalled");
    }

    /** The counts that make a round's figures untrustworthy. */
    private static final java.util.Set<String> WRONG = java.util.Set.of("bad_echoes", "closed", "gen_errors");

    /** Whether the round of {@code row}'s server was found wrong. */
    private boolean failed(Row row) {
        for (Row r : rows) {
            if (r.value > 0 && WRONG.contains(r.metric) && r.round == row.round && r.scenario.equals(row.scenario)
                    && r.server.equals(row.server) && r.connections == row.connections) {
                return true;
            }
        }
        return false;
    }

    /** The median of a metric over rounds; NaN when there is none. */
    double median(String scenario, String server, long connections, String metric) {
        return of(scenario, server, connections, metric).median();
    }

    /** The largest value over the rounds, so that a count of errors is never hidden by a median; NaN when none. */
    double max(String scenario, String server, long connections, String metric) {
        return of(scenario, server, connections, metric).max();
    }

    /**
     * The server's metric over the peer's in each round both were measured and neither was found wrong,
     * as a median and its range: {@code ratio("echo", "ss-raw", "netty-nio", 100, "msgs_per_s")}.
     */
    Spread ratio(String scenario, String server, String peer, long connections, String metric) {
        List<Double> ratios = new ArrayList<>();
        for (Row r : rows) {
            if (r.is(scenario, server, connections, metric) && !failed(r)) {
                Row theirs = row(scenario, peer, connections, r.round, metric);
                if (theirs != null && !failed(theirs)) {
                    ratios.add(r.value / theirs.value);
                }
            }
        }
        return Spread.of(ratios);
    }

    private Row row(String scenario, String server, long connections, int round, String metric) {
        for (Row r : rows) {
            if (r.round == round && r.is(scenario, server, connections, metric)) {
                return r;
            }
        }
        return null;
    }

    /**
     * The rounds in which a server's echo was found wrong: replies that differed from what was sent,
     * connections it closed, or a load generator that failed. Such a round measured nothing to trust: its
     * figures are left out of medians and ratios (but for the counts themselves).
     */
    List<String> failedRounds() {
        return roundsCounting(WRONG);
    }

    /**
     * The rounds in which a connection's request went unanswered through the whole measured window
     * ({@code stalled}): a server that dropped a request, or one that starved a connection that long.
     * Listed, not left out: starving a connection is what the fairness figures are there to show.
     */
    List<String> stalledRounds() {
        return roundsCounting(java.util.Set.of("stalled"));
    }

    /** Each round with a count of one of {@code metrics} above 0, as a line naming it. */
    private List<String> roundsCounting(java.util.Set<String> metrics) {
        List<String> listed = new ArrayList<>();
        for (Row r : rows) {
            if (r.value > 0 && metrics.contains(r.metric)) {
                listed.add(String.format(Locale.ROOT, "%s %s at %d, round %d: %s=%.0f", r.scenario, r.server, r.connections,
                        r.round, r.metric, r.value));
            }
        }
        return listed;
    }
}
