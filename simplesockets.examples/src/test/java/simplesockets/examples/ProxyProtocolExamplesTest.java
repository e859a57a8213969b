package simplesockets.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.Failure;
import simplesockets.api.ProxyHeader;
import simplesockets.api.ProxyProtocol;
import simplesockets.api.TcpServer;

/**
 * The examples speak the PROXY protocol with {@code --proxy-protocol}: the issue's
 * {@code printf 'PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\nhello' | ncat} gets {@code hello} back,
 * a garbage header is refused and recorded, v2 works as well, and the chat names the real clients.
 */
@Timeout(60)
class ProxyProtocolExamplesTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private TcpServer server;
    private Thread loop;
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    /** The echo server as its main runs it, with the PROXY protocol, answering on a poll loop. */
    private int startEchoServer(String... extra) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("--host", "127.0.0.1", "--port", "0", "--proxy-protocol"));
        args.addAll(List.of(extra));
        server = EchoServer.start(Args.parse(args.toArray(String[]::new)), new PrintStream(printed, true, StandardCharsets.UTF_8));
        loop = Thread.ofVirtual().start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    EchoServer.echoOnce(server, Duration.ofMillis(200));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return server.localAddress().orElseThrow().getPort();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (loop != null) {
            loop.interrupt();
            loop.join(Duration.ofSeconds(2));
            server.close();
        }
    }

    private String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    /** {@code sh -c "printf '...' | ncat 127.0.0.1 PORT"}, exactly as a person would type it. */
    private static Tools.Result printfToNcat(String printfFormat, int port) throws Exception {
        String ncat = Tools.find("ncat");
        return Tools.run(List.of("sh", "-c", "printf '" + printfFormat + "' | " + ncat + " 127.0.0.1 " + port), "", 20);
    }

    private static Failure awaitFailure(TcpServer server) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!server.hasExceptions() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // the seed's flag: nothing to wait on
        }
        assertTrue(server.hasExceptions(), "the server recorded no failure");
        return server.exceptions().getFirst();
    }

    @Test
    void theIssuesPrintfThroughNcatGetsHelloBackWithoutTheHeader() throws Exception {
        int port = startEchoServer();
        Tools.Result r = printfToNcat("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\\r\\nhello", port);
        assertEquals("hello", r.out(), r.err());
        assertTrue(printed().lines().anyMatch(l -> l.matches("client 203\\.0\\.113\\.7:5555 via 127\\.0\\.0\\.1:\\d+")),
                printed());
        assertTrue(server.exceptions().isEmpty(), server.exceptions().toString());
    }

    @Test
    void aGarbageHeaderIsRefusedWithARecordedFailure() throws Exception {
        int port = startEchoServer();
        Tools.Result r = printfToNcat("GARBAGE 1.2.3.4\\r\\nhello", port);
        assertEquals("", r.out(), "nothing echoed to a refused client");
        Failure.Protocol failure = assertInstanceOf(Failure.Protocol.class, awaitFailure(server));
        assertTrue(failure.cause().getMessage().startsWith("no PROXY protocol header: the connection began with \"G"),
                failure.cause().getMessage());
        assertEquals(InetAddress.getLoopbackAddress(), failure.address().getAddress());
        Tools.Result bad = printfToNcat("PROXY TCP4 203.0.113.7 127.0.0.1 5555\\r\\nhello", port);
        assertEquals("", bad.out());
        assertFalse(printed().contains("client "), printed());
        // and the next good client is served
        assertEquals("hello", printfToNcat("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\\r\\nhello", port).out());
    }

    @Test
    void v2FromAPlainSocketIsReadToo() throws Exception {
        int port = startEchoServer();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5_000);
            ProxyHeader header = ProxyHeader.v2(new InetSocketAddress(InetAddress.getByName("2001:db8::42"), 443),
                    new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 9999));
            socket.getOutputStream().write(header.toBytes());
            socket.getOutputStream().write("v2 works".getBytes(StandardCharsets.UTF_8));
            assertEquals("v2 works", new String(socket.getInputStream().readNBytes(8), StandardCharsets.UTF_8));
        }
        assertTrue(printed().contains("client [2001:db8:0:0:0:0:0:42]:443 via 127.0.0.1:"), printed());
    }

    @Test
    void onlyTheNamedProxiesAreTrusted() throws Exception {
        int port = startEchoServer("--trusted-proxy", "192.0.2.0/24");
        assertEquals("", printfToNcat("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\\r\\nhello", port).out());
        Failure.Protocol failure = assertInstanceOf(Failure.Protocol.class, awaitFailure(server));
        assertTrue(failure.cause().getMessage().startsWith("127.0.0.1 is not a trusted proxy"), failure.cause().getMessage());
    }

    @Test
    void theCommandLineSaysWhomToTrust() {
        assertTrue(Args.parse("--port", "1").proxy().isEmpty(), "off by default");
        assertEquals(ProxyProtocol.trusting("127.0.0.0/8", "::1"), Args.parse("--proxy-protocol").proxy().orElseThrow());
        assertEquals(ProxyProtocol.trusting("10.0.0.0/8", "192.0.2.1"),
                Args.parse("--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "192.0.2.1").proxy().orElseThrow());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Args.parse("--proxy-protocol", "--trusted-proxy", "balancer.example.com"));
        assertTrue(e.getMessage().contains("host names are not looked up"), e.getMessage());
    }

    @Test
    void theChatPrefixesLinesWithTheRealClientsPort() throws Exception {
        try (TcpServer chat = ChatServer.start(Args.parse("--host", "127.0.0.1", "--port", "0", "--proxy-protocol"));
             Socket alice = new Socket(InetAddress.getLoopbackAddress(), chat.localAddress().orElseThrow().getPort());
             Socket bob = new Socket(InetAddress.getLoopbackAddress(), chat.localAddress().orElseThrow().getPort())) {
            alice.setSoTimeout(5_000);
            bob.setSoTimeout(5_000);
            alice.getOutputStream().write("PROXY TCP4 198.51.100.1 127.0.0.1 5555 6667\r\n".getBytes(StandardCharsets.UTF_8));
            // Alice is in the chat before Bob's header comes, so that she hears him join (a bounded wait).
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
            while (chat.clients().isEmpty() && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            assertEquals(1, chat.clients().size(), "alice joined");
            bob.getOutputStream().write("PROXY TCP4 198.51.100.2 127.0.0.1 6666 6667\r\n".getBytes(StandardCharsets.UTF_8));
            assertTrue(readUntil(alice, "6666: joined\n").contains("6666: joined\n"), "bob's real port is announced");
            alice.getOutputStream().write("hi bob\n".getBytes(StandardCharsets.UTF_8));
            String seen = readUntil(bob, "5555: hi bob\n");
            assertTrue(seen.contains("5555: hi bob\n"), seen);
        }
    }

    /**
     * A balancer's health check (a PROXY v2 {@code LOCAL} header, then a close, every few seconds) is not
     * a member: the room hears nothing of it. Before, every check was announced as joining and leaving.
     */
    @Test
    void theChatDoesNotAnnounceABalancersHealthChecks() throws Exception {
        try (TcpServer chat = ChatServer.start(Args.parse("--host", "127.0.0.1", "--port", "0", "--proxy-protocol"));
             Socket alice = new Socket(InetAddress.getLoopbackAddress(), chat.localAddress().orElseThrow().getPort())) {
            alice.setSoTimeout(5_000);
            alice.getOutputStream().write("PROXY TCP4 198.51.100.1 127.0.0.1 5555 6667\r\n".getBytes(StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
            while (chat.clients().isEmpty() && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            try (Socket check = new Socket(InetAddress.getLoopbackAddress(), chat.localAddress().orElseThrow().getPort())) {
                check.getOutputStream().write(ProxyHeader.v2Local().toBytes());
            }
            while (chat.stats().connectionsClosed() < 1 && System.nanoTime() < deadline) { // the check came and went
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            assertEquals(1, chat.stats().connectionsClosed(), "the check was served and closed");
            try (Socket bob = new Socket(InetAddress.getLoopbackAddress(), chat.localAddress().orElseThrow().getPort())) {
                bob.getOutputStream().write("PROXY TCP4 198.51.100.2 127.0.0.1 6666 6667\r\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("6666: joined\n", readUntil(alice, "6666: joined\n"), "only bob was announced");
            }
        }
    }

    /** Reads until {@code expected} has been seen, end of stream, or the socket's timeout. */
    private static String readUntil(Socket socket, String expected) throws IOException {
        StringBuilder seen = new StringBuilder();
        byte[] buffer = new byte[256];
        while (!seen.toString().contains(expected)) {
            int n = socket.getInputStream().read(buffer);
            if (n < 0) {
                break;
            }
            seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        return seen.toString();
    }
}
