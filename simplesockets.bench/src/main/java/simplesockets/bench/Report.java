package simplesockets.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Turns the result rows into {@code summary.md} (medians over rounds, and same-round ratios against Netty NIO and
 * the other peers named by the goals) and a gnuplot chart ({@code echo.svg}) of echo rates.
 */
final class Report {

    private Report() {
    }

    /**
     * Rewrites the summary and the chart from an existing {@code results.csv}.
     *
     * @param args the folder holding results.csv
     * @throws Exception if reading or writing fails
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        List<String> rows = new ArrayList<>(Files.readAllLines(out.resolve("results.csv")));
        rows.removeFirst();
        write(out, Results.parse(rows));
    }

    static void write(Path out, Results results) throws IOException, InterruptedException {
        TreeMap<Long, List<String>> levels = new TreeMap<>();
        List<String> servers = new ArrayList<>();
        for (Results.Row row : results.rows()) {
            if (row.scenario().equals("echo")) {
                levels.computeIfAbsent(row.connections(), k -> new ArrayList<>());
                if (!servers.contains(row.server())) {
                    servers.add(row.server());
                }
            }
        }
        StringBuilder md = new StringBuilder();
        List<String> failed = results.failedRounds();
        if (!failed.isEmpty()) {
            md.append("## Rounds whose echo was wrong (their figures measure nothing to trust)\n\n");
            failed.forEach(f -> md.append("- ").append(f).append('\n'));
            md.append('\n');
        }
        List<String> stalled = results.stalledRounds();
        if (!stalled.isEmpty()) {
            md.append("## Rounds with a connection unanswered through the whole measured window (a dropped request, or a"
                    + " connection starved that long; counted in, not left out)\n\n");
            stalled.forEach(f -> md.append("- ").append(f).append('\n'));
            md.append('\n');
        }
        md.append("## Echo, 64-byte request/response\n\n"
                + "Medians over rounds. A ratio is the median of the server's ratios to the peer in the same round, with"
                + " their range.\n\n");
        md.append("| connections | server | msgs/s | vs netty-nio | vs threads | p50 µs | p99 µs | p99.9 µs | fairness | fairness, all | server CPU µs/msg | CPU vs netty-nio | connect errors | listen overflows |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        StringBuilder data = new StringBuilder("# connections " + String.join(" ", servers) + "\n");
        for (long level : levels.keySet()) {
            data.append(level);
            for (String server : servers) {
                double rate = results.median("echo", server, level, "msgs_per_s");
                data.append(' ').append(Double.isNaN(rate) ? "NaN" : String.format(Locale.ROOT, "%.0f", rate));
                md.append(String.format(Locale.ROOT, "| %d | %s | %.0f | %s | %s | %.0f | %.0f | %.0f | %.3f | %.3f | %.2f | %s | %.0f | %.0f |%n",
                        level, server, rate, results.ratio("echo", server, "netty-nio", level, "msgs_per_s").asRatio(),
                        results.ratio("echo", server, "threads", level, "msgs_per_s").asRatio(),
                        results.median("echo", server, level, "p50_us"), results.median("echo", server, level, "p99_us"),
                        results.median("echo", server, level, "p999_us"), results.median("echo", server, level, "fairness"),
                        results.median("echo", server, level, "fairness_all"),
                        results.median("echo", server, level, "server_cpu_us_per_msg"),
                        results.ratio("echo", server, "netty-nio", level, "server_cpu_us_per_msg").asRatio(),
                        results.max("echo", server, level, "connect_errors"),
                        results.max("echo", server, level, "listen_overflows")));
            }
            data.append('\n');
        }
        md.append("\nThe latencies are closed-loop service times: each connection sends its next request when the"
                + " reply came, so a stalled connection contributes fewer samples, not larger ones (coordinated"
                + " omission). Read them to compare servers in the same run, not as what an open-loop client would see.\n");
        long most = levels.isEmpty() ? 0 : levels.lastKey();
        md.append("\n## Messages per connection at ").append(most)
                .append(" connections (medians; fairness is min / max among the connections of one load-generator thread,"
                        + " the worse thread's; \"fairness, all\" is over all connections, and counts the threads' own difference)\n\n")
                .append("| server | min | p1 | median | p99 | max |\n|---|---|---|---|---|---|\n");
        for (String server : servers) {
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f | %.0f |%n", server,
                    results.median("echo", server, most, "count_min"), results.median("echo", server, most, "count_p1"),
                    results.median("echo", server, most, "count_p50"), results.median("echo", server, most, "count_p99"),
                    results.median("echo", server, most, "count_max")));
        }
        md.append("\n## TLS against plain TCP (blocking clients)\n\n");
        for (Results.Row row : results.rows()) {
            if (row.scenario().equals("echo-blocking") && row.server().equals("ss-tls") && row.metric().equals("msgs_per_s")) {
                long n = row.connections();
                double tls = results.median("echo-blocking", "ss-tls", n, "msgs_per_s");
                double plain = results.median("echo-blocking", "ss-raw", n, "msgs_per_s");
                md.append(String.format(Locale.ROOT, "%d connections: TLS %.0f msgs/s, plain %.0f msgs/s: **%s**%n%n", n, tls, plain,
                        results.ratio("echo-blocking", "ss-tls", "ss-raw", n, "msgs_per_s").asRatio()));
                break;
            }
        }
        double iperf = results.median("bulk", "iperf3", 1, "mb_per_s");
        md.append("## Bulk (MB/s, medians; ratios per round, as above)\n\n| scenario | server | MB/s | ratio |\n|---|---|---|---|\n");
        for (String server : List.of("ss-sink", "netty-sink")) {
            double v = results.median("bulk", server, 1, "mb_per_s");
            md.append(String.format(Locale.ROOT, "| one way | %s | %.0f | %s iperf3 |%n", server, v,
                    results.ratio("bulk", server, "iperf3", 1, "mb_per_s").asRatio()));
        }
        md.append(String.format(Locale.ROOT, "| one way | iperf3 | %.0f | 1.00x |%n", iperf));
        for (String server : List.of("ss-raw", "ss-raw-64k", "ss-poll", "netty-nio")) {
            double v = results.median("bulkecho", server, 1, "mb_per_s");
            md.append(String.format(Locale.ROOT, "| echo | %s | %.0f | %s netty-nio, %s ss-raw |%n", server, v,
                    results.ratio("bulkecho", server, "netty-nio", 1, "mb_per_s").asRatio(),
                    results.ratio("bulkecho", server, "ss-raw", 1, "mb_per_s").asRatio()));
        }
        md.append("\n## Idle connections, shutdown and connection rate\n\n| server | RSS KiB/conn | RSS KiB/conn at the GC | heap KiB/conn | heap KiB/conn after a load | close ms | conns/s |\n|---|---|---|---|---|---|---|\n");
        long idle = results.rows().stream().filter(r -> r.scenario().equals("idle")).mapToLong(Results.Row::connections)
                .findFirst().orElse(0L);
        for (String server : List.of("ss-raw", "ss-poll", "netty-nio", "threads", "vthreads")) {
            md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f |%n", server,
                    results.median("idle", server, idle, "rss_kb_per_conn"), results.median("idle", server, idle, "rss_kb_per_conn_at_gc"),
                    results.median("idle", server, idle, "heap_kb_per_conn"),
                    results.median("idle-warm", server, idle, "heap_kb_per_conn"),
                    results.median("idle", server, idle, "close_ms"), results.median("connrate", server, 50, "conns_per_s")));
        }
        md.append("\n(idle figures at ").append(idle).append(" connections, opened at once and left silent, each read after a full GC"
                + " once the RSS has settled (two reads a second apart within 1%; \"at the GC\": read at once, as runs before"
                + " 2 December's eighth session did, which counts memory the JVM gives back in the seconds after a collection);"
                + " first on a fresh server, then on a fresh server after a 5 s echo load of 1,000 connections, which compiles"
                + " its read path. After a load only the heap is shown: the RSS the load left is given back while the idle"
                + " connections are measured, so their RSS growth cannot be told from it)\n");
        Files.writeString(out.resolve("summary.md"), md.toString(), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("echo.dat"), data.toString(), StandardCharsets.UTF_8);
        String plot = "set terminal svg size 800,480 dynamic font 'sans,11'\n"
                + "set output 'echo.svg'\n"
                + "set title 'Echo, 64-byte request/response, 2 cores, loopback'\n"
                + "set xlabel 'concurrent connections'\nset ylabel 'messages/s'\nset logscale x\nset key top left\n"
                + "set grid\nset style data linespoints\n"
                + "plot " + java.util.stream.IntStream.range(0, servers.size())
                        .mapToObj(i -> "'echo.dat' using 1:" + (i + 2) + " title '" + servers.get(i) + "'")
                        .collect(Collectors.joining(", ")) + "\n";
        Files.writeString(out.resolve("echo.gnuplot"), plot, StandardCharsets.UTF_8);
        try {
            Process gnuplot = new ProcessBuilder("gnuplot", "echo.gnuplot").directory(out.toFile()).inheritIO().start();
            gnuplot.waitFor();
        } catch (IOException e) {
            System.out.println("gnuplot is not installed; the chart's data and script are in " + out);
        }
        System.out.println(md);
    }
}
