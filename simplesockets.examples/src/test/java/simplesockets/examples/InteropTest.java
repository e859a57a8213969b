package simplesockets.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.TcpServer;

/**
 * Raw-mode interoperability, over loopback: ncat, socat, a Python client in the seed's style and a
 * plain Java socket talk to our echo server, and our echo client talks to raw echo servers.
 */
@Timeout(60)
class InteropTest {

    private TcpServer server;
    private Thread loop;
    private int port;

    @BeforeEach
    void startEchoServer() throws IOException {
        server = EchoServer.start("127.0.0.1", 0, new PrintStream(OutputStream.nullOutputStream()));
        port = server.localAddress().orElseThrow().getPort();
        loop = ServingLoop.start(server, Duration.ZERO, System.out); // the example's own loop, without stats
    }

    @AfterEach
    void stop() throws InterruptedException {
        ServingLoop.stop(loop);
        server.close();
    }

    @Test
    void echoServerPrintsItsRealPort() throws IOException {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (TcpServer other = EchoServer.start("127.0.0.1", 0, new PrintStream(printed, true, StandardCharsets.UTF_8))) {
            assertEquals("listening on 127.0.0.1:" + other.localAddress().orElseThrow().getPort(),
                    printed.toString(StandardCharsets.UTF_8).strip());
        }
    }

    @Test
    void ncatGetsItsLineBackAfterHalfClosing() throws Exception {
        // `echo hello | ncat 127.0.0.1 PORT`: ncat shuts down its output when stdin ends.
        Tools.Result r = Tools.run(List.of(Tools.find("ncat"), "127.0.0.1", String.valueOf(port)), "hello\n", 20);
        assertEquals("hello\n", r.out(), r.err());
    }

    @Test
    void socatGetsItsLinesBack() throws Exception {
        Tools.Result r = Tools.run(List.of(Tools.find("socat"), "-t", "5", "-", "TCP:127.0.0.1:" + port),
                "one\ntwo\n", 20);
        assertEquals("one\ntwo\n", r.out(), r.err());
    }

    @Test
    void aPythonClientInTheSeedsStyleGetsItsDataBack() throws Exception {
        // What the seed's TCPClient does on the wire: connect, sendall, recv(2048).
        String script = """
                import socket, sys
                s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
                s.sendall(b"Test")
                data = b""
                while len(data) < 4:
                    chunk = s.recv(2048)
                    if not chunk:
                        break
                    data += chunk
                print(data.decode())
                s.close()
                """;
        Tools.Result r = Tools.run(List.of(Tools.find("python3"), "-c", script, String.valueOf(port)), "", 20);
        assertEquals("Test\n", r.out(), r.err());
    }

    @Test
    void aPlainJavaSocketExchangesRawBytes() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(new byte[] {0, 1, 2, (byte) 255});
            assertEquals(List.of(0, 1, 2, 255), toList(socket.getInputStream().readNBytes(4)));
        }
    }

    @Test
    void echoClientTalksToOurServer() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        assertTrue(EchoClient.run("127.0.0.1", port, List.of("Test", "again"),
                new PrintStream(printed, true, StandardCharsets.UTF_8)));
        assertEquals("Test\nagain\n", printed.toString(StandardCharsets.UTF_8));
    }

    /**
     * A reply longer than one piece (2,048 bytes by default) whose last character is split between two
     * pieces prints whole. Before, each piece was decoded alone, and the split character printed as two
     * replacement characters.
     */
    @Test
    void echoClientPrintsACharacterSplitBetweenTwoPiecesWhole() throws Exception {
        String message = "a".repeat(2047) + "\u00e9"; // the two bytes of the é are the 2,048th and the 2,049th
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        assertTrue(EchoClient.run("127.0.0.1", port, List.of(message), new PrintStream(printed, true, StandardCharsets.UTF_8)));
        assertEquals(message + "\n", printed.toString(StandardCharsets.UTF_8));
    }

    @Test
    void echoClientTalksToAPlainJavaEchoServer() throws Exception {
        try (ServerSocket raw = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread echo = Thread.ofVirtual().start(() -> {
                try (Socket s = raw.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    // the test ended
                }
            });
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            assertTrue(EchoClient.run("127.0.0.1", raw.getLocalPort(), List.of("raw peer"),
                    new PrintStream(printed, true, StandardCharsets.UTF_8)));
            assertEquals("raw peer\n", printed.toString(StandardCharsets.UTF_8));
            echo.join(Duration.ofSeconds(2));
        }
    }

    @Test
    void echoClientTalksToSocatAsAnEchoServer() throws Exception {
        String socat = Tools.find("socat");
        int free;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = probe.getLocalPort();
        }
        Process echo = new ProcessBuilder(socat, "TCP-LISTEN:" + free + ",bind=127.0.0.1,reuseaddr,fork", "EXEC:cat").start();
        try {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            boolean ok = false;
            for (int attempt = 0; attempt < 50 && !ok; attempt++) { // until socat listens, at most ~5 s
                printed.reset();
                ok = EchoClient.run("127.0.0.1", free, List.of("via socat"), new PrintStream(printed, true, StandardCharsets.UTF_8));
                if (!ok) {
                    echo.waitFor(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                }
            }
            assertTrue(ok, printed.toString(StandardCharsets.UTF_8));
            assertEquals("via socat\n", printed.toString(StandardCharsets.UTF_8));
        } finally {
            echo.destroy();
            echo.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void chatServerRelaysToTheOthers() throws Exception {
        try (TcpServer chat = ChatServer.start("127.0.0.1", 0);
             Socket alice = new Socket(InetAddress.getLoopbackAddress(), chat.localAddress().orElseThrow().getPort());
             Socket bob = new Socket(InetAddress.getLoopbackAddress(), chat.localAddress().orElseThrow().getPort())) {
            alice.setSoTimeout(5_000);
            bob.setSoTimeout(5_000);
            // Bob's join is announced to Alice once the server has him among its clients; only then
            // can a line from Alice reach him.
            String joined = bob.getLocalPort() + ": joined\n";
            String announcements = readUntil(alice, joined);
            assertTrue(announcements.contains(joined), announcements);
            alice.getOutputStream().write("hi bob\n".getBytes(StandardCharsets.UTF_8));
            String expected = alice.getLocalPort() + ": hi bob\n";
            String seen = readUntil(bob, expected);
            assertTrue(seen.contains(expected), seen);
        }
    }

    /**
     * The chat relays on the sender's thread, so each member's copy waits in that member's own queue:
     * one member who never reads is disconnected as a slow consumer, and the three others keep getting
     * every byte. The speaker goes at the pace of the readers (a chunk, then the three have it), as
     * people chat; a member who never reads still falls behind by megabytes.
     */
    @Test
    void chatKeepsRelayingToThreeMembersWhileAFourthNeverReads() throws Exception {
        int chunk = 64 * 1023;
        int chunks = 128; // 8 MiB in all: far past the silent member's socket buffers and pending bound
        try (TcpServer chat = ChatServer.start("127.0.0.1", 0)) {
            int port = chat.localAddress().orElseThrow().getPort();
            Socket silent = new Socket();
            silent.setReceiveBufferSize(4096);
            List<Socket> readers = new java.util.ArrayList<>();
            java.util.concurrent.Semaphore received = new java.util.concurrent.Semaphore(0);
            try (Socket alice = new Socket(InetAddress.getLoopbackAddress(), port)) {
                alice.setSoTimeout(5_000);
                for (int i = 0; i < 3; i++) {
                    Socket reader = new Socket(InetAddress.getLoopbackAddress(), port);
                    reader.setSoTimeout(20_000);
                    readers.add(reader);
                }
                silent.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                String lastJoin = silent.getLocalPort() + ": joined\n";
                assertTrue(readUntil(alice, lastJoin).contains(lastJoin), "every member joined");
                Thread.ofVirtual().start(() -> drain(alice)); // alice hears nothing but announcements
                for (Socket reader : readers) {
                    Thread.ofVirtual().start(() -> countX(reader, received));
                }
                byte[] line = ("x".repeat(1022) + "\n").getBytes(StandardCharsets.UTF_8);
                long started = System.nanoTime();
                for (int c = 0; c < chunks; c++) {
                    for (int l = 0; l < 64; l++) {
                        alice.getOutputStream().write(line);
                    }
                    assertTrue(received.tryAcquire(3 * 64 * 1022, 10, java.util.concurrent.TimeUnit.SECONDS),
                            "the three reading members got chunk " + c);
                }
                long tookMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
                System.out.println("relayed " + (chunks * 64 * 1022 >> 20) + " MiB to three members in " + tookMillis
                        + " ms while a fourth never read");
                // The slow consumer's failure is in the server's exception list (the seed's).
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!chat.hasExceptions() && System.nanoTime() < deadline) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // no event to wait on here
                }
                var failures = chat.exceptions();
                assertTrue(failures.stream().anyMatch(f -> f instanceof simplesockets.api.Failure.SlowConsumer),
                        "recorded: " + failures);
                assertEquals(4, chat.clients().size(), "the member who never read was disconnected");
            } finally {
                for (Socket reader : readers) {
                    reader.close();
                }
                silent.close();
            }
        }
    }

    /** Counts the filler bytes ('x') a member receives into {@code received}, until end of stream. */
    private static void countX(Socket socket, java.util.concurrent.Semaphore received) {
        byte[] buffer = new byte[64 * 1024];
        try {
            InputStream in = socket.getInputStream();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                int count = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == 'x') {
                        count++;
                    }
                }
                received.release(count);
            }
        } catch (IOException e) {
            // closed at the end of the test
        }
    }

    private static void drain(Socket socket) {
        byte[] buffer = new byte[4096];
        try {
            while (socket.getInputStream().read(buffer) >= 0) {
                // announcements only
            }
        } catch (IOException e) {
            // closed at the end of the test
        }
    }

    /** Reads until {@code expected} has been seen, end of stream, or 5 s; returns what was read. */
    private static String readUntil(Socket socket, String expected) throws java.io.IOException {
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        byte[] buffer = new byte[256];
        while (!seen.toString().contains(expected) && System.nanoTime() < deadline) {
            int n = socket.getInputStream().read(buffer);
            if (n < 0) {
                break;
            }
            seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        return seen.toString();
    }

    @Test
    void demoRunsAndEveryReplyMatches() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        assertTrue(Demo.run(new PrintStream(printed, true, StandardCharsets.UTF_8)));
        String transcript = printed.toString(StandardCharsets.UTF_8);
        assertTrue(transcript.contains("demo ok"), transcript);
        assertEquals(9, transcript.lines().filter(l -> l.contains(" sent ")).count(), transcript);
    }

    private static List<Integer> toList(byte[] bytes) {
        return java.util.stream.IntStream.range(0, bytes.length).mapToObj(i -> bytes[i] & 0xff).toList();
    }
}
