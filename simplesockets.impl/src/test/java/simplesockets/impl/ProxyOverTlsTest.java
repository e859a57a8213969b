package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.bytes;
import static simplesockets.impl.Peers.loopback;
import static simplesockets.impl.Peers.text;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import simplesockets.api.ClientOptions;
import simplesockets.api.Connection;
import simplesockets.api.Failure;
import simplesockets.api.ProxyHeader;
import simplesockets.api.ProxyProtocol;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;
import simplesockets.api.TlsOptions;
import simplesockets.impl.time.SteppedClock;

/**
 * The PROXY protocol with TLS, over real sockets: balancers send the header in the clear, before the
 * TLS handshake, and the connection keeps the client's address once secured. The key pair is made at
 * test time by the running JDK's {@code keytool}.
 */
@Timeout(120)
class ProxyOverTlsTest {

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path dir;

    static TlsOptions serverTls;
    static TlsOptions clientTls;

    @BeforeAll
    static void makeKeys() throws Exception {
        Path keys = dir.resolve("server.p12");
        Path cert = dir.resolve("server.crt");
        Path trust = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", keys.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-alias", "server", "-keystore", keys.toString(), "-storepass", "changeit", "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", cert.toString(), "-keystore", trust.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit");
        serverTls = TlsOptions.builder().keyStore(keys, PASSWORD).handshakeTimeout(Duration.ofSeconds(5)).build();
        clientTls = TlsOptions.builder().trustStore(trust, PASSWORD).handshakeTimeout(Duration.ofSeconds(5)).build();
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command) + "\n" + out);
    }

    @Test
    void theHeaderComesInTheClearBeforeTheHandshakeAndTheClientsAddressSurvivesIt() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().tls(serverTls).proxyProtocol(ProxyProtocol.trusting("127.0.0.1"))
                .onConnect(connected::add).onReceive((c, d) -> c.send(d)).build())) {
            server.start();
            InetSocketAddress client = new InetSocketAddress(InetAddress.getByName("198.51.100.20"), 31337);
            for (ProxyHeader header : List.of(ProxyHeader.v1(client, new InetSocketAddress(InetAddress.getLoopbackAddress(), 443)),
                    ProxyHeader.v2(client, new InetSocketAddress(InetAddress.getLoopbackAddress(), 443)))) {
                try (TcpClient tls = TcpClient.create(ClientOptions.builder().host("localhost")
                        .port(server.localAddress().orElseThrow().getPort()).tls(clientTls).proxyHeader(header).build())) {
                    tls.connect();
                    tls.send(bytes("secret"));
                    assertEquals("secret", text(tls.receive(Peers.WAIT).orElseThrow()));
                    Connection connection = Peers.take(connected);
                    assertEquals(client, connection.remoteAddress(), "the header's client, through the handshake");
                    assertTrue(connection.proxyAddress().isPresent(), "and the proxy's address");
                }
            }
            assertTrue(server.exceptions().isEmpty(), server.exceptions().toString());
        }
    }

    @Test
    void aTlsClientWithoutAHeaderIsRefusedAsNoHeader() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().tls(serverTls).proxyProtocol(ProxyProtocol.trusting("127.0.0.1"))
                .onReceive((c, d) -> c.send(d)).build())) {
            server.start();
            try (TcpClient tls = TcpClient.create(ClientOptions.builder().host("localhost")
                    .port(server.localAddress().orElseThrow().getPort()).tls(clientTls).build())) {
                try {
                    tls.connect();
                } catch (java.io.IOException refused) {
                    // the server closed it mid-handshake: as expected
                }
            }
            Peers.awaitCondition(server::hasExceptions, Peers.WAIT, () -> "no failure recorded");
            Failure.Protocol failure = assertInstanceOf(Failure.Protocol.class, server.exceptions().getFirst());
            assertTrue(failure.cause().getMessage().contains("the connection began with \"\\x16"), failure.cause().getMessage());
        }
    }

    /** Close closes a connection still in its TLS handshake at once, as it does one in its PROXY header. */
    @Test
    void closeDoesNotWaitForAHandshakeInProgress() throws Exception {
        SteppedClock clock = new SteppedClock();
        TcpServer server = new ServerEngine(SocketNetwork.INSTANCE, loopback().tls(serverTls)
                .closeTimeout(Duration.ofSeconds(3)).build(), clock);
        server.start();
        try (Socket silent = Peers.connect(server.localAddress().orElseThrow())) {
            Peers.awaitCondition(() -> clock.pendingTasks() == 1, Peers.WAIT, () -> "the handshake began (" + clock + ")");
            long started = System.nanoTime();
            server.close();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(tookMillis < 1_500, "close took " + tookMillis + " ms, as if it waited for the handshake's thread");
            assertTrue(Peers.drainsToClose(silent, Peers.WAIT), "closed");
            assertTrue(server.exceptions().isEmpty(), "closing is no failure of the peer: " + server.exceptions());
        }
    }
}
