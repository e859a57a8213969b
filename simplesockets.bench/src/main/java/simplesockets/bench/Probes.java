package simplesockets.bench;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpServer;
import simplesockets.api.TlsOptions;

/**
 * Probes of hostile peers: the five things issue 12 lists under "What held, and must keep holding",
 * rerun as one program. Each probe starts a server in a process of its own, plays the peers from this
 * process over 127.0.0.1, and prints one line of figures. Every loop is bounded in count and time.
 *
 * <ul>
 *   <li>{@code fd}: a server under {@code ulimit -n 256} runs out of file descriptors while accepting;
 *       its log lines and CPU time during the storm, and how long after most peers leave a new one is
 *       echoed;</li>
 *   <li>{@code tls}: 5,000 plain sockets connect to a TLS server (handshake timeout 2 s) and say
 *       nothing; when the server closes each, and a real TLS client's round trips meanwhile;</li>
 *   <li>{@code stalled}: 2,000 peers that never read; as many as this machine's TCP memory allows
 *       send until their sends block; a well-behaved client's round trips and the server's RSS;</li>
 *   <li>{@code cycles}: 20,000 connect/echo/close cycles (one in four ends with a reset); the server's
 *       descriptors and threads before and after;</li>
 *   <li>{@code close}: {@code close()} timed inside a server with 10,000 connections whose peers do
 *       not read, as many of them as TCP memory allows with the server's write blocked.</li>
 * </ul>
 *
 * <p>{@code java -cp ... simplesockets.bench.Probes OUTPUT_DIR [all|fd|tls|stalled|cycles|close]...};
 * {@code bench/probes} builds and runs it all. The server side is {@code Probes serve echo} or
 * {@code Probes serve tls KEYSTORE HANDSHAKE_MS}: it prints {@code ready PORT}, then answers {@code stats},
 * {@code threads}, {@code fdlist} and {@code close} on stdin, one line each, and exits at end of input.
 *
 * <p>A peer whose sends block holds 3.5 to 9 MB of kernel memory on loopback (the server's send buffer
 * grows to 4 MiB by default, its receive buffer further), so the probes that stall peers stop stalling more of them once the
 * kernel's TCP memory ({@code /proc/net/sockstat}) reaches 60% of the first
 * {@code tcp_mem} threshold, and say how many they stalled: more would put the whole machine's TCP
 * under memory pressure.
 */
public final class Probes {

    static final int FD_LIMIT = 256;
    static final int TLS_PEERS = 5_000;
    static final long HANDSHAKE_MS = 2_000;
    static final int STALLED_PEERS = 2_000;
    static final int CYCLES = 20_000;
    static final int CLOSE_PEERS = 10_000;
    /** What every peer that does not read has sent, so that each has data in flight. */
    static final int IN_FLIGHT = 2_048;
    /** The most one stalled peer sends; far more than the kernel's buffers, so reaching it means no backpressure. */
    static final long MAX_PUSH = 16L << 20;
    static final int PAGE = 4096;

    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final String classPath = System.getProperty("java.class.path");
    private final Path out;
    private final List<Server> running = new CopyOnWriteArrayList<>();

    Probes(Path out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("serve")) {
            serve(args);
            return;
        }
        Path out = Path.of(args.length > 0 ? args[0] : "target/probes").toAbsolutePath();
        Files.createDirectories(out);
        List<String> which = args.length > 1 ? List.of(args).subList(1, args.length) : List.of("all");
        Probes probes = new Probes(out);
        Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(TimeUnit.MINUTES.toMillis(10));
            } catch (InterruptedException e) {
                return;
            }
            System.out.println("probes: still running after 10 minutes; giving up");
            probes.running.forEach(s -> s.process.destroyForcibly());
            Runtime.getRuntime().halt(2);
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> probes.running.forEach(s -> s.process.destroyForcibly())));
        System.out.println(String.format(Locale.ROOT, "machine: %d cores, fd limit %s, tcp_mem %s pages, JDK %s",
                Runtime.getRuntime().availableProcessors(), fdLimit(), read("/proc/sys/net/ipv4/tcp_mem").trim().replaceAll("\\s+", " "),
                System.getProperty("java.version")));
        List<String> lines = new ArrayList<>();
        for (String name : List.of("fd", "tls", "stalled", "cycles", "close")) {
            if (!which.contains("all") && !which.contains(name)) {
                continue;
            }
            long started = System.nanoTime();
            String line;
            try {
                line = switch (name) {
                    case "fd" -> probes.fdExhaustion();
                    case "tls" -> probes.tlsSlowloris();
                    case "stalled" -> probes.stalledReaders();
                    case "cycles" -> probes.connectCloseCycles();
                    default -> probes.closeMidWrite();
                };
            } catch (Exception e) {
                line = name + ": FAILED " + e;
                e.printStackTrace();
            }
            line += String.format(Locale.ROOT, " (%.1f s)", (System.nanoTime() - started) / 1e9);
            System.out.println(line);
            System.out.flush();
            lines.add(line);
            probes.awaitTcpMemory();
        }
        Files.write(out.resolve("probes.txt"), lines);
        System.exit(0);
    }

    // ---------------------------------------------------------------------------------------------
    // 1. File descriptors run out while accepting.

    String fdExhaustion() throws Exception {
        List<Socket> kept = new ArrayList<>();
        List<String> rounds = new ArrayList<>();
        try (Server server = new Server(FD_LIMIT, "serve", "echo")) {
            for (int round = 0; round < 3; round++) {
                List<Socket> clients = new ArrayList<>();
                try {
                    String result = storm(server, clients, kept, round);
                    if (result.startsWith("no ")) {
                        return "fd exhaustion: " + result;
                    }
                    rounds.add(result);
                } finally {
                    for (Socket c : clients) {
                        c.close();
                    }
                }
            }
            double keptMs = echoMs(kept.get(0), 3_000);
            return String.format(Locale.ROOT,
                    "fd exhaustion: ulimit -n %d, three storms, each: peers connect until accepting fails, 100 more wait in"
                            + " the backlog, 1 s of CPU is measured, the storm goes on %s s more, then all but 10 peers leave"
                            + " and a fresh one is echoed; %s; a peer kept from the first storm echoed at the end=%s;"
                            + " first line: %s",
                    FD_LIMIT, "0/0.35/0.7", String.join("; ", rounds), ms(keptMs), server.log(1));
        } finally {
            for (Socket c : kept) {
                c.close();
            }
        }
    }

    /** One storm: connect until the server logs "Too many open files", measure, let peers go, time recovery. */
    String storm(Server server, List<Socket> clients, List<Socket> kept, int round) throws Exception {
        long begin = System.nanoTime();
        long storm = -1;
        for (int i = 0; i < 2_000 && storm < 0; i++) {
            clients.add(connect(server.port));
            if (i % 10 == 9) {
                Thread.sleep(10);
                storm = server.firstLine("Too many open files", begin);
            }
        }
        for (long until = System.nanoTime() + 3_000_000_000L; storm < 0 && System.nanoTime() < until; ) {
            Thread.sleep(50);
            storm = server.firstLine("Too many open files", begin);
        }
        if (storm < 0) {
            return "no \"Too many open files\" after " + clients.size() + " connections; log: " + server.log(5);
        }
        int opened = clients.size();
        for (int i = 0; i < 100; i++) {
            clients.add(connect(server.port)); // they wait in the backlog
        }
        Thread.sleep(500);
        long cpu0 = cpuNanos(server.pid);
        long wall0 = System.nanoTime();
        Thread.sleep(1_000);
        long cpu1 = cpuNanos(server.pid);
        long wall1 = System.nanoTime();
        double cpuMsPerS = (cpu1 - cpu0) / 1e6 / ((wall1 - wall0) / 1e9);
        double establishedMs = echoMs(clients.get(0), 3_000);
        Thread.sleep(350L * round);
        long closing = System.nanoTime();
        kept.addAll(clients.subList(0, 10));
        for (Socket c : clients.subList(10, clients.size())) {
            c.close();
        }
        clients.subList(0, 10).clear();
        double recoveryMs = -1;
        for (int attempt = 0; attempt < 3 && recoveryMs < 0; attempt++) {
            try (Socket fresh = connect(server.port)) {
                if (echoMs(fresh, 10_000) >= 0) {
                    recoveryMs = (System.nanoTime() - closing) / 1e6;
                }
            }
        }
        Thread.sleep(300);
        long end = System.nanoTime();
        return String.format(Locale.ROOT,
                "storm %d: failed after %d peers, log lines %d (warn %d), server CPU %.1f ms/s, an established peer echoed"
                        + " during it %s, peers left %.1f s after the first failure, fresh peer echoed %.0f ms later",
                round + 1, opened, server.lines(begin, end, null), server.lines(begin, end, "WARN"), cpuMsPerS,
                ms(establishedMs), (closing - storm) / 1e9, recoveryMs);
    }

    /** Sum of CPU time over the process's threads, from the scheduler's own nanosecond counters. */
    static long cpuNanos(long pid) throws IOException {
        long total = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks.toList()) {
                String stat = read(task.resolve("schedstat").toString()).trim();
                if (!stat.equals("?")) { // else the thread ended meanwhile
                    total += Long.parseLong(stat.split("\\s+")[0]);
                }
            }
        }
        return total;
    }

    // ---------------------------------------------------------------------------------------------
    // 2. TLS slowloris: silent plain sockets against a TLS server.

    String tlsSlowloris() throws Exception {
        Path keys = TestKeys.make(out.resolve("keys"));
        SSLContext tls = trustContext(keys.resolve("trust.p12"));
        List<SocketChannel> peers = new ArrayList<>();
        try (Server server = new Server(0, "serve", "tls", keys.resolve("server.p12").toString(), String.valueOf(HANDSHAKE_MS));
                Selector selector = Selector.open()) {
            Rtt before = tlsRtt(tls, server.port, 50);
            long begin = System.nanoTime();
            long[] connected = new long[TLS_PEERS];
            long[] closed = new long[TLS_PEERS];
            ByteBuffer scratch = ByteBuffer.allocateDirect(4096);
            long[] fromServer = {0};
            for (int i = 0; i < TLS_PEERS; i++) {
                SocketChannel peer = SocketChannel.open();
                peer.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port));
                connected[i] = System.nanoTime();
                peer.configureBlocking(false);
                peer.register(selector, SelectionKey.OP_READ, i);
                peers.add(peer);
                if (i % 100 == 99) {
                    ends(selector, closed, scratch, fromServer, 0);
                }
            }
            double connectS = (System.nanoTime() - begin) / 1e9;
            ends(selector, closed, scratch, fromServer, 0);
            int hangingBefore = open(closed);
            Rtt during = tlsRtt(tls, server.port, 50);
            ends(selector, closed, scratch, fromServer, 0);
            int hangingAfter = open(closed);
            Thread.sleep(700);
            ends(selector, closed, scratch, fromServer, 0);
            int hangingLater = open(closed);
            Rtt later = tlsRtt(tls, server.port, 50);
            ends(selector, closed, scratch, fromServer, 0);
            int hangingLaterAfter = open(closed);
            long deadline = connected[TLS_PEERS - 1] + TimeUnit.MILLISECONDS.toNanos(HANDSHAKE_MS + 5_000);
            while (open(closed) > 0 && System.nanoTime() < deadline) {
                ends(selector, closed, scratch, fromServer, 100);
            }
            long[] delays = new long[TLS_PEERS - open(closed)];
            int within = 0;
            for (int i = 0, j = 0; i < TLS_PEERS; i++) {
                if (closed[i] != 0) {
                    delays[j++] = (closed[i] - connected[i]) / 1_000_000;
                    if (closed[i] - connected[i] <= TimeUnit.MILLISECONDS.toNanos(HANDSHAKE_MS + 1_000)) {
                        within++;
                    }
                }
            }
            Arrays.sort(delays);
            Rtt after = tlsRtt(tls, server.port, 20);
            long end = System.nanoTime();
            return String.format(Locale.ROOT,
                    "tls slowloris: %d silent peers connected in %.1f s, handshake timeout %d ms; closed by the server %d"
                            + " (within timeout + 1 s: %d), close after connect min/p50/p99/max = %d/%d/%d/%d ms, bytes they got %d;"
                            + " a TLS client right after they connected, while %d-%d hung (it waits in the accept queue behind"
                            + " them): handshake+first echo %.1f ms, round trip p50 %d us max %d us; another 0.7 s later, while"
                            + " %d-%d hung: %.1f ms, p50 %d us max %d us (before the peers: %.1f ms, p50 %d us; after they were"
                            + " closed: %.1f ms, p50 %d us); server log lines=%d (warn %d)",
                    TLS_PEERS, connectS, HANDSHAKE_MS, delays.length, within, at(delays, 0), at(delays, 50), at(delays, 99),
                    at(delays, 100), fromServer[0], hangingAfter, hangingBefore, during.firstMs, during.p50Us, during.maxUs,
                    hangingLaterAfter, hangingLater, later.firstMs, later.p50Us, later.maxUs, before.firstMs, before.p50Us, after.firstMs, after.p50Us, server.lines(begin, end, null),
                    server.lines(begin, end, "WARN"));
        } finally {
            for (SocketChannel peer : peers) {
                peer.close();
            }
        }
    }

    /** Notes which silent peers the server has closed: read returns end of stream or fails. */
    static void ends(Selector selector, long[] closed, ByteBuffer scratch, long[] fromServer, long waitMs) throws IOException {
        if (waitMs > 0) {
            selector.select(waitMs);
        } else {
            selector.selectNow();
        }
        for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
            SelectionKey key = it.next();
            it.remove();
            SocketChannel peer = (SocketChannel) key.channel();
            int i = (Integer) key.attachment();
            int n;
            try {
                scratch.clear();
                n = peer.read(scratch);
            } catch (IOException reset) {
                n = -1;
            }
            if (n < 0) {
                closed[i] = System.nanoTime();
                key.cancel();
                peer.close();
            } else {
                fromServer[0] += n;
            }
        }
    }

    static int open(long[] closed) {
        int n = 0;
        for (long c : closed) {
            if (c == 0) {
                n++;
            }
        }
        return n;
    }

    static SSLContext trustContext(Path trustStore) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(trustStore)) {
            trust.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    Rtt tlsRtt(SSLContext tls, int port, int n) throws IOException {
        long started = System.nanoTime();
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return rtt(socket, started, n);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // 3. Peers that never read.

    String stalledReaders() throws Exception {
        List<SocketChannel> peers = new ArrayList<>();
        try (Server server = new Server(0, "serve", "echo")) {
            Map<String, Double> before = server.command("stats");
            Rtt alone = plainRtt(server.port, 100);
            long begin = System.nanoTime();
            connectMany(server.port, STALLED_PEERS, peers);
            for (SocketChannel peer : peers) {
                write(peer, IN_FLIGHT);
            }
            Stall stall = stall(peers);
            Thread.sleep(1_000);
            long stillTaken = pushFor(peers.subList(0, stall.tried), 500);
            Rtt during = plainRtt(server.port, 100);
            Map<String, Double> after = server.command("stats");
            Map<String, Double> threads = server.command("threads");
            long end = System.nanoTime();
            return String.format(Locale.ROOT,
                    "stalled readers: %d peers that never read, each with %d B sent; %d of them sent until their sends"
                            + " blocked (%s; %d reached the %d MiB cap, %d failed), %.0f MB pushed by them in all, and %.1f MB more"
                            + " in the next 0.5 s; server threads blocked in a socket write=%.0f, in a read=%.0f;"
                            + " server RSS %.0f -> %.0f MB, heap %.0f -> %.0f MB, kernel TCP memory %.0f MB;"
                            + " a fresh client's 64 B round trip p50 %d us p90 %d us max %d us over 100 (alone before: p50 %d us max %d us);"
                            + " server log lines=%d (warn %d)",
                    peers.size(), IN_FLIGHT, stall.blocked, stall.why(), stall.capped, MAX_PUSH >> 20, stall.failed,
                    stall.pushed / 1e6, stillTaken / 1e6, threads.get("in_write"), threads.get("in_read"), before.get("rss_kb") / 1024,
                    after.get("rss_kb") / 1024, before.get("heap_kb") / 1024, after.get("heap_kb") / 1024,
                    tcpMemoryPages() * (double) PAGE / 1e6, during.p50Us, during.p90Us, during.maxUs, alone.p50Us, alone.maxUs,
                    server.lines(begin, end, null), server.lines(begin, end, "WARN"));
        } finally {
            reset(peers);
        }
    }

    /** What {@link #stall} did: how many peers it stalled, and why it stopped. */
    record Stall(int tried, int blocked, int capped, int failed, long pushed, boolean budgetReached, boolean timedOut, long budgetPages) {
        String why() {
            return budgetReached
                    ? String.format(Locale.ROOT, "stopped at the TCP memory budget of %.0f MB", budgetPages * (double) PAGE / 1e6)
                    : timedOut ? "stopped at the time limit" : "all of them";
        }
    }

    /**
     * Makes peers, in batches of 10 from the first, send until their sends block (four rounds 25 ms
     * apart in which nothing more is taken), until all have or the kernel's TCP memory reaches the budget.
     */
    Stall stall(List<SocketChannel> peers) throws Exception {
        long budget = (long) (Long.parseLong(read("/proc/sys/net/ipv4/tcp_mem").trim().split("\\s+")[0]) * 0.6);
        ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int next = 0;
        int blocked = 0;
        int capped = 0;
        int failed = 0;
        long pushed = 0;
        boolean overBudget = false;
        while (next < peers.size() && System.nanoTime() < deadline) {
            if (tcpMemoryPages() > budget) {
                overBudget = true;
                break;
            }
            List<SocketChannel> batch = peers.subList(next, Math.min(next + 10, peers.size()));
            long[] sent = new long[batch.size()];
            int[] quiet = new int[batch.size()];
            boolean[] done = new boolean[batch.size()];
            int left = batch.size();
            long batchEnd = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
            while (left > 0 && System.nanoTime() < batchEnd) {
                for (int j = 0; j < batch.size(); j++) {
                    if (done[j]) {
                        continue;
                    }
                    long wrote = 0;
                    try {
                        while (sent[j] < MAX_PUSH) {
                            chunk.clear();
                            int n = batch.get(j).write(chunk);
                            if (n <= 0) {
                                break;
                            }
                            wrote += n;
                            sent[j] += n;
                        }
                    } catch (IOException e) {
                        done[j] = true;
                        left--;
                        failed++;
                        continue;
                    }
                    pushed += wrote;
                    if (sent[j] >= MAX_PUSH) {
                        done[j] = true;
                        left--;
                        capped++;
                    } else if (wrote > 0) {
                        quiet[j] = 0;
                    } else if (++quiet[j] >= 4) {
                        done[j] = true;
                        left--;
                        blocked++;
                    }
                }
                Thread.sleep(25);
            }
            next += batch.size();
        }
        return new Stall(next, blocked, capped, failed, pushed, overBudget, next < peers.size() && !overBudget, budget);
    }

    /** How many bytes the peers still take in {@code ms}: about none, when they are blocked. */
    static long pushFor(List<SocketChannel> peers, long ms) throws Exception {
        ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
        long taken = 0;
        for (long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms); System.nanoTime() < until; ) {
            for (SocketChannel peer : peers) {
                try {
                    chunk.clear();
                    taken += peer.write(chunk);
                } catch (IOException e) {
                    // the server closed it; the stall already counted it
                }
            }
            Thread.sleep(50);
        }
        return taken;
    }

    /** The kernel's TCP memory in pages, from {@code /proc/net/sockstat}. */
    static long tcpMemoryPages() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/net/sockstat"))) {
            if (line.startsWith("TCP:")) {
                String[] words = line.trim().split("\\s+");
                for (int i = 0; i < words.length - 1; i++) {
                    if (words[i].equals("mem")) {
                        return Long.parseLong(words[i + 1]);
                    }
                }
            }
        }
        return 0;
    }

    /** Between probes: waits, at most 15 s, until the kernel has let go of the previous probe's buffers. */
    void awaitTcpMemory() throws Exception {
        for (int i = 0; i < 150 && tcpMemoryPages() > 25_000; i++) {
            Thread.sleep(100);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // 4. Connect/close cycles.

    String connectCloseCycles() throws Exception {
        try (Server server = new Server(0, "serve", "echo")) {
            cycles(server.port, 500, 2);
            awaitNoClients(server);
            server.command("threads");
            Map<String, Double> before = server.command("stats");
            Map<String, Double> threadsBefore = server.command("threads");
            String fdsBefore = server.answer("fdlist");
            long begin = System.nanoTime();
            int[] first = cycles(server.port, CYCLES / 2, 4);
            double settle1 = awaitNoClients(server);
            Map<String, Double> half = server.command("stats");
            int[] second = cycles(server.port, CYCLES / 2, 4);
            double seconds = (System.nanoTime() - begin) / 1e9;
            double settle2 = awaitNoClients(server);
            Thread.sleep(1_000);
            long end = System.nanoTime();
            Map<String, Double> after = server.command("stats");
            Map<String, Double> threadsAfter = server.command("threads");
            String fdsAfter = server.answer("fdlist");
            return String.format(Locale.ROOT,
                    "connect/close cycles: %d cycles (connect, 64 B echoed, close; every 4th: 64 B sent, then a reset)"
                            + " from 4 threads, in two halves, %.1f s in all, %d failed; clients at the end of each half"
                            + " %.0f/%.0f (%.1f/%.1f s to settle), before -> after %d -> after %d cycles:"
                            + " server fds %.0f -> %.0f -> %.0f%s, virtual threads %.0f -> %.0f, platform threads %.0f -> %.0f,"
                            + " OS threads %.0f -> %.0f, heap after GC %.1f -> %.1f -> %.1f MB, RSS %.0f -> %.0f -> %.0f MB,"
                            + " failures kept %.0f -> %.0f -> %.0f (dropped %.0f), failure events dropped %.0f;"
                            + " server log lines=%d (warn %d)",
                    first[0] + second[0] + first[1] + second[1], seconds, first[1] + second[1], half.get("clients"),
                    after.get("clients"), settle1, settle2, CYCLES / 2, CYCLES,
                    before.get("fds"), half.get("fds"), after.get("fds"), fdDiff(fdsBefore, fdsAfter),
                    threadsBefore.get("virtual_threads"), threadsAfter.get("virtual_threads"),
                    threadsBefore.get("platform_threads"), threadsAfter.get("platform_threads"), before.get("os_threads"),
                    after.get("os_threads"), before.get("heap_kb") / 1024, half.get("heap_kb") / 1024,
                    after.get("heap_kb") / 1024, before.get("rss_kb") / 1024, half.get("rss_kb") / 1024,
                    after.get("rss_kb") / 1024, before.get("failures"), half.get("failures"), after.get("failures"),
                    after.get("failures_dropped"), after.get("events_dropped"), server.lines(begin, end, null),
                    server.lines(begin, end, "WARN"));
        }
    }

    /** The descriptors that are new or gone, by what they point to. */
    static String fdDiff(String before, String after) {
        List<String> a = new ArrayList<>(List.of(before.split("\\|")));
        List<String> b = new ArrayList<>(List.of(after.split("\\|")));
        List<String> gone = new ArrayList<>(a);
        for (String x : b) {
            gone.remove(x);
        }
        for (String x : a) {
            b.remove(x);
        }
        return b.isEmpty() && gone.isEmpty() ? "" : " (new: " + b + ", gone: " + gone + ")";
    }

    /** Runs {@code count} cycles from {@code threads} threads, at most 2 minutes; returns {done, failed}. */
    static int[] cycles(int port, int count, int threads) throws InterruptedException {
        AtomicInteger done = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int share = count / threads + (t < count % threads ? 1 : 0);
            workers.add(Thread.ofPlatform().start(() -> {
                byte[] message = LoadGen.message();
                byte[] back = new byte[message.length];
                for (int i = 0; i < share && System.nanoTime() < deadline; i++) {
                    try (Socket socket = new Socket()) {
                        socket.connect(address, 5_000);
                        socket.setSoTimeout(5_000);
                        socket.getOutputStream().write(message);
                        if (i % 4 == 3) {
                            socket.setSoLinger(true, 0);
                        } else {
                            new DataInputStream(socket.getInputStream()).readFully(back);
                        }
                        done.incrementAndGet();
                    } catch (IOException e) {
                        failed.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }
        return new int[] {done.get(), failed.get()};
    }

    /** Waits, at most 10 s, until the server has no connection left; returns how long it took. */
    static double awaitNoClients(Server server) throws Exception {
        long started = System.nanoTime();
        for (int i = 0; i < 50 && server.command("stats").getOrDefault("clients", -1.0) != 0; i++) {
            Thread.sleep(200);
        }
        return (System.nanoTime() - started) / 1e9;
    }

    // ---------------------------------------------------------------------------------------------
    // 5. close() with many connections mid-write.

    String closeMidWrite() throws Exception {
        List<SocketChannel> peers = new ArrayList<>();
        try (Server server = new Server(0, "serve", "echo"); Selector selector = Selector.open()) {
            double connectS = connectMany(server.port, CLOSE_PEERS, peers);
            for (SocketChannel peer : peers) {
                write(peer, IN_FLIGHT);
            }
            Thread.sleep(1_000);
            Stall stall = stall(peers);
            Thread.sleep(1_000);
            Map<String, Double> stats = server.command("stats");
            Map<String, Double> threads = server.command("threads");
            Map<String, Double> closed = server.command("close");
            Map<String, Double> threadsAfter = server.command("threads");
            // Did every peer see its connection end?
            long[] ended = new long[peers.size()];
            for (int i = 0; i < peers.size(); i++) {
                peers.get(i).register(selector, SelectionKey.OP_READ, i);
            }
            ByteBuffer scratch = ByteBuffer.allocateDirect(256 * 1024);
            long[] bytes = {0};
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (open(ended) > 0 && System.nanoTime() < deadline) {
                ends(selector, ended, scratch, bytes, 100);
            }
            return String.format(Locale.ROOT,
                    "close mid-write: %.0f connections (connected in %.1f s), every peer sent %d B and reads nothing;"
                            + " %d peers sent until their sends blocked (%s), %.0f MB pushed; server threads blocked in a socket"
                            + " write=%.0f, in a read=%.0f, RSS %.0f MB; close() took %.0f ms (error: %s), virtual threads"
                            + " left after it %.0f, peers that saw their end within 20 s %d of %d",
                    stats.get("clients"), connectS, IN_FLIGHT, stall.blocked, stall.why(), stall.pushed / 1e6,
                    threads.get("in_write"), threads.get("in_read"), stats.get("rss_kb") / 1024, closed.get("closed_ms"),
                    closed.getOrDefault("close_error", 0.0) > 0 ? "yes, see stderr" : "none",
                    threadsAfter.get("virtual_threads"), peers.size() - open(ended), peers.size());
        } finally {
            reset(peers);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Peers.

    static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        return socket;
    }

    /** Connects {@code n} non-blocking peers with small buffers, one at a time; returns the seconds it took. */
    static double connectMany(int port, int n, List<SocketChannel> into) throws IOException {
        long started = System.nanoTime();
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        for (int i = 0; i < n; i++) {
            SocketChannel peer = SocketChannel.open();
            into.add(peer);
            peer.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            peer.setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
            peer.connect(address);
            peer.configureBlocking(false);
        }
        return (System.nanoTime() - started) / 1e9;
    }

    static void write(SocketChannel peer, int bytes) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(bytes);
        for (int i = 0; i < 100 && data.hasRemaining(); i++) {
            peer.write(data);
        }
    }

    /** Closes with a reset, so that neither side keeps buffers or a TIME_WAIT. */
    static void reset(List<SocketChannel> peers) {
        for (SocketChannel peer : peers) {
            try {
                if (peer.isOpen()) {
                    peer.setOption(StandardSocketOptions.SO_LINGER, 0);
                }
                peer.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }

    /** Writes 4 bytes and reads them back; the milliseconds it took, or -1. */
    static double echoMs(Socket socket, int timeoutMs) {
        try {
            long started = System.nanoTime();
            socket.setSoTimeout(timeoutMs);
            socket.getOutputStream().write(new byte[] {1, 2, 3, 4});
            new DataInputStream(socket.getInputStream()).readFully(new byte[4]);
            return (System.nanoTime() - started) / 1e6;
        } catch (IOException e) {
            return -1;
        }
    }

    static String ms(double ms) {
        return ms < 0 ? "no" : String.format(Locale.ROOT, "yes (%.1f ms)", ms);
    }

    /** Round trips of 64 bytes: the first (with connect and any handshake), then 10 unmeasured, then {@code n}. */
    record Rtt(double firstMs, long p50Us, long p90Us, long maxUs) {
    }

    static Rtt plainRtt(int port, int n) throws IOException {
        long started = System.nanoTime();
        try (Socket socket = connect(port)) {
            socket.setSoTimeout(10_000);
            return rtt(socket, started, n);
        }
    }

    static Rtt rtt(Socket socket, long started, int n) throws IOException {
        byte[] message = LoadGen.message();
        byte[] back = new byte[message.length];
        OutputStream out = socket.getOutputStream();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        out.write(message);
        in.readFully(back);
        double firstMs = (System.nanoTime() - started) / 1e6;
        for (int i = 0; i < 10; i++) {
            out.write(message);
            in.readFully(back);
        }
        long[] us = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            out.write(message);
            in.readFully(back);
            us[i] = (System.nanoTime() - t) / 1000;
        }
        Arrays.sort(us);
        return new Rtt(firstMs, at(us, 50), at(us, 90), at(us, 100));
    }

    static long at(long[] sorted, int percentile) {
        if (sorted.length == 0) {
            return -1;
        }
        return sorted[Math.min(sorted.length - 1, (int) ((long) sorted.length * percentile / 100))];
    }

    /** A file's text; through a stream, as {@code Files.readString} misreads some of {@code /proc/sys}. */
    static String read(String file) {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "?";
        }
    }

    static String fdLimit() {
        for (String line : read("/proc/self/limits").split("\n")) {
            if (line.startsWith("Max open files")) {
                return line.substring("Max open files".length()).trim().split("\\s+")[0];
            }
        }
        return "?";
    }

    // ---------------------------------------------------------------------------------------------
    // The server process, seen from here.

    /** A server process: started (under a lower fd limit when asked), its port read, its log lines timed. */
    final class Server implements AutoCloseable {
        final Process process;
        final long pid;
        final int port;
        private final PrintWriter stdin;
        private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
        /** Each log line's arrival time, and whether it is a warning; the first 200 lines' text. */
        private final List<long[]> times = new ArrayList<>();
        private final List<String> texts = new ArrayList<>();

        Server(int fdLimit, String... args) throws Exception {
            List<String> command = new ArrayList<>();
            if (fdLimit > 0) {
                command.addAll(List.of("bash", "-c", "ulimit -n " + fdLimit + " && exec \"$@\"", "bash"));
            }
            command.addAll(List.of(java, "-Xss512k", "-Djdk.trackAllThreads=true", "-cp", classPath, Probes.class.getName()));
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).start();
            running.add(this);
            pid = process.pid();
            stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            Thread.ofPlatform().daemon().start(() -> pump(process.getInputStream(), line -> stdout.add(line)));
            Thread.ofPlatform().daemon().start(() -> pump(process.getErrorStream(), line -> {
                synchronized (times) {
                    if (times.size() < 1_000_000) {
                        times.add(new long[] {System.nanoTime(), line.contains("WARN") ? 1 : 0});
                    }
                    if (texts.size() < 200) {
                        texts.add(line);
                    }
                }
            }));
            String ready = stdout.poll(60, TimeUnit.SECONDS);
            if (ready == null || !ready.startsWith("ready ")) {
                throw new IOException("the server did not start: " + ready + " " + log(10));
            }
            port = Integer.parseInt(ready.substring(6).trim());
        }

        private static void pump(InputStream stream, java.util.function.Consumer<String> sink) {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }

        Map<String, Double> command(String command) throws Exception {
            stdin.println(command);
            String line = stdout.poll(120, TimeUnit.SECONDS);
            if (line == null) {
                throw new IOException("no answer to " + command);
            }
            return Bench.values(line);
        }

        /** Sends a command; its raw answer. */
        String answer(String command) throws Exception {
            stdin.println(command);
            String line = stdout.poll(120, TimeUnit.SECONDS);
            if (line == null) {
                throw new IOException("no answer to " + command);
            }
            return line;
        }

        /** When the first log line containing {@code text} arrived at or after {@code after}, or -1. */
        long firstLine(String text, long after) {
            synchronized (times) {
                for (int i = 0; i < texts.size(); i++) {
                    if (times.get(i)[0] >= after && texts.get(i).contains(text)) {
                        return times.get(i)[0];
                    }
                }
            }
            return -1;
        }

        /** Log lines between two times; only warnings if {@code level} is given. */
        long lines(long from, long to, String level) {
            synchronized (times) {
                return times.stream().filter(t -> t[0] >= from && t[0] <= to && (level == null || t[1] == 1)).count();
            }
        }

        String log(int n) {
            synchronized (times) {
                return texts.isEmpty() ? "(none)" : String.join(" | ", texts.subList(0, Math.min(n, texts.size())));
            }
        }

        @Override
        public void close() throws Exception {
            stdin.close();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            running.remove(this);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The server process itself.

    static void serve(String[] args) throws Exception {
        ServerOptions.Builder options = ServerOptions.builder().host("127.0.0.1").port(0).backlog(4096)
                .closeTimeout(Duration.ofSeconds(10))
                .onReceive((connection, data) -> connection.send(data));
        if (args[1].equals("tls")) {
            options.tls(TlsOptions.builder().keyStore(Path.of(args[2]), "changeit".toCharArray())
                    .handshakeTimeout(Duration.ofMillis(Long.parseLong(args[3]))).build());
        }
        TcpServer server = TcpServer.create(options.build());
        server.start();
        System.out.println("ready " + server.localAddress().orElseThrow().getPort());
        System.out.flush();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = commands.readLine(); line != null; line = commands.readLine()) {
            switch (line.trim()) {
                case "stats" -> {
                    long fds;
                    try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
                        fds = list.count();
                    }
                    System.out.println("stats " + EchoServers.processStats() + " fds=" + fds + " os_threads=" + status("Threads:")
                            + " clients=" + server.clients().size() + " failures=" + server.exceptions().size()
                            + " failures_dropped=" + server.droppedExceptions() + " events_dropped=" + server.droppedEvents());
                }
                case "threads" -> System.out.println(threads());
                case "fdlist" -> {
                    List<String> targets = new ArrayList<>();
                    try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
                        for (Path fd : list.toList()) {
                            try {
                                targets.add(Files.readSymbolicLink(fd).toString());
                            } catch (IOException e) {
                                // the listing's own descriptor, closed by now
                            }
                        }
                    }
                    System.out.println(String.join("|", targets));
                }
                case "close" -> {
                    long started = System.nanoTime();
                    int error = 0;
                    try {
                        server.close();
                    } catch (RuntimeException e) {
                        error = 1;
                        e.printStackTrace();
                    }
                    System.out.println("closed_ms=" + (System.nanoTime() - started) / 1_000_000 + " close_error=" + error);
                }
                default -> System.out.println("unknown command " + line);
            }
            System.out.flush();
        }
        System.exit(0);
    }

    static long status(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** Counts threads in a thread dump (virtual ones too), and those blocked in a socket read or write. */
    static String threads() throws IOException {
        Path dump = Files.createTempDirectory("probe-threads").resolve("dump.txt");
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String key : List.of("virtual_threads", "platform_threads", "in_write", "in_read")) {
            counts.put(key, 0);
        }
        List<String> lines = Files.readAllLines(dump);
        Files.delete(dump);
        Files.delete(dump.getParent());
        String where = null;
        for (String line : lines) {
            if (line.matches("^#\\d+ .*")) {
                count(counts, where);
                counts.merge(line.contains(" virtual") ? "virtual_threads" : "platform_threads", 1, Integer::sum);
                where = "";
            } else if (where != null && where.isEmpty()) {
                if (line.contains("NioSocketImpl.implWrite") || line.contains("NioSocketImpl.write")) {
                    where = "in_write";
                } else if (line.contains("NioSocketImpl.implRead") || line.contains("NioSocketImpl.read")) {
                    where = "in_read";
                }
            }
        }
        count(counts, where);
        StringBuilder line = new StringBuilder("threads");
        counts.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        return line.toString();
    }

    private static void count(Map<String, Integer> counts, String where) {
        if (where != null && !where.isEmpty()) {
            counts.merge(where, 1, Integer::sum);
        }
    }
}
