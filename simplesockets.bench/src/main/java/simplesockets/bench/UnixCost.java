package simplesockets.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The 64-byte echo over a Unix domain socket against TCP loopback: the same callback server
 * ({@code ss-raw}, default options) and the same NIO load generator, each in its own process,
 * interleaved in one run; the ratio is Unix over TCP in the same round, and the table gives the median
 * over rounds and its spread.
 *
 * <p>{@code java -cp ... simplesockets.bench.UnixCost OUTPUT_DIR [rounds=3] [levels=1,100,1000]
 * [warmup=2] [measure=4]}; {@code bench/unix-vs-tcp} builds and runs it.
 */
public final class UnixCost {

    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final String classPath = System.getProperty("java.class.path");
    private final Map<String, String> args = new LinkedHashMap<>();
    private final Path out;

    private UnixCost(Path out, String[] arguments) {
        this.out = out;
        for (int i = 1; i < arguments.length; i++) {
            int eq = arguments[i].indexOf('=');
            args.put(arguments[i].substring(0, eq), arguments[i].substring(eq + 1));
        }
    }

    public static void main(String[] arguments) throws Exception {
        Path out = Path.of(arguments.length > 0 ? arguments[0] : "target/unix-vs-tcp");
        Files.createDirectories(out);
        new UnixCost(out, arguments).run();
    }

    private void run() throws Exception {
        int rounds = Integer.parseInt(args.getOrDefault("rounds", "3"));
        List<Integer> levels = List.of(args.getOrDefault("levels", "1,100,1000").split(",")).stream()
                .map(Integer::parseInt).toList();
        System.out.printf(Locale.ROOT, "unix vs tcp: levels %s, %d rounds, %s s warm-up, %s s measured, %d cores, Java %s%n",
                levels, rounds, args.getOrDefault("warmup", "2"), args.getOrDefault("measure", "4"),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        Map<Integer, List<Double>> tcp = new LinkedHashMap<>();
        Map<Integer, List<Double>> unix = new LinkedHashMap<>();
        List<String> csv = new ArrayList<>(List.of("round,connections,transport,msgs_per_s,p99_us"));
        for (int round = 0; round < rounds; round++) {
            for (int level : levels) {
                boolean unixFirst = round % 2 == 1; // alternate the order, so that neither always runs warm
                for (int k = 0; k < 2; k++) {
                    boolean overUnix = (k == 0) == unixFirst;
                    Map<String, Double> r = echo(overUnix, level);
                    (overUnix ? unix : tcp).computeIfAbsent(level, l -> new ArrayList<>()).add(r.get("msgs_per_s"));
                    csv.add(String.format(Locale.ROOT, "%d,%d,%s,%.0f,%.0f", round, level, overUnix ? "unix" : "tcp",
                            r.get("msgs_per_s"), r.getOrDefault("p99_us", Double.NaN)));
                    System.out.println(csv.getLast());
                }
            }
        }
        Files.write(out.resolve("unix-vs-tcp.csv"), csv);
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%n%-12s %12s %12s %10s %16s%n",
                "connections", "tcp msgs/s", "unix msgs/s", "unix/tcp", "ratio min..max"));
        for (int level : levels) {
            List<Double> ratios = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                ratios.add(unix.get(level).get(r) / tcp.get(level).get(r));
            }
            table.append(String.format(Locale.ROOT, "%-12d %12.0f %12.0f %9.2fx %7.2f..%-7.2f%n", level,
                    median(tcp.get(level)), median(unix.get(level)), median(ratios),
                    ratios.stream().mapToDouble(d -> d).min().orElse(Double.NaN),
                    ratios.stream().mapToDouble(d -> d).max().orElse(Double.NaN)));
        }
        table.append("ratio: the median over rounds of (unix / tcp in the same round)\n");
        System.out.print(table);
        Files.writeString(out.resolve("unix-vs-tcp.txt"), table);
    }

    /** One echo run against a fresh ss-raw server process, over TCP or a Unix socket. */
    private Map<String, Double> echo(boolean overUnix, int connections) throws Exception {
        Path socket = out.resolve("echo.sock");
        Files.deleteIfExists(socket);
        List<String> command = new ArrayList<>(List.of(java, "-Xss512k", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dbench.unix=" + socket, "-cp", classPath, EchoServers.class.getName(), overUnix ? "ss-raw-unix" : "ss-raw"));
        Process server = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader stdout = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            String ready = stdout.readLine();
            if (ready == null || !ready.startsWith("ready ")) {
                throw new IOException("the server did not start: " + ready);
            }
            String target = overUnix ? "unix:" + socket : ready.substring(6).trim();
            Process gen = new ProcessBuilder(java, "-Xss512k", "-cp", classPath, LoadGen.class.getName(), "echo", target,
                    String.valueOf(connections), args.getOrDefault("warmup", "2"), args.getOrDefault("measure", "4"))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Map<String, Double> result = new LinkedHashMap<>();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(gen.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.startsWith("result ")) {
                        result.putAll(Bench.values(line));
                    }
                }
            }
            if (!gen.waitFor(5, TimeUnit.MINUTES)) {
                gen.destroyForcibly();
            }
            return result;
        } finally {
            server.getOutputStream().close();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static double median(List<Double> values) {
        List<Double> v = values.stream().sorted().toList();
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }
}
