package simplesockets.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JPMS wiring as a user meets it, after {@code package}: the examples module requires only
 * {@code simplesockets.api}, and finds the implementation on the module path through
 * {@code uses}/{@code provides}; the jlink image runs the demo; and without the implementation the
 * error names the missing module.
 */
@Timeout(120)
class ModularIT {

    private static final Path MODULES = Path.of(System.getProperty("modules.dir"));
    private static final Path EXAMPLES = Path.of(System.getProperty("examples.jar"));
    private static final Path IMAGE = Path.of(System.getProperty("image.dir"));
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final String DEMO = "simplesockets.examples/simplesockets.examples.Demo";

    private static String modulePath(boolean withImpl) throws Exception {
        List<String> entries = new ArrayList<>();
        try (Stream<Path> jars = Files.list(MODULES)) {
            jars.filter(j -> withImpl || !j.getFileName().toString().startsWith("simplesockets-impl"))
                    .forEach(j -> entries.add(j.toString()));
        }
        entries.add(EXAMPLES.toString());
        return String.join(File.pathSeparator, entries);
    }

    @Test
    void theDemoRunsOnTheModulePathWithTheApiOnlyRequired() throws Exception {
        Tools.Result r = Tools.run(List.of(JAVA, "--module-path", modulePath(true), "-m", DEMO), "", 60);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("demo ok: every reply matched"), r.out());
    }

    /**
     * A modular application that requires only {@code simplesockets.api}, run with the testkit on the
     * module path too (as a library author's tests have it): {@code TcpServer.create(options)} still
     * serves real sockets, which a plain {@link java.net.Socket} proves.
     */
    @Test
    void theQuickStartServesRealSocketsWithTheTestkitOnTheModulePath() throws Exception {
        List<String> entries = new ArrayList<>(List.of(modulePath(true).split(File.pathSeparator)));
        try (Stream<Path> jars = Files.list(Path.of(System.getProperty("testkit.dir")))) {
            jars.forEach(j -> entries.add(j.toString()));
        }
        assertTrue(entries.stream().anyMatch(e -> e.contains("simplesockets-testkit")), entries.toString());
        Process server = new ProcessBuilder(JAVA, "--module-path", String.join(File.pathSeparator, entries),
                "-m", "simplesockets.examples/simplesockets.examples.EchoServer", "--port", "0")
                .redirectErrorStream(true).start();
        try (java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(
                server.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
            String listening = out.readLine();
            assertTrue(listening != null && listening.startsWith("listening on "), String.valueOf(listening));
            int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1).trim());
            try (java.net.Socket peer = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
                peer.setSoTimeout(10_000);
                peer.getOutputStream().write("over real TCP".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertEquals("over real TCP", new String(peer.getInputStream().readNBytes(13),
                        java.nio.charset.StandardCharsets.UTF_8));
            }
        } finally {
            server.destroy();
            if (!server.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    @Test
    void withoutTheImplementationTheErrorNamesTheMissingModule() throws Exception {
        Tools.Result r = Tools.run(List.of(JAVA, "--module-path", modulePath(false), "-m", DEMO), "", 60);
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("No simplesockets implementation found"), r.err());
        assertTrue(r.err().contains("simplesockets.impl"), r.err());
        assertTrue(!r.err().contains("NoSuchElementException"), r.err());
    }

    @Test
    void theJlinkImageRunsTheDemoAndHoldsOnlyWhatItNeeds() throws Exception {
        Path launcher = IMAGE.resolve("bin").resolve("demo");
        Tools.Result r = Tools.run(List.of(launcher.toString()), "", 60);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("demo ok: every reply matched"), r.out());
        assertEquals(9, r.out().lines().filter(l -> l.contains(" sent ")).count(), r.out());

        Tools.Result modules = Tools.run(List.of(IMAGE.resolve("bin").resolve("java").toString(), "--list-modules"), "", 60);
        List<String> names = modules.out().lines().map(l -> l.replaceAll("@.*", "")).sorted().toList();
        assertEquals(List.of("java.base", "jdk.jfr", "jdk.net", "org.slf4j", "org.slf4j.simple", "simplesockets.api",
                "simplesockets.examples", "simplesockets.impl"), names);
        long bytes;
        try (Stream<Path> files = Files.walk(IMAGE)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        System.out.printf("jlink image: %.1f MiB in %s%n", bytes / 1048576.0, IMAGE);
    }
}
