package simplesockets.impl;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import simplesockets.api.Framing;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpServer;

/**
 * A server in a JVM of its own, for {@link AdversarialSuiteTest}: where memory or logs are the point,
 * the server must not share a heap or a log with the test's peers.
 *
 * <p>Argument: {@code framed} (length-prefixed frames of up to 1 MiB; {@code onReceive} echoes and
 * {@code onDisconnect} counts, as in issue 12's reproduction) or {@code echo} (the README's echo
 * callback and nothing else). Every other option is the default, except a free port on 127.0.0.1.
 *
 * <p>Protocol: every line this class writes starts with {@link #PREFIX} and goes to stdout; anything
 * else the process writes (stdout or stderr) is the server's own logging. The first line is
 * {@code @@ port N}. Commands, one per line on stdin:
 * <ul>
 *   <li>{@code heap N}: waits (at most 30 s) until N connections have ended, runs a full GC a few times
 *       and answers {@code @@ heap USED DISCONNECTS} (used heap in bytes, the lowest of the readings);</li>
 *   <li>{@code stats}: answers {@code @@ stats CLIENTS BUDGET DISCONNECTS FAILURES} without a GC (BUDGET
 *       is the engine's bytes in flight, read from its {@link Budget}; FAILURES the failures recorded,
 *       kept or dropped);</li>
 *   <li>{@code failures}: answers {@code @@ failures {Kind=N,...} dropped=N}, the recorded failures
 *       still kept, counted by kind, and how many were dropped;</li>
 *   <li>{@code quit}: closes the server, answers {@code @@ bye} and exits.</li>
 * </ul>
 */
public final class AdversarialServer {

    static final String PREFIX = "@@ ";
    static final int MAX_FRAME = 1 << 20;

    private AdversarialServer() {
    }

    public static void main(String[] args) throws Exception {
        AtomicLong disconnects = new AtomicLong();
        ServerOptions.Builder builder = ServerOptions.builder().host("127.0.0.1").port(0)
                .onReceive((connection, data) -> connection.send(data));
        switch (args[0]) {
            case "framed" -> builder.framing(Framing.lengthPrefixed(MAX_FRAME))
                    .onDisconnect((connection, reason) -> {
                        synchronized (disconnects) {
                            disconnects.incrementAndGet();
                            disconnects.notifyAll();
                        }
                    });
            case "echo" -> {
            }
            case "framed-few-failures" -> builder.framing(Framing.lengthPrefixed(MAX_FRAME)).maxRecordedFailures(16)
                    .onDisconnect((connection, reason) -> {
                        synchronized (disconnects) {
                            disconnects.incrementAndGet();
                            disconnects.notifyAll();
                        }
                    });
            default -> throw new IllegalArgumentException(args[0]);
        }
        TcpServer server = TcpServer.create(builder.build());
        server.start();
        say("port " + server.localAddress().orElseThrow().getPort());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.trim().split(" ");
            switch (words[0]) {
                case "heap" -> {
                    long wanted = Long.parseLong(words[1]);
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    synchronized (disconnects) {
                        while (disconnects.get() < wanted && System.nanoTime() < deadline) {
                            disconnects.wait(1000);
                        }
                    }
                    say("heap " + heapAfterGc() + " " + disconnects.get());
                }
                case "stats" -> say("stats " + server.clients().size() + " " + budgetUsed(server) + " " + disconnects.get()
                        + " " + (server.exceptions().size() + server.droppedExceptions()));
                case "failures" -> {
                    java.util.Map<String, Long> kinds = new java.util.TreeMap<>();
                    for (simplesockets.api.Failure failure : server.exceptions()) {
                        kinds.merge(failure.getClass().getSimpleName(), 1L, Long::sum);
                    }
                    say("failures " + kinds.toString().replace(" ", "") + " dropped=" + server.droppedExceptions());
                }
                case "quit" -> {
                    server.close();
                    say("bye");
                    System.exit(0);
                }
                default -> say("unknown " + line);
            }
        }
        server.close();
    }

    private static void say(String line) {
        System.out.println(PREFIX + line);
        System.out.flush();
    }

    /** The used heap after a full GC: the lowest of a few readings, each right after System.gc(). */
    private static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long lowest = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            lowest = Math.min(lowest, memory.getHeapMemoryUsage().getUsed());
        }
        return lowest;
    }

    /** The engine's bytes in flight; -1 if the server is not a {@link ServerEngine}. */
    private static long budgetUsed(TcpServer server) {
        try {
            Field field = ServerEngine.class.getDeclaredField("delivery");
            field.setAccessible(true);
            return ((Delivery<?>) field.get(server)).events().budget().used();
        } catch (ReflectiveOperationException | ClassCastException e) {
            return -1;
        }
    }
}
