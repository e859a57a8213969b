package simplesockets.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The image's launcher as a process manager meets it: a SIGTERM to {@code bin/echo-server} (Docker's
 * stop, systemd's) reaches the JVM, which drains and exits. jlink's launcher ran java as a child of a
 * shell that does not pass signals on, so the signal ended the shell and left the server running,
 * listening and undrained.
 */
@Timeout(60)
class LauncherIT {

    private static final Path IMAGE = Path.of(System.getProperty("image.dir"));
    /** The end of the output: the reader thread's last word. */
    private static final String ENDED = "\u0000ended";

    @Test
    void aSigtermToTheLauncherDrainsTheServerAndEndsIt() throws Exception {
        Process launcher = new ProcessBuilder(IMAGE.resolve("bin/echo-server").toString(), "--port", "0")
                .redirectErrorStream(true).start();
        List<ProcessHandle> started = List.of();
        try {
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread.ofVirtual().start(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(launcher.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (java.io.IOException e) {
                    lines.add("read failed: " + e);
                } finally {
                    lines.add(ENDED);
                }
            });
            String listening = lines.poll(30, TimeUnit.SECONDS);
            assertTrue(listening != null && listening.startsWith("listening on 127.0.0.1:"), String.valueOf(listening));
            started = launcher.descendants().toList();
            assertEquals(List.of(), started, "the launcher's process is the JVM, with no child of its own");
            int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1));
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
                client.setSoTimeout(10_000);
                client.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
                assertEquals("ping", new String(client.getInputStream().readNBytes(4), StandardCharsets.UTF_8));
            }

            // SIGTERM, to the launcher's process. Through its handle: Process.destroy() also closes the
            // streams, and the drain's lines would be lost.
            assertTrue(launcher.toHandle().destroy(), "SIGTERM sent");
            // The output to its end first (its end comes with the JVM's), then the exit: a wait for the exit
            // while the reader still reads can close the stream under it.
            StringBuilder rest = new StringBuilder();
            for (String line; !ENDED.equals(line = lines.poll(30, TimeUnit.SECONDS)); ) {
                assertTrue(line != null, "the output did not end within 30 s of SIGTERM: " + rest);
                rest.append(line).append('\n');
            }
            assertTrue(rest.toString().contains("draining\nclosed: 0 connection(s) cut off\n"), rest.toString());
            assertTrue(launcher.waitFor(10, TimeUnit.SECONDS), "the server ended after SIGTERM");
            assertEquals(143, launcher.exitValue(), "128 + SIGTERM, as any JVM a signal ends");
        } finally {
            launcher.destroyForcibly();
            started.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
