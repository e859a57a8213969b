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
 * Turns the result rows into {@code summary.md} (medians over rounds, and ratios against Netty NIO and
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
        write(out, rows);
    }

    /** The largest value of a metric over the rounds, so that a count of errors is never hidden by a median. */
    static double max(List<String> rows, String scenario, String server, long connections, String metric) {
        double max = Double.NaN;
        for (String row : rows) {
            String[] f = row.split(",");
            if (f[0].equals(scenario) && f[1].equals(server) && Long.parseLong(f[2]) == connections && f[3].equals(metric)) {
                double v = Double.parseDouble(f[4]);
                max = Double.isNaN(max) ? v : Math.max(max, v);
            }
        }
        return max;
    }

    /** Median of a metric over rounds. */
    static double median(List<String> rows, String scenario, String server, long connections, String metric) {
        List<Double> values = new ArrayList<>();
        for (String row : rows) {
            String[] f = row.split(",");
            if (f[0].equals(scenario) && f[1].equals(server) && Long.parseLong(f[2]) == connections && f[3].equals(metric)) {
                values.add(Double.parseDouble(f[4]));
            }
        }
        if (values.isEmpty()) {
            return Double.NaN;
        }
        values.sort(Double::compare);
        int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }

    static void write(Path out, List<String> rows) throws IOException, InterruptedException {
        TreeMap<Long, List<String>> levels = new TreeMap<>();
        List<String> servers = new ArrayList<>();
        for (String row : rows) {
            String[] f = row.split(",");
            if (f[0].equals("echo")) {
                levels.computeIfAbsent(Long.parseLong(f[2]), k -> new ArrayList<>());
                if (!servers.contains(f[1])) {
                    servers.add(f[1]);
                }
            }
        }
        StringBuilder md = new StringBuilder("## Echo, 64-byte request/response (medians)\n\n");
        md.append("| connections | server | msgs/s | vs netty-nio | vs threads | p50 µs | p99 µs | p99.9 µs | fairness | fairness, all | server CPU µs/msg | CPU vs netty-nio | connect errors | listen overflows |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        StringBuilder data = new StringBuilder("# connections " + String.join(" ", servers) + "\n");
        for (long level : levels.keySet()) {
            data.append(level);
            double netty = median(rows, "echo", "netty-nio", level, "msgs_per_s");
            double threads = median(rows, "echo", "threads", level, "msgs_per_s");
            double nettyCpu = median(rows, "echo", "netty-nio", level, "server_cpu_us_per_msg");
            for (String server : servers) {
                double rate = median(rows, "echo", server, level, "msgs_per_s");
                double cpu = median(rows, "echo", server, level, "server_cpu_us_per_msg");
                data.append(' ').append(Double.isNaN(rate) ? "NaN" : String.format(Locale.ROOT, "%.0f", rate));
                md.append(String.format(Locale.ROOT, "| %d | %s | %.0f | %.2fx | %.2fx | %.0f | %.0f | %.0f | %.3f | %.3f | %.2f | %.2fx | %.0f | %.0f |%n",
                        level, server, rate, rate / netty, rate / threads,
                        median(rows, "echo", server, level, "p50_us"), median(rows, "echo", server, level, "p99_us"),
                        median(rows, "echo", server, level, "p999_us"), median(rows, "echo", server, level, "fairness"),
                        median(rows, "echo", server, level, "fairness_all"),
                        cpu, cpu / nettyCpu, max(rows, "echo", server, level, "connect_errors"),
                        max(rows, "echo", server, level, "listen_overflows")));
            }
            data.append('\n');
        }
        long most = levels.isEmpty() ? 0 : levels.lastKey();
        md.append("\n## Messages per connection at ").append(most)
                .append(" connections (medians; fairness is min / max among the connections of one load-generator thread,"
                        + " the worse thread's; \"fairness, all\" is over all connections, and counts the threads' own difference)\n\n")
                .append("| server | min | p1 | median | p99 | max |\n|---|---|---|---|---|---|\n");
        for (String server : servers) {
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f | %.0f |%n", server,
                    median(rows, "echo", server, most, "count_min"), median(rows, "echo", server, most, "count_p1"),
                    median(rows, "echo", server, most, "count_p50"), median(rows, "echo", server, most, "count_p99"),
                    median(rows, "echo", server, most, "count_max")));
        }
        md.append("\n## TLS against plain TCP (blocking clients)\n\n");
        for (String row : rows) {
            String[] f = row.split(",");
            if (f[0].equals("echo-blocking") && f[1].equals("ss-tls") && f[3].equals("msgs_per_s")) {
                long n = Long.parseLong(f[2]);
                double tls = median(rows, "echo-blocking", "ss-tls", n, "msgs_per_s");
                double plain = median(rows, "echo-blocking", "ss-raw", n, "msgs_per_s");
                md.append(String.format(Locale.ROOT, "%d connections: TLS %.0f msgs/s, plain %.0f msgs/s: **%.2fx**%n%n", n, tls, plain,
                        tls / plain));
                break;
            }
        }
        double iperf = median(rows, "bulk", "iperf3", 1, "mb_per_s");
        md.append("## Bulk (MB/s, medians)\n\n| scenario | server | MB/s | ratio |\n|---|---|---|---|\n");
        for (String server : List.of("ss-sink", "netty-sink")) {
            double v = median(rows, "bulk", server, 1, "mb_per_s");
            md.append(String.format(Locale.ROOT, "| one way | %s | %.0f | %.2fx iperf3 |%n", server, v, v / iperf));
        }
        md.append(String.format(Locale.ROOT, "| one way | iperf3 | %.0f | 1.00x |%n", iperf));
        double nettyEcho = median(rows, "bulkecho", "netty-nio", 1, "mb_per_s");
        double callbackEcho = median(rows, "bulkecho", "ss-raw", 1, "mb_per_s");
        for (String server : List.of("ss-raw", "ss-raw-64k", "ss-poll", "netty-nio")) {
            double v = median(rows, "bulkecho", server, 1, "mb_per_s");
            md.append(String.format(Locale.ROOT, "| echo | %s | %.0f | %.2fx netty-nio, %.2fx ss-raw, %.2fx iperf3 |%n",
                    server, v, v / nettyEcho, v / callbackEcho, v / iperf));
        }
        md.append("\n## Idle connections, shutdown and connection rate\n\n| server | RSS KiB/conn | RSS KiB/conn at the GC | heap KiB/conn | heap KiB/conn after a load | close ms | conns/s |\n|---|---|---|---|---|---|---|\n");
        long idle = rows.stream().filter(r -> r.startsWith("idle,")).map(r -> Long.parseLong(r.split(",")[2])).findFirst().orElse(0L);
        for (String server : List.of("ss-raw", "ss-poll", "netty-nio", "threads", "vthreads")) {
            md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f |%n", server,
                    median(rows, "idle", server, idle, "rss_kb_per_conn"), median(rows, "idle", server, idle, "rss_kb_per_conn_at_gc"),
                    median(rows, "idle", server, idle, "heap_kb_per_conn"),
                    median(rows, "idle-warm", server, idle, "heap_kb_per_conn"),
                    median(rows, "idle", server, idle, "close_ms"), median(rows, "connrate", server, 50, "conns_per_s")));
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
