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
     * 3 December 2026) wrote five fields; their rounds are numbered in the order the rows came, which is
     * the order the rounds ran.
     */
    static Results parse(List<String> lines) {
        Results results = new Results();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : lines) {
            String[] f = line.split(",");
            if (f.length == 6) {
                results.add(new Row(f[0], f[1], Long.parseLong(f[2]), Integer.parseInt(f[3]), f[4], Double.parseDouble(f[5])));
            } else if (f.length == 5) {
                int round = seen.merge(f[0] + "," + f[1] + "," + f[2] + "," + f[3], 1, Integer::sum) - 1;
                results.add(new Row(f[0], f[1], Long.parseLong(f[2]), round, f[3], Double.parseDouble(f[4])));
            } else {
                throw new IllegalArgumentException("not a result row: " + line);
            }
        }
        return results;
    }

    /** The value of one round, or NaN. */
    double value(String scenario, String server, long connections, int round, String metric) {
        for (Row r : rows) {
            if (r.round == round && r.is(scenario, server, connections, metric)) {
                return r.value;
            }
        }
        return Double.NaN;
    }

    /** A metric over the rounds. */
    Spread of(String scenario, String server, long connections, String metric) {
        List<Double> values = new ArrayList<>();
        for (Row r : rows) {
            if (r.is(scenario, server, connections, metric)) {
                values.add(r.value);
            }
        }
        return Spread.of(values);
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
     * The server's metric over the peer's in each round both were measured, as a median and its range:
     * {@code ratio("echo", "ss-raw", "netty-nio", 100, "msgs_per_s")}.
     */
    Spread ratio(String scenario, String server, String peer, long connections, String metric) {
        List<Double> ratios = new ArrayList<>();
        for (Row r : rows) {
            if (r.is(scenario, server, connections, metric)) {
                ratios.add(r.value / value(scenario, peer, connections, r.round, metric));
            }
        }
        return Spread.of(ratios);
    }

    /**
     * The rounds in which a server's echo was found wrong: replies that differed from what was sent,
     * connections it closed, or a load generator that failed. Such a round measured nothing to trust.
     */
    List<String> failedRounds() {
        List<String> failed = new ArrayList<>();
        for (Row r : rows) {
            if (r.value > 0 && (r.metric.equals("bad_echoes") || r.metric.equals("closed") || r.metric.equals("gen_errors"))) {
                failed.add(String.format(Locale.ROOT, "%s %s at %d, round %d: %s=%.0f", r.scenario, r.server, r.connections,
                        r.round, r.metric, r.value));
            }
        }
        return failed;
    }
}
