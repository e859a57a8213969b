package simplesockets.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs every scenario against every server, interleaved in one run, each server and the load
 * generator in processes of their own, and writes {@code results.csv}, {@code summary.md} and a
 * gnuplot chart into the output folder.
 *
 * <p>{@code java -cp ... simplesockets.bench.Bench OUTPUT_DIR [full|smoke]}; {@code bench/run} does it all.
 * {@code Bench OUTPUT_DIR pick KEY=VALUE...} runs only the echo scenarios named ({@link Pick}).
 */
public final class Bench {

    private static final Pattern KV = Pattern.compile("(\\w+)=([-0-9.]+)");

    final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    final String classPath = System.getProperty("java.class.path");
    private final Path out;

    Path out() {
        return out;
    }

    private final boolean full;
    private final Results results = new Results();

    Bench(Path out, boolean full) {
        this.out = out;
        this.full = full;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/bench");
        boolean full = args.length < 2 || args[1].equals("full");
        Files.createDirectories(out);
        if (args.length > 1 && args[1].equals("pick")) {
            new Pick(new Bench(out, true), List.of(args).subList(2, args.length)).run();
            return;
        }
        new Bench(out, full).runAll();
    }

    /** A server process: started, its port read, commands written, ended by closing its input. */
    final class Server implements AutoCloseable {
        final String kind;
        final Process process;
        final BufferedReader stdout;
        final PrintWriter stdin;
        final int port;

        Server(String kind, String... extra) throws IOException {
            this(classPath, List.of(), kind, extra);
        }

        /** A server on a class path of its own (an older build of the engine, say), with extra JVM options. */
        Server(String cp, List<String> jvm, String kind, String... extra) throws IOException {
            this.kind = kind;
            List<String> command = new ArrayList<>(List.of(java, "-Xss512k", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
            command.addAll(jvm);
            command.addAll(List.of("-cp", cp, EchoServers.class.getName(), kind));
            command.addAll(List.of(extra));
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            String ready = stdout.readLine();
            if (ready == null || !ready.startsWith("ready ")) {
                throw new IOException(kind + " did not start: " + ready);
            }
            port = Integer.parseInt(ready.substring(6).trim());
        }

        /** How many file descriptors the server's process holds (on Linux; -1 where it cannot be read). */
        long descriptors() {
            try (var fds = Files.list(Path.of("/proc", String.valueOf(process.pid()), "fd"))) {
                return fds.count();
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        /**
         * Waits until the server holds at least {@code count} descriptors, reading every 100 ms for at most
         * {@code limit}, and once more after that; returns the last reading.
         */
        long awaitDescriptors(long count, Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            long now = descriptors();
            while (now >= 0 && now < count && System.nanoTime() < deadline) {
                Thread.sleep(100); // another process's table: nothing to wait on
                now = descriptors();
            }
            return now;
        }

        Map<String, Double> command(String command) throws IOException {
            stdin.println(command);
            return values(stdout.readLine());
        }

        @Override
        public void close() throws Exception {
            stdin.close();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Where Linux keeps the kernel's extended TCP counters. */
    static final Path NETSTAT = Path.of("/proc/net/netstat");

    /**
     * The kernel's count of connections dropped because a listen queue was full ({@code TcpExt
     * ListenOverflows} in {@code /proc/net/netstat}), or -1 where it cannot be read (not Linux, no
     * {@code /proc}, or no such counter): never a made-up 0, which would pass for "no overflows".
     */
    static long listenOverflows() {
        return listenOverflows(NETSTAT);
    }

    /** {@link #listenOverflows()} from the file given, in the format of {@code /proc/net/netstat}; -1 if unreadable. */
    static long listenOverflows(Path netstat) {
        try {
            List<String> lines = Files.readAllLines(netstat);
            for (int i = 0; i + 1 < lines.size(); i += 2) {
                String[] names = lines.get(i).trim().split("\\s+");
                String[] numbers = lines.get(i + 1).trim().split("\\s+");
                if (!names[0].equals("TcpExt:") || !numbers[0].equals("TcpExt:")) {
                    continue;
                }
                for (int k = 1; k < names.length && k < numbers.length; k++) {
                    if (names[k].equals("ListenOverflows")) {
                        long value = Long.parseLong(numbers[k]);
                        return value >= 0 ? value : -1;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, no /proc, or not the format we know: reported as unreadable
        }
        return -1;
    }

    /**
     * Puts into {@code result} the listen-queue overflows between two readings of
     * {@link #listenOverflows()}, as {@code listen_overflows}; puts nothing when either reading is
     * unreadable (-1) or the counter went back, so that the report shows no figure (NaN) rather than a
     * bogus one.
     */
    static void putListenOverflows(Map<String, Double> result, long before, long after) {
        if (before >= 0 && after >= before) {
            result.put("listen_overflows", (double) (after - before));
        }
    }

    static Map<String, Double> values(String line) {
        Map<String, Double> values = new LinkedHashMap<>();
        if (line != null) {
            Matcher m = KV.matcher(line);
            while (m.find()) {
                values.put(m.group(1), Double.parseDouble(m.group(2)));
            }
        }
        return values;
    }

    /**
     * Opens {@code connections} idle connections to {@code server} from a generator process, and gives the
     * server's RSS and heap growth per connection, each read after a full GC once the RSS has settled (and the
     * RSS also as read at once after that GC, as runs before 2 December's eighth session read it), and with {@code timeClose}
     * how long the server's {@code close()} takes while they are open; they close when this returns. The
     * server is read once it holds a descriptor for each of them (at most a minute), and {@code accepted}
     * says how many it held: fewer than asked means the figures are per connection it never accepted.
     */
    Map<String, Double> idle(Server server, int connections, boolean timeClose) throws Exception {
        Map<String, Double> before = server.command("settled");
        long descriptorsBefore = server.descriptors();
        Process gen = new ProcessBuilder(java, "-cp", classPath, LoadGen.class.getName(), "idle",
                String.valueOf(server.port), String.valueOf(connections)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(gen.getInputStream(), StandardCharsets.UTF_8));
        String connected = lines.readLine();
        Map<String, Double> values = new LinkedHashMap<>();
        if (descriptorsBefore >= 0) {
            values.put("accepted", (double) (server.awaitDescriptors(descriptorsBefore + connections, Duration.ofSeconds(60))
                    - descriptorsBefore));
        } else {
            Thread.sleep(2_000); // no descriptor table to read: let the server finish accepting
        }
        Map<String, Double> after = server.command("settled");
        values.put("rss_kb_per_conn", (after.get("rss_kb") - before.get("rss_kb")) / connections);
        values.put("rss_kb_per_conn_at_gc", (after.get("rss_kb_at_gc") - before.get("rss_kb_at_gc")) / connections);
        values.put("heap_kb_per_conn", (after.get("heap_kb") - before.get("heap_kb")) / connections);
        if (timeClose) {
            values.put("close_ms", server.command("close").getOrDefault("closed_ms", -1.0));
        }
        if (connected == null) {
            System.out.println("warning: the idle generator did not connect");
        }
        gen.getOutputStream().close();
        gen.waitFor(60, TimeUnit.SECONDS);
        return values;
    }

    /** How long one run of the load generator may take before it is ended (a 1 GiB bulk echo takes seconds). */
    static final Duration GENERATOR_LIMIT = Duration.ofMinutes(30);

    /**
     * Runs the load generator; at its "measuring" and "measured" marks, reads the server's CPU time (without
     * a GC). A generator that fails or is ended counts one more {@code gen_errors}.
     */
    Map<String, Double> load(Server server, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(java, "-Xss512k", "-cp", classPath, LoadGen.class.getName()));
        command.add(args[0]);
        command.add(String.valueOf(server.port));
        command.addAll(List.of(args).subList(1, args.length));
        Process gen = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        // A generator that hangs (a server that stops answering a bulk echo) is ended, which ends its output.
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                if (!gen.waitFor(GENERATOR_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    System.out.println("warning: the load generator ran past " + GENERATOR_LIMIT + "; ended");
                    gen.destroyForcibly();
                }
            } catch (InterruptedException e) {
                gen.destroyForcibly();
            }
        });
        BufferedReader lines = new BufferedReader(new InputStreamReader(gen.getInputStream(), StandardCharsets.UTF_8));
        double cpuStart = 0;
        double cpuEnd = 0;
        Map<String, Double> result = new LinkedHashMap<>(); // stays empty, but for gen_errors, if no result came
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.equals("measuring")) {
                cpuStart = server.command("cpu").getOrDefault("cpu_ms", 0.0);
            } else if (line.equals("measured")) {
                cpuEnd = server.command("cpu").getOrDefault("cpu_ms", 0.0);
            } else if (line.startsWith("result ")) {
                result = new LinkedHashMap<>(values(line));
            }
        }
        gen.waitFor();
        watchdog.interrupt();
        watchdog.join();
        if (gen.exitValue() != 0) {
            result.put("gen_errors", result.getOrDefault("gen_errors", 0.0) + 1);
        }
        if (cpuEnd > cpuStart && result.containsKey("messages") && result.get("messages") > 0) {
            result.put("server_cpu_us_per_msg", (cpuEnd - cpuStart) * 1000 / result.get("messages"));
        }
        if (cpuEnd > cpuStart && result.containsKey("bytes") && result.get("bytes") > 0) {
            result.put("server_cpu_ms_per_gib", (cpuEnd - cpuStart) * (1 << 30) / result.get("bytes"));
        }
        return result;
    }

    void record(String scenario, String server, long connections, int round, Map<String, Double> values) {
        values.forEach((k, v) -> results.add(new Results.Row(scenario, server, connections, round, k, v)));
        System.out.println(scenario + " " + server + " " + connections + " round " + round + " " + values);
        System.out.flush();
    }

    /**
     * The servers of a round in the order they run: the list turned by one place a round, so that no server
     * always runs first, right after a fresh JVM's start, or last (the machine drifts within a round).
     */
    static List<String> order(List<String> servers, int round) {
        List<String> turned = new ArrayList<>(servers);
        Collections.rotate(turned, -round);
        return turned;
    }

    void runAll() throws Exception {
        int warmup = full ? 3 : 1;
        int measure = full ? 5 : 1;
        int rounds = full ? 3 : 1;
        List<Integer> levels = full ? List.of(1, 100, 1000, 10000) : List.of(10);
        List<String> echoServers = new ArrayList<>(List.of("ss-raw", "ss-framed", "ss-poll", "netty-nio", "threads",
                "vthreads"));
        if (epollWorks()) {
            echoServers.add(2, "netty-epoll");
        }
        // 1. Request/response echo, interleaved: every server at a level before the next round.
        for (int level : levels) {
            for (int round = 0; round < rounds; round++) {
                for (String kind : order(echoServers, round)) {
                    try (Server server = new Server(kind)) {
                        long overflows = listenOverflows();
                        Map<String, Double> result = load(server, "echo", String.valueOf(level), String.valueOf(warmup),
                                String.valueOf(measure));
                        putListenOverflows(result, overflows, listenOverflows());
                        record("echo", kind, level, round, result);
                    }
                }
            }
        }
        // 2. TLS against plain TCP, same blocking client, same server code.
        Path keys = TestKeys.make(out.resolve("keys"));
        int tlsConnections = full ? 100 : 10;
        for (int round = 0; round < rounds; round++) {
            for (String kind : order(List.of("ss-raw", "ss-tls"), round)) {
                boolean tls = kind.equals("ss-tls");
                try (Server server = tls ? new Server(kind, keys.resolve("server.p12").toString()) : new Server(kind)) {
                    List<String> args = new ArrayList<>(List.of("blocking", String.valueOf(tlsConnections),
                            String.valueOf(warmup), String.valueOf(measure)));
                    if (tls) {
                        args.add(keys.resolve("trust.p12").toString());
                    }
                    record("echo-blocking", kind, tlsConnections, round, load(server, args.toArray(String[]::new)));
                }
            }
        }
        // 3. Bulk one way (against iperf3 as the ceiling) and bulk echo.
        long bulk = full ? 1L << 30 : 16L << 20;
        for (int round = 0; round < rounds; round++) {
            for (String kind : order(List.of("ss-sink", "netty-sink", "iperf3"), round)) {
                if (kind.equals("iperf3")) {
                    record("bulk", "iperf3", 1, round, iperf3(bulk));
                    continue;
                }
                try (Server server = new Server(kind)) {
                    record("bulk", kind, 1, round, load(server, "bulk", String.valueOf(bulk)));
                }
            }
            for (String kind : order(List.of("ss-raw", "ss-raw-64k", "ss-poll", "netty-nio"), round)) {
                try (Server server = new Server(kind)) {
                    record("bulkecho", kind, 1, round, load(server, "bulkecho", String.valueOf(bulk)));
                }
            }
        }
        // 4. Idle cost and shutdown at many connections: on a fresh server (its read path not yet compiled,
        // so a parked virtual thread keeps interpreted frames), and on one that served an echo load first,
        // as a server that has run for a while does. The same for every server.
        int idle = full ? 10_000 : 100;
        for (boolean afterLoad : List.of(false, true)) {
            for (String kind : List.of("ss-raw", "ss-poll", "netty-nio", "threads", "vthreads")) {
                try (Server server = new Server(kind)) {
                    if (afterLoad) {
                        load(server, "echo", String.valueOf(full ? 1_000 : 10), "2", "3");
                    }
                    // close() is timed with the idle connections open, on the fresh server
                    Map<String, Double> values = idle(server, idle, !kind.endsWith("threads") && !afterLoad);
                    record(afterLoad ? "idle-warm" : "idle", kind, idle, 0, values);
                }
            }
        }
        // 5. Connection rate, interleaved like the echo.
        for (int round = 0; round < rounds; round++) {
            for (String kind : order(List.of("ss-raw", "ss-poll", "netty-nio", "threads"), round)) {
                try (Server server = new Server(kind)) {
                    record("connrate", kind, 50, round, load(server, "connrate", String.valueOf(full ? 5 : 1), "50"));
                }
            }
        }
        List<String> csv = new ArrayList<>(List.of(Results.HEADER));
        results.rows().forEach(row -> csv.add(row.csv()));
        Files.write(out.resolve("results.csv"), csv);
        Report.write(out, results);
    }

    private boolean epollWorks() {
        try {
            return io.netty.channel.epoll.Epoll.isAvailable();
        } catch (Throwable t) {
            return false;
        }
    }

    private Map<String, Double> iperf3(long bytes) throws Exception {
        Map<String, Double> values = new LinkedHashMap<>();
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Process server;
        try {
            server = new ProcessBuilder("iperf3", "-s", "-1", "-B", "127.0.0.1", "-p", String.valueOf(port)).start();
        } catch (IOException e) {
            System.out.println("iperf3 is not installed; skipping its ceiling");
            return values;
        }
        Thread.sleep(500);
        Process client = new ProcessBuilder("iperf3", "-c", "127.0.0.1", "-p", String.valueOf(port), "-n", String.valueOf(bytes), "-J")
                .redirectErrorStream(true).start();
        String json = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        client.waitFor(120, TimeUnit.SECONDS);
        server.destroy();
        Matcher m = Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*\"bits_per_second\"\\s*:\\s*([0-9.e+]+)").matcher(json);
        if (m.find()) {
            values.put("mb_per_s", Double.parseDouble(m.group(1)) / 8 / 1e6);
        }
        return values;
    }
}
