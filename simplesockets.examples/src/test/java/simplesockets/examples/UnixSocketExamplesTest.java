package simplesockets.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import simplesockets.api.TcpServer;

/**
 * The examples over a Unix domain socket, as an operator tries them: {@code echo-server --unix PATH}
 * answers {@code ncat -U PATH} and {@code socat - UNIX-CONNECT:PATH}, and the chat relays whole lines
 * between Unix peers, named by their ids.
 */
@Timeout(60)
class UnixSocketExamplesTest {

    @TempDir
    Path dir;

    private Path socket;
    private TcpServer server;
    private Thread loop;
    private String printed;

    @BeforeEach
    void startEchoServer() throws Exception {
        socket = dir.resolve("echo.sock");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        server = EchoServer.start(Args.parse("--unix", socket.toString()), new PrintStream(out, true, StandardCharsets.UTF_8));
        printed = out.toString(StandardCharsets.UTF_8);
        loop = ServingLoop.start(server, Duration.ZERO, System.out); // the example's own loop, without stats
    }

    @AfterEach
    void stop() throws InterruptedException {
        ServingLoop.stop(loop);
        server.close();
        assertTrue(!Files.exists(socket), "closing the server removed its socket file");
    }

    @Test
    void theEchoServerSaysWhereItListens() {
        assertEquals("listening on unix:" + socket + System.lineSeparator(), printed);
    }

    @Test
    void ncatOverTheSocketFileGetsItsLineBack() throws Exception {
        Tools.Result r = Tools.run(List.of(Tools.find("ncat"), "-U", socket.toString()), "hello over a file\n", 20);
        assertEquals(0, r.exit(), r.err());
        assertEquals("hello over a file\n", r.out());
    }

    @Test
    void socatOverTheSocketFileGetsItsLineBack() throws Exception {
        Tools.Result r = Tools.run(List.of(Tools.find("socat"), "-", "UNIX-CONNECT:" + socket), "hello from socat\n", 20);
        assertEquals(0, r.exit(), r.err());
        assertEquals("hello from socat\n", r.out());
    }

    /**
     * {@code --unix PATH --proxy-protocol}: a proxy on the same host speaks the PROXY protocol over the
     * socket file, and the server prints who came through it. Before, printing the proxy's address (a
     * file, not an IP address) threw in {@code onConnect}, so the line never came.
     */
    @Test
    void theEchoServerBehindAProxyOverTheSocketFileSaysWhoCameThroughIt() throws Exception {
        Path proxied = dir.resolve("proxied.sock");
        java.io.PipedInputStream lines = new java.io.PipedInputStream(64 * 1024);
        PrintStream out = new PrintStream(new java.io.PipedOutputStream(lines), true, StandardCharsets.UTF_8);
        java.io.BufferedReader printedLines = new java.io.BufferedReader(new java.io.InputStreamReader(lines, StandardCharsets.UTF_8));
        try (TcpServer behind = EchoServer.start(Args.parse("--unix", proxied.toString(), "--proxy-protocol"), out);
             java.nio.channels.SocketChannel proxy = java.nio.channels.SocketChannel.open(
                     java.net.UnixDomainSocketAddress.of(proxied))) {
            Thread serving = ServingLoop.start(behind, Duration.ZERO, System.out);
            try {
                assertEquals("listening on unix:" + proxied, printedLines.readLine());
                proxy.write(java.nio.ByteBuffer.wrap("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\nhello\n"
                        .getBytes(StandardCharsets.US_ASCII)));
                java.nio.ByteBuffer echo = java.nio.ByteBuffer.allocate(6);
                while (echo.hasRemaining() && proxy.read(echo) >= 0) {
                    // until the whole line is back, or the end
                }
                assertEquals("hello\n", new String(echo.array(), 0, echo.position(), StandardCharsets.US_ASCII));
                assertEquals("client 203.0.113.7:5555 via unix:" + proxied, printedLines.readLine());
            } finally {
                ServingLoop.stop(serving);
            }
        }
    }

    @Test
    void theChatRelaysWholeLinesBetweenUnixPeersByTheirIds() throws Exception {
        Path chatSocket = dir.resolve("chat.sock");
        try (TcpServer chat = ChatServer.start(Args.parse("--unix", chatSocket.toString()));
             java.nio.channels.SocketChannel ann = java.nio.channels.SocketChannel.open(
                     java.net.UnixDomainSocketAddress.of(chatSocket))) {
            java.io.BufferedReader annIn = new java.io.BufferedReader(new java.io.InputStreamReader(
                    java.nio.channels.Channels.newInputStream(ann), StandardCharsets.UTF_8));
            try (java.nio.channels.SocketChannel bob = java.nio.channels.SocketChannel.open(
                    java.net.UnixDomainSocketAddress.of(chatSocket))) {
                String joined = annIn.readLine();
                assertTrue(joined.matches("#\\d+: joined"), joined);
                bob.write(java.nio.ByteBuffer.wrap("hi a".getBytes(StandardCharsets.UTF_8)));
                bob.write(java.nio.ByteBuffer.wrap("nn\n".getBytes(StandardCharsets.UTF_8)));
                String relayed = annIn.readLine();
                assertEquals(joined.replace("joined", "hi ann"), relayed, "a whole line, named by the sender's id");
            }
        }
    }
}
