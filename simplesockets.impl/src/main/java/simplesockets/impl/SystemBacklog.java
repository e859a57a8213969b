package simplesockets.impl;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The system's largest listen backlog, read once: on Linux {@code /proc/sys/net/core/somaxconn}, and
 * {@value #FALLBACK} where the system does not say (the kernel caps a larger backlog at its own
 * maximum anyway). Netty and Go do the same.
 */
final class SystemBacklog {

    /** The backlog where the system does not say: Helidon's default. */
    static final int FALLBACK = 1024;

    private static final Path SOMAXCONN = Path.of("/proc/sys/net/core/somaxconn");

    private SystemBacklog() {
    }

    /** The largest backlog; read on first use, outside any lock of ours. */
    static int largest() {
        return Holder.LARGEST;
    }

    private static final class Holder {
        static final int LARGEST = read();

        private static int read() {
            // Read a line, not the whole file: procfs reports a size of 0, and on JDK 25
            // Files.readString then returns only the first byte ("4" for 4096).
            try (BufferedReader in = Files.newBufferedReader(SOMAXCONN)) {
                String line = in.readLine();
                int value = line == null ? 0 : Integer.parseInt(line.trim());
                return value > 0 ? value : FALLBACK;
            } catch (IOException | RuntimeException e) {
                return FALLBACK;
            }
        }
    }
}
