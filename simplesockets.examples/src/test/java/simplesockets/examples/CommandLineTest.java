package simplesockets.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import simplesockets.api.Framing;
import simplesockets.api.TcpServer;

/**
 * The examples' command line as an operator types it: a mistyped option is refused rather than taken
 * for a message or ignored, and the echo client reaches the server wherever and however the echo
 * server was told to listen (a Unix socket, a framing). Before, {@code echo-client --unix PATH hi}
 * went to TCP port 25567, and {@code --framing length} was sent as two raw messages.
 */
@Timeout(60)
class CommandLineTest {

    @TempDir
    Path dir;

    @Test
    void aMistypedOptionIsRefusedWithTheOptionsThereAre() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Args.parse("--prot", "9999"));
        assertTrue(e.getMessage().contains("unknown option --prot") && e.getMessage().contains("--port"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Args.parse("--framing"), "an option without its value");
    }

    /**
     * What the programs' {@code main} makes of a bad command line or a port in use: a message and the
     * usage on standard error and exit status 2, or a message and 1; never a stack trace. The client refuses
     * the servers' options instead of ignoring them.
     */
    @Test
    void badCommandLinesAndTakenPortsEndWithAMessageAndAStatusNotAStackTrace() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errors = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, Args.exitStatus("echo-server", EchoServer.USAGE, new String[] {"--prot", "9999"},
                EchoServer::serveUntilStopped, errors));
        String said = err.toString(StandardCharsets.UTF_8);
        assertTrue(said.startsWith("echo-server: unknown option --prot"), said);
        assertTrue(said.contains("usage: echo-server [--host HOST]"), said);
        assertTrue(!said.contains("\tat "), "no stack trace: " + said);

        for (String[] serverOnly : List.of(new String[] {"--stats", "10", "hi"}, new String[] {"--proxy-protocol", "hi"},
                new String[] {"--trusted-proxy", "10.0.0.0/8", "hi"})) {
            err.reset();
            assertEquals(2, Args.exitStatus("echo-client", EchoClient.USAGE, serverOnly, EchoClient::sendAll, errors),
                    List.of(serverOnly) + ": " + err.toString(StandardCharsets.UTF_8));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("those are the servers' options"),
                    err.toString(StandardCharsets.UTF_8));
        }

        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            err.reset();
            String port = String.valueOf(taken.getLocalPort());
            assertEquals(1, Args.exitStatus("echo-server", EchoServer.USAGE, new String[] {"--port", port},
                    EchoServer::serveUntilStopped, errors));
            said = err.toString(StandardCharsets.UTF_8);
            assertTrue(said.startsWith("echo-server: ") && !said.contains("\tat "), said);
        }
    }

    /** A message the framing cannot carry (a line break in a line) ends the client with a message, not a stack trace. */
    @Test
    void theEchoClientReportsAMessageItsFramingCannotCarry() throws Exception {
        try (TcpServer server = EchoServer.start(Args.parse("--port", "0", "--framing", "lines"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Args args = Args.parse("--port", String.valueOf(server.localAddress().orElseThrow().getPort()),
                    "--framing", "lines");
            Thread loop = ServingLoop.start(server, Duration.ZERO, System.out);
            boolean ok;
            try {
                ok = EchoClient.run(EchoClient.options(args), List.of("fine", "a\nb", "never sent"),
                        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            } finally {
                server.close();
                ServingLoop.stop(loop);
            }
            assertTrue(!ok, "not every message came back");
            assertEquals("fine" + System.lineSeparator(), out.toString(StandardCharsets.UTF_8), "the replies only");
            assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("cannot send a"), err.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void wordsAfterALoneDoubleDashAreMessagesEvenWithDashes() {
        Args args = Args.parse("--port", "1", "--framing", "lines", "hello", "--", "--not-an-option");
        assertEquals(List.of("hello", "--not-an-option"), args.messages());
        assertEquals(Framing.lines(64 * 1024), EchoServer.framing(args));
        // Even the names of options: they were read again as options, and dropped with the word after them.
        Args literal = Args.parse("--port", "1", "--", "--stats", "5", "--framing", "x");
        assertEquals(List.of("--stats", "5", "--framing", "x"), literal.messages());
        assertEquals(Framing.RAW, EchoServer.framing(literal));
        assertEquals(Duration.ZERO, EchoServer.statsEvery(literal));
    }

    /** A bad value names its option; an option is never taken for another's value; a server takes no words. */
    @Test
    void badValuesAndStrayWordsAreRefusedWithWhatWasMeant() throws Exception {
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class, () -> Args.parse("--port", "abc"));
        assertEquals("--port needs a number from 0 to 65535, not 'abc'", port.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Args.parse("--port", "65536"));
        IllegalArgumentException host = assertThrows(IllegalArgumentException.class,
                () -> Args.parse("--host", "--port", "9999"));
        assertEquals("--host needs a value, not the option --port", host.getMessage());
        IllegalArgumentException stray = assertThrows(IllegalArgumentException.class,
                () -> EchoServer.start(Args.parse("9999"), System.out));
        assertTrue(stray.getMessage().contains("say --port 9999"), stray.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ChatServer.start(Args.parse("--port", "0", "--framing", "length")));
    }

    @Test
    void theEchoClientReachesAnEchoServerOverAUnixSocketWithLengthFraming() throws Exception {
        String socket = dir.resolve("echo.sock").toString();
        assertEchoed("--unix", socket, "--framing", "length");
    }

    @Test
    void theEchoClientFramesItsMessagesAsTheEchoServerIsToldTo() throws Exception {
        assertEchoed("--host", "127.0.0.1", "--port", "0", "--framing", "lines");
    }

    /**
     * {@code echo-server --framing length} takes frames of up to 1 MiB, and answers a client that
     * pipelines eight of them, reading the echoes as it writes: its bound on pending sends holds a few
     * such frames, so the client is slowed by TCP, never cut off as a slow consumer. Before, with the
     * default bound of 1 MiB, an echo met one still pending and the client was cut off.
     */
    @Test
    void theLengthFramedEchoServerAnswersPipelinedFramesOfItsLargestSize() throws Exception {
        byte[] frame = new byte[4 + (1 << 20)];
        frame[1] = 0x10; // 1 MiB, big-endian
        for (int i = 4; i < frame.length; i++) {
            frame[i] = (byte) (i * 31);
        }
        try (TcpServer server = EchoServer.start(Args.parse("--host", "127.0.0.1", "--port", "0", "--framing", "length"),
                new PrintStream(java.io.OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
             java.net.Socket client = new java.net.Socket("127.0.0.1", server.localAddress().orElseThrow().getPort())) {
            Thread loop = ServingLoop.start(server, Duration.ZERO, System.out);
            try {
                client.setSoTimeout(10_000);
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < 8; i++) {
                            client.getOutputStream().write(frame);
                        }
                    } catch (java.io.IOException e) {
                        // the reads below say what went wrong
                    }
                });
                for (int i = 0; i < 8; i++) {
                    byte[] echo = client.getInputStream().readNBytes(frame.length);
                    assertTrue(java.util.Arrays.equals(frame, echo), "echo " + i + " whole: " + server.stats());
                }
                writer.join(Duration.ofSeconds(10));
                assertEquals(0, server.stats().slowConsumers());
            } finally {
                ServingLoop.stop(loop);
            }
        }
    }

    /** Starts the echo server with {@code where}, then runs the echo client with the same options, pointed at it. */
    private static void assertEchoed(String... where) throws Exception {
        ByteArrayOutputStream serverOut = new ByteArrayOutputStream();
        try (TcpServer server = EchoServer.start(Args.parse(where), new PrintStream(serverOut, true, StandardCharsets.UTF_8))) {
            Thread loop = ServingLoop.start(server, Duration.ZERO, System.out);
            try {
                List<String> clientArgs = new java.util.ArrayList<>(List.of(where));
                int port = clientArgs.indexOf("--port");
                if (port >= 0) {
                    clientArgs.set(port + 1, String.valueOf(server.localAddress().orElseThrow().getPort()));
                }
                clientArgs.addAll(List.of("hello", "world"));
                Args args = Args.parse(clientArgs.toArray(String[]::new));
                ByteArrayOutputStream printed = new ByteArrayOutputStream();
                assertTrue(EchoClient.run(EchoClient.options(args), args.messages(),
                        new PrintStream(printed, true, StandardCharsets.UTF_8)), printed.toString(StandardCharsets.UTF_8));
                assertEquals("hello" + System.lineSeparator() + "world" + System.lineSeparator(),
                        printed.toString(StandardCharsets.UTF_8));
            } finally {
                ServingLoop.stop(loop);
            }
        }
    }
}
