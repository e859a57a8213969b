package simplesockets.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What stats and the flight recorder cost: the 64-byte echo at 1,000 connections against the same
 * server kind, with and without them, interleaved in one run, and each variant's ratio to its baseline
 * in the same round.
 *
 * <p>{@code java -cp ... simplesockets.bench.StatsCost OUTPUT_DIR [KEY=VALUE...]}; {@code bench/stats-cost}
 * builds and runs it. Keys: {@code base=DIR} a folder with the {@code simplesockets-api} and
 * {@code simplesockets-impl} jars of a build without stats (the {@code @base} variants run on them;
 * without it they are skipped), {@code connections=1000}, {@code rounds=5}, {@code warmup=3} and
 * {@code measure=5} (seconds), {@code variants=...} (default below). A variant is a server kind of
 * {@link EchoServers} with suffixes:
 * <ul>
 *   <li>{@code @base}: on the build in {@code base};</li>
 *   <li>{@code +stats}: its {@code stats()} read every second ({@code -Dbench.stats=1000});</li>
 *   <li>{@code +jfr}: a flight recording of the simplesockets events only, every stall included
 *       ({@code -XX:StartFlightRecording=settings=none,+simplesockets.ReaderStalled#threshold=0ms}),
 *       written to the output folder.</li>
 * </ul>
 * The order of the variants rotates from round to round. A variant's baseline is the same kind with
 * {@code @base}, and, for {@code +stats} and {@code +jfr}, also the same kind on this build without them.
 * With {@code paired=true}, each variant is instead served at the same time as its {@code @base}, each
 * under its own generator, and the ratio is taken within the pair: on a machine that other work shares,
 * that noise then slows both alike. Results go to stdout as they come, then a table of medians to stdout
 * and {@code stats-cost.txt}, and every measurement to {@code stats-cost.csv}.
 */
public final class StatsCost {

    private static final String DEFAULT_VARIANTS = "ss-raw@base,ss-raw,ss-raw+stats,ss-raw+jfr,ss-poll@base,ss-poll+stats";

    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final String classPath = System.getProperty("java.class.path");
    private final Path out;
    private final Map<String, String> args = new LinkedHashMap<>();
    /** variant -> metric -> one value per round. */
    private final Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
    private final List<String> csv = new ArrayList<>(List.of("variant,round,metric,value"));

    private StatsCost(Path out, List<String> arguments) {
        this.out = out;
        for (String a : arguments) {
            int eq = a.indexOf('=');
            args.put(a.substring(0, eq), a.substring(eq + 1));
        }
    }

    public static void main(String[] arguments) throws Exception {
        Path out = Path.of(arguments.length > 0 ? arguments[0] : "target/stats-cost");
        Files.createDirectories(out);
        new StatsCost(out, Arrays.asList(arguments).subList(Math.min(1, arguments.length), arguments.length)).run();
    }

    private int number(String key, int fallback) {
        return Integer.parseInt(args.getOrDefault(key, String.valueOf(fallback)));
    }

    private void run() throws Exception {
        List<String> variants = new ArrayList<>(Arrays.asList(args.getOrDefault("variants", DEFAULT_VARIANTS).split(",")));
        if (!args.containsKey("base")) {
            System.out.println("no base=DIR: the @base variants are skipped");
            variants.removeIf(v -> v.contains("@base"));
        }
        int rounds = number("rounds", 5);
        int connections = number("connections", 1000);
        boolean paired = Boolean.parseBoolean(args.getOrDefault("paired", "false"));
        System.out.printf(Locale.ROOT, "stats cost: %d connections, %d rounds, %s s warm-up, %s s measured, %d cores, Java %s%s%n",
                connections, rounds, args.getOrDefault("warmup", "3"), args.getOrDefault("measure", "5"),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), paired ? ", paired" : "");
        if (paired) {
            runPaired(variants, rounds, connections);
            return;
        }
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < variants.size(); i++) {
                String variant = variants.get((i + round) % variants.size());
                Map<String, Double> values = echo(variant, round, connections);
                record(variant, round, rounds, values);
                System.out.println(variant + " round " + round + " " + values);
                System.out.flush();
            }
        }
        Files.write(out.resolve("stats-cost.csv"), csv);
        String table = summary(variants, rounds);
        System.out.print(table);
        Files.writeString(out.resolve("stats-cost.txt"), table);
    }

    /** One echo run against a fresh server process of the variant. */
    private Map<String, Double> echo(String variant, int round, int connections) throws Exception {
        try (Served server = new Served(variant, round)) {
            return server.load(connections);
        }
    }

    /**
     * Paired runs: each variant and its {@code @base} baseline served at the same time, each under a load
     * generator of its own with {@code connections} connections, so that whatever else the machine does
     * meanwhile slows both alike; the ratio is taken within the pair. The two share the machine's cores,
     * so each gets about half: the ratio compares what each does with the same share.
     */
    private void runPaired(List<String> variants, int rounds, int connections) throws Exception {
        List<String> measured = variants.stream().filter(v -> !v.contains("@base")
                && variants.contains(v.replaceAll("[@+].*", "") + "@base")).toList();
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < measured.size(); i++) {
                String variant = measured.get((i + round) % measured.size());
                String base = variant.replaceAll("[@+].*", "") + "@base";
                // Who starts first alternates from round to round, so that neither side has that edge.
                boolean variantFirst = round % 2 == 0;
                Map<String, Double> first;
                Map<String, Double> second;
                try (Served a = new Served(variantFirst ? variant : base, round);
                        Served b = new Served(variantFirst ? base : variant, round)) {
                    java.util.concurrent.CompletableFuture<Map<String, Double>> other = new java.util.concurrent.CompletableFuture<>();
                    Thread.ofPlatform().name("load-second").start(() -> {
                        try {
                            other.complete(b.load(connections));
                        } catch (Throwable t) {
                            other.completeExceptionally(t);
                        }
                    });
                    first = a.load(connections);
                    second = other.get(10, TimeUnit.MINUTES);
                }
                Map<String, Double> mine = variantFirst ? first : second;
                Map<String, Double> theirs = variantFirst ? second : first;
                record(variant + "|paired", round, rounds, mine);
                record(base + "|with " + variant, round, rounds, theirs);
                System.out.printf(Locale.ROOT, "%s round %d paired: %.0f vs %.0f msgs/s (%.3fx), cpu %.2f vs %.2f us/msg%n",
                        variant, round, mine.getOrDefault("msgs_per_s", Double.NaN), theirs.getOrDefault("msgs_per_s", Double.NaN),
                        mine.getOrDefault("msgs_per_s", Double.NaN) / theirs.getOrDefault("msgs_per_s", Double.NaN),
                        mine.getOrDefault("server_cpu_us_per_msg", Double.NaN),
                        theirs.getOrDefault("server_cpu_us_per_msg", Double.NaN));
                System.out.flush();
            }
        }
        Files.write(out.resolve("stats-cost.csv"), csv);
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "%n%-16s %9s %9s %19s %9s %9s %9s%n", "paired variant", "msgs/s",
                "base", "ratio min..max", "ratio", "cpu us", "cpu/base"));
        for (String variant : measured) {
            String base = variant.replaceAll("[@+].*", "") + "@base";
            table.append(pairedRow(variant, results.get(variant + "|paired"), results.get(base + "|with " + variant), rounds));
        }
        table.append("ratio: the median over rounds of (variant / its @base, served at the same time)\n");
        System.out.print(table);
        Files.writeString(out.resolve("stats-cost.txt"), table);
    }

    private void record(String name, int round, int rounds, Map<String, Double> values) {
        Map<String, List<Double>> byMetric = results.computeIfAbsent(name, v -> new LinkedHashMap<>());
        for (Map.Entry<String, Double> e : values.entrySet()) {
            byMetric.computeIfAbsent(e.getKey(), k -> new ArrayList<>(Collections.nCopies(rounds, Double.NaN))).set(round, e.getValue());
            csv.add(String.format(Locale.ROOT, "%s,%d,%s,%.3f", name, round, e.getKey(), e.getValue()));
        }
    }

    private static String pairedRow(String variant, Map<String, List<Double>> mine, Map<String, List<Double>> theirs,
            int rounds) {
        List<Double> none = Collections.nCopies(rounds, Double.NaN);
        List<Double> ratios = new ArrayList<>();
        List<Double> cpuRatios = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            ratios.add(mine.getOrDefault("msgs_per_s", none).get(r) / theirs.getOrDefault("msgs_per_s", none).get(r));
            cpuRatios.add(mine.getOrDefault("server_cpu_us_per_msg", none).get(r)
                    / theirs.getOrDefault("server_cpu_us_per_msg", none).get(r));
        }
        double min = ratios.stream().filter(d -> !d.isNaN()).mapToDouble(d -> d).min().orElse(Double.NaN);
        double max = ratios.stream().filter(d -> !d.isNaN()).mapToDouble(d -> d).max().orElse(Double.NaN);
        return String.format(Locale.ROOT, "%-16s %9.0f %9.0f %8.3f..%-9.3f %8.3fx %9.2f %8.3fx%n", variant,
                median(mine.getOrDefault("msgs_per_s", none)), median(theirs.getOrDefault("msgs_per_s", none)), min, max,
                median(ratios), median(mine.getOrDefault("server_cpu_us_per_msg", none)), median(cpuRatios));
    }

    /** A server process of one variant: started, its port read, loaded, ended by closing its input. */
    private final class Served implements AutoCloseable {
        private final Process process;
        private final BufferedReader stdout;
        private final PrintWriter stdin;
        private final String port;

        Served(String variant, int round) throws IOException {
            String kind = variant.replaceAll("[@+].*", "");
            List<String> command = new ArrayList<>(List.of(java, "-Xss512k", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
            if (variant.contains("+stats")) {
                command.add("-Dbench.stats=1000");
            }
            if (variant.contains("+jfr")) {
                Path recording = out.resolve(variant.replace('+', '-').replace('@', '-') + "-" + round + ".jfr");
                command.add("-XX:StartFlightRecording=settings=none,+simplesockets.ReaderStalled#threshold=0ms,filename="
                        + recording);
            }
            command.addAll(List.of("-cp", variant.contains("@base") ? baseClassPath() : classPath, EchoServers.class.getName(),
                    kind));
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            String ready = stdout.readLine();
            for (int skipped = 0; ready != null && ready.startsWith("[") && skipped < 20; skipped++) {
                ready = stdout.readLine(); // the JVM's own log lines, such as the recording's start
            }
            if (ready == null || !ready.startsWith("ready ")) {
                close();
                throw new IOException(variant + " did not start: " + ready);
            }
            port = ready.substring(6).trim();
        }

        /** Runs the echo load generator against it; at its "measuring" and "measured" marks, reads the server's CPU time. */
        Map<String, Double> load(int connections) throws IOException, InterruptedException {
            Process gen = new ProcessBuilder(java, "-Xss512k", "-cp", classPath, LoadGen.class.getName(), "echo", port,
                    String.valueOf(connections), args.getOrDefault("warmup", "3"), args.getOrDefault("measure", "5"))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader lines = new BufferedReader(new InputStreamReader(gen.getInputStream(), StandardCharsets.UTF_8));
            double cpuStart = 0;
            double cpuEnd = 0;
            Map<String, Double> result = new LinkedHashMap<>();
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.equals("measuring") || line.equals("measured")) {
                    stdin.println("cpu"); // without a GC, which would lengthen the window and be billed to it
                    double cpu = Bench.values(stdout.readLine()).getOrDefault("cpu_ms", 0.0);
                    if (line.equals("measuring")) {
                        cpuStart = cpu;
                    } else {
                        cpuEnd = cpu;
                    }
                } else if (line.startsWith("result ")) {
                    result.putAll(Bench.values(line));
                }
            }
            if (!gen.waitFor(10, TimeUnit.MINUTES)) {
                gen.destroyForcibly();
            }
            if (cpuEnd > cpuStart && result.getOrDefault("messages", 0.0) > 0) {
                result.put("server_cpu_us_per_msg", (cpuEnd - cpuStart) * 1000 / result.get("messages"));
            }
            result.put("load1", loadAverage()); // after the run: how busy the machine was meanwhile
            return result;
        }

        @Override
        public void close() throws IOException {
            stdin.close();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The system's load average over the last minute ({@code /proc/loadavg}), or NaN where it cannot be read. */
    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** This build's class path with the API and engine jars of the base build in place of ours. */
    private String baseClassPath() {
        Path base = Path.of(args.get("base"));
        List<String> parts = new ArrayList<>();
        for (String part : classPath.split(File.pathSeparator)) {
            String file = Path.of(part).getFileName().toString();
            boolean ours = file.startsWith("simplesockets-api") || file.startsWith("simplesockets-impl")
                    || part.replace(File.separatorChar, '/').matches(".*/simplesockets\\.(api|impl)/target/classes/?");
            if (ours) {
                String jar = file.startsWith("simplesockets-impl") || part.contains("simplesockets.impl")
                        ? "simplesockets-impl" : "simplesockets-api";
                try (var found = Files.list(base)) {
                    parts.add(found.filter(p -> p.getFileName().toString().startsWith(jar)
                            && p.getFileName().toString().endsWith(".jar")).findFirst()
                            .orElseThrow(() -> new IllegalArgumentException("no " + jar + " jar in " + base)).toString());
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot read " + base, e);
                }
            } else {
                parts.add(part);
            }
        }
        return String.join(File.pathSeparator, parts);
    }

    private static double median(List<Double> values) {
        List<Double> v = values.stream().filter(d -> !d.isNaN()).sorted().toList();
        if (v.isEmpty()) {
            return Double.NaN;
        }
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    /** The median over rounds of a variant's metric divided by its baseline's in the same round. */
    private double ratio(String variant, String baseline, String metric, int rounds) {
        if (!results.containsKey(baseline) || variant.equals(baseline)) {
            return Double.NaN;
        }
        List<Double> none = Collections.nCopies(rounds, Double.NaN);
        List<Double> mine = results.get(variant).getOrDefault(metric, none);
        List<Double> theirs = results.get(baseline).getOrDefault(metric, none);
        List<Double> ratios = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            ratios.add(mine.get(r) / theirs.get(r));
        }
        return median(ratios);
    }

    private String summary(List<String> variants, int rounds) {
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "%n%-16s %9s %19s %9s %9s %9s %9s %9s %10s %6s%n", "variant", "msgs/s", "min..max",
                "vs @base", "vs plain", "cpu us", "cpu/base", "cpu/plain", "p99 us", "load"));
        for (String variant : variants) {
            Map<String, List<Double>> m = results.getOrDefault(variant, Map.of());
            List<Double> rates = m.getOrDefault("msgs_per_s", List.of());
            String kind = variant.replaceAll("[@+].*", "");
            String plain = variant.contains("+") ? kind : variant;
            double min = rates.stream().filter(d -> !d.isNaN()).mapToDouble(d -> d).min().orElse(Double.NaN);
            double max = rates.stream().filter(d -> !d.isNaN()).mapToDouble(d -> d).max().orElse(Double.NaN);
            table.append(String.format(Locale.ROOT, "%-16s %9.0f %9.0f..%-9.0f %8.3fx %8.3fx %9.2f %8.3fx %8.3fx %10.0f %6.2f%n",
                    variant, median(rates), min, max,
                    ratio(variant, kind + "@base", "msgs_per_s", rounds), ratio(variant, plain, "msgs_per_s", rounds),
                    median(m.getOrDefault("server_cpu_us_per_msg", List.of())),
                    ratio(variant, kind + "@base", "server_cpu_us_per_msg", rounds),
                    ratio(variant, plain, "server_cpu_us_per_msg", rounds),
                    median(m.getOrDefault("p99_us", List.of())), median(m.getOrDefault("load1", List.of()))));
        }
        table.append("ratios: the median over rounds of (variant / baseline in the same round); NaN where there is no baseline;\n"
                + "load: the median of the 1-minute load average after each run (the run itself makes about 4: two carriers, two selectors)\n");
        return table.toString();
    }
}
