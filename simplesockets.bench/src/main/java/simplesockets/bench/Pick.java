package simplesockets.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs only the scenarios named, for A/B work on one part of the engine, interleaved as the full run
 * is: {@code Bench OUTPUT_DIR pick KEY=VALUE...}, with
 * <ul>
 *   <li>{@code echo=ss-poll,ss-raw,netty-nio} the echo servers (default), {@code levels=1,100,1000,10000},
 *       {@code rounds=3}, {@code warmup=2} and {@code measure=4} (seconds);</li>
 *   <li>{@code bulk=ss-poll,ss-raw} servers for bulk echo of {@code bulkmib=1024} MiB (none by default);</li>
 *   <li>{@code idle=ss-poll,ss-raw} servers for idle memory at {@code idleconns=10000} (none by default),
 *       each after an echo load of {@code idleload=N} connections for 5 s when N is not 0 (the default);</li>
 *   <li>{@code NAME=DIR}: a kind written {@code KIND@NAME} runs with the API and engine jars found in DIR
 *       in place of this build's, so an older engine can run beside the new one in the same rounds;</li>
 *   <li>{@code jvm=OPTION,OPTION} extra JVM options for every server.</li>
 * </ul>
 * Each round runs its servers in an order turned by one place a round ({@link Bench#order}). Each result
 * goes to stdout as it comes; at the end, a table of medians, min to max, and the median over rounds of
 * each server's ratio to {@code netty-nio} in the same round with their range (and the same for server
 * CPU per message, or per GiB in bulk echo), after a list of any rounds whose echo was wrong
 * ({@link Results#failedRounds}). Results are also written to {@code pick.csv} and {@code pick.txt}.
 */
final class Pick {

    private final Bench bench;
    private final Map<String, String> args = new LinkedHashMap<>();
    private final Results results = new Results();

    Pick(Bench bench, List<String> arguments) {
        this.bench = bench;
        for (String a : arguments) {
            int eq = a.indexOf('=');
            args.put(a.substring(0, eq), a.substring(eq + 1));
        }
    }

    private List<String> list(String key, String fallback) {
        String v = args.getOrDefault(key, fallback);
        return v.isEmpty() ? List.of() : Arrays.asList(v.split(","));
    }

    private int number(String key, int fallback) {
        return Integer.parseInt(args.getOrDefault(key, String.valueOf(fallback)));
    }

    /** Starts a server of the kind named, on another build's class path when it ends in {@code @NAME}. */
    private Bench.Server start(String name) throws Exception {
        int at = name.indexOf('@');
        String kind = at < 0 ? name : name.substring(0, at);
        String cp = bench.classPath;
        if (at >= 0) {
            Path base = Path.of(args.get(name.substring(at + 1)));
            List<String> parts = new ArrayList<>();
            for (String part : cp.split(java.io.File.pathSeparator)) {
                String file = Path.of(part).getFileName().toString();
                parts.add(file.startsWith("simplesockets-api") || file.startsWith("simplesockets-impl")
                        ? base.resolve(file).toString() : part);
            }
            cp = String.join(java.io.File.pathSeparator, parts);
        }
        return bench.new Server(cp, list("jvm", ""), kind);
    }

    void run() throws Exception {
        int rounds = number("rounds", 3);
        for (int level : list("levels", "1,100,1000,10000").stream().map(Integer::parseInt).toList()) {
            for (int round = 0; round < rounds; round++) {
                for (String name : Bench.order(list("echo", "ss-poll,ss-raw,netty-nio"), round)) {
                    try (Bench.Server server = start(name)) {
                        long overflows = Bench.listenOverflows();
                        Map<String, Double> result = bench.load(server, "echo", String.valueOf(level),
                                args.getOrDefault("warmup", "2"), args.getOrDefault("measure", "4"));
                        Bench.putListenOverflows(result, overflows, Bench.listenOverflows());
                        record("echo", name, level, round, result);
                    }
                }
            }
        }
        long bulk = (long) number("bulkmib", 1024) << 20;
        for (int round = 0; round < rounds; round++) {
            for (String name : Bench.order(list("bulk", ""), round)) {
                try (Bench.Server server = start(name)) {
                    record("bulkecho", name, 1, round, bench.load(server, "bulkecho", String.valueOf(bulk)));
                }
            }
        }
        for (String name : list("idle", "")) {
            record("idle", name, number("idleconns", 10_000), 0, idle(name, number("idleconns", 10_000)));
        }
        List<String> csv = new ArrayList<>(List.of(Results.HEADER));
        results.rows().forEach(row -> csv.add(row.csv()));
        Files.write(bench.out().resolve("pick.csv"), csv);
        summarize();
    }

    private Map<String, Double> idle(String name, int connections) throws Exception {
        try (Bench.Server server = start(name)) {
            int load = number("idleload", 0);
            if (load > 0) {
                bench.load(server, "echo", String.valueOf(load), "2", "3");
            }
            return bench.idle(server, connections, false);
        }
    }

    private void record(String scenario, String server, int connections, int round, Map<String, Double> values) {
        values.forEach((k, v) -> results.add(new Results.Row(scenario, server, connections, round, k, v)));
        System.out.println(scenario + " " + server + " " + connections + " round " + round + " " + values);
        System.out.flush();
    }

    private void summarize() {
        StringBuilder out = new StringBuilder();
        List<String> failed = results.failedRounds();
        if (!failed.isEmpty()) {
            out.append("ROUNDS WHOSE ECHO WAS WRONG (their figures measure nothing to trust):\n");
            failed.forEach(f -> out.append("  ").append(f).append('\n'));
        }
        List<String> stalled = results.stalledRounds();
        if (!stalled.isEmpty()) {
            out.append("ROUNDS WITH A CONNECTION UNANSWERED THROUGH THE WHOLE WINDOW (counted in):\n");
            stalled.forEach(f -> out.append("  ").append(f).append('\n'));
        }
        out.append(String.format(Locale.ROOT, "%-9s %6s %-16s %10s %21s %22s %9s %22s %7s %9s%n", "scenario", "conns", "server",
                "median", "min..max", "vs nio (min..max)", "cpu us", "cpu/nio (min..max)", "fair", "p99 us"));
        List<String> seen = new ArrayList<>();
        for (Results.Row row : results.rows()) {
            String key = row.scenario() + "," + row.server() + "," + row.connections();
            if (seen.contains(key) || row.scenario().equals("idle")) {
                continue;
            }
            seen.add(key);
            String scenario = row.scenario();
            String server = row.server();
            long conns = row.connections();
            String metric = scenario.equals("echo") ? "msgs_per_s" : "mb_per_s";
            String cpuMetric = scenario.equals("echo") ? "server_cpu_us_per_msg" : "server_cpu_ms_per_gib";
            Results.Spread rates = results.of(scenario, server, conns, metric);
            out.append(String.format(Locale.ROOT, "%-9s %6d %-16s %10.0f %10.0f..%-10.0f %22s %9.2f %22s %7.3f %9.0f%n",
                    scenario, conns, server, rates.median(), rates.min(), rates.max(),
                    results.ratio(scenario, server, "netty-nio", conns, metric).asRatio(),
                    results.median(scenario, server, conns, cpuMetric),
                    results.ratio(scenario, server, "netty-nio", conns, cpuMetric).asRatio(),
                    results.median(scenario, server, conns, "fairness"), results.median(scenario, server, conns, "p99_us")));
        }
        for (Results.Row row : results.rows()) {
            if (row.scenario().equals("idle")) {
                out.append(row.csv()).append('\n');
            }
        }
        System.out.print(out);
        try {
            Files.writeString(bench.out().resolve("pick.txt"), out.toString());
        } catch (java.io.IOException e) {
            System.out.println("could not write pick.txt: " + e);
        }
    }
}
