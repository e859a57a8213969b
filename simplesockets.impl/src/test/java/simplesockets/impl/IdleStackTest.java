package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static simplesockets.impl.Peers.loopback;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import simplesockets.api.TcpServer;

/**
 * What every idle connection keeps while it waits for data: its thread's parked stack. On a plain
 * connection's thread our frames are the session, the read loop, the reader and the transport's read,
 * and nothing of the scope's lies beneath the session ({@link Scope#forkLeaving}): a frame more is held by
 * every idle connection (about a hundred bytes each, cold).
 */
@Timeout(30)
class IdleStackTest {

    private static final Pattern CONNECTION = Pattern.compile(
            "\"name\"\\s*:\\s*\"simplesockets-server-\\d+-conn-\\d+\"[^\\[]*?\"stack\"\\s*:\\s*\\[(.*?)\\]", Pattern.DOTALL);

    @TempDir
    Path dumps;

    @Test
    void aParkedConnectionsStackHoldsFourFramesOfOurs() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().build())) { // polling, default options
            server.start();
            try (Socket peer = Peers.connect(server.localAddress().orElseThrow())) { // connected, then idle
                AtomicInteger dumpsTaken = new AtomicInteger();
                AtomicReference<List<String>> stack = new AtomicReference<>(List.of());
                Peers.awaitCondition(() -> {
                    stack.set(parkedConnectionStack(dumps.resolve("dump-" + dumpsTaken.incrementAndGet() + ".json")));
                    return !stack.get().isEmpty();
                }, Peers.WAIT, () -> "no connection's thread parked in a read");
                List<String> frames = stack.get();
                List<String> ours = frames.stream().filter(f -> f.startsWith("simplesockets.")).toList();
                assertEquals(List.of("simplesockets.impl.SocketTransport.read", "simplesockets.impl.Reader.next",
                        "simplesockets.impl.ReadLoop.run", "simplesockets.impl.Session.run"), ours, frames.toString());
                assertEquals("java.lang.VirtualThread.run", frames.getLast(), "nothing between the thread and its session");
            }
        }
    }

    /**
     * The stack of a server connection's thread parked in its transport's read, from a JSON thread dump
     * written to {@code dump}, each frame as {@code class.method} without its module and line; empty if none is.
     */
    private static List<String> parkedConnectionStack(Path dump) {
        try {
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(dump.toAbsolutePath().toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            Matcher m = CONNECTION.matcher(Files.readString(dump).replace("\\/", "/"));
            while (m.find()) {
                List<String> frames = Arrays.stream(m.group(1).split(","))
                        .map(f -> f.strip().replaceAll("^\"|\"$", "")) // "module/class.method(File.java:1)"
                        .map(f -> f.replaceFirst("^[^/(]*/", "").replaceFirst("\\(.*", ""))
                        .toList();
                if (frames.contains("simplesockets.impl.SocketTransport.read")
                        && frames.stream().anyMatch(f -> f.startsWith("java.lang.VirtualThread.park"))) {
                    return frames;
                }
            }
            return List.of();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
