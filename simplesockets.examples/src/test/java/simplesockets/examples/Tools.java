package simplesockets.examples;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs external programs with bounded waits; skips (or, in CI, fails) when one is not installed. */
final class Tools {

    /** Set by .ci/run: a missing tool fails the test instead of skipping it. */
    static final boolean REQUIRED = System.getenv("SIMPLESOCKETS_REQUIRE_TOOLS") != null;

    record Result(int exit, String out, String err) {
    }

    private Tools() {
    }

    static String find(String tool) {
        // Debian installs haproxy in /usr/sbin, which is not on a normal user's PATH.
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin" + File.pathSeparator
                + "/usr/local/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            File file = new File(dir, tool);
            if (file.canExecute()) {
                return file.getAbsolutePath();
            }
        }
        if (REQUIRED) {
            throw new AssertionError(tool + " is required here (install it: apt-get install ncat socat python3 haproxy)");
        }
        assumeTrue(false, tool + " is not installed; skipping");
        return null;
    }

    /** Runs a command with the given standard input, waiting at most {@code seconds}. */
    static Result run(List<String> command, String stdin, int seconds) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + seconds + " s");
        }
        return new Result(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
