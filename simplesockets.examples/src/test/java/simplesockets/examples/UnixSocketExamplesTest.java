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
