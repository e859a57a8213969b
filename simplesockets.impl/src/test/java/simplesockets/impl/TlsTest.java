package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.bytes;
import static simplesockets.impl.Peers.loopback;
import static simplesockets.impl.Peers.text;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import simplesockets.api.ClientOptions;
import simplesockets.api.Failure;
import simplesockets.api.Framing;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;
import simplesockets.api.TlsOptions;
import simplesockets.impl.time.SteppedClock;

/**
 * TLS over real sockets on 127.0.0.1, with keys and certificates made at test time by the running
 * JDK's {@code keytool}. No private key is committed.
 */
@Timeout(120)
class TlsTest {

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path dir;

    static Path serverKeys;
    static Path wrongNameKeys;
    static Path clientKeys;
    static Path trustServer;
    static Path trustClient;
    static Path trustNothingUseful;

    @BeforeAll
    static void makeKeysAndCertificates() throws Exception {
        serverKeys = keyPair("server", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1");
        wrongNameKeys = keyPair("wrongname", "CN=example.invalid", "SAN=dns:example.invalid");
        clientKeys = keyPair("client", "CN=client", null);
        Path stranger = keyPair("stranger", "CN=stranger", null);
        trustServer = trustStoreOf("trust-server", serverKeys, "server", wrongNameKeys, "wrongname");
        trustClient = trustStoreOf("trust-client", clientKeys, "client");
        trustNothingUseful = trustStoreOf("trust-stranger", stranger, "stranger");
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command) + "\n" + out);
    }

    private static Path keyPair(String alias, String dname, String san) throws Exception {
        Path store = dir.resolve(alias + ".p12");
        List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", dname, "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit"));
        if (san != null) {
            args.addAll(List.of("-ext", san));
        }
        keytool(args.toArray(String[]::new));
        return store;
    }

    /** A trust store holding the certificates of (store, alias) pairs. */
    private static Path trustStoreOf(String name, Object... storesAndAliases) throws Exception {
        Path trust = dir.resolve(name + ".p12");
        for (int i = 0; i < storesAndAliases.length; i += 2) {
            Path store = (Path) storesAndAliases[i];
            String alias = (String) storesAndAliases[i + 1];
            Path cert = dir.resolve(name + "-" + alias + ".crt");
            keytool("-exportcert", "-alias", alias, "-keystore", store.toString(), "-storepass", "changeit",
                    "-file", cert.toString());
            keytool("-importcert", "-noprompt", "-alias", alias, "-file", cert.toString(), "-keystore", trust.toString(),
                    "-storetype", "PKCS12", "-storepass", "changeit");
        }
        return trust;
    }

    private static TlsOptions.Builder tls() {
        return TlsOptions.builder().handshakeTimeout(Duration.ofSeconds(5));
    }

    private static TcpServer echoServer(TlsOptions tls, Framing framing) throws Exception {
        TcpServer server = TcpServer.create(loopback().tls(tls).framing(framing).onReceive((c, d) -> c.send(d)).build());
        server.start();
        return server;
    }

    private static ClientOptions.Builder clientTo(TcpServer server, TlsOptions tls, Framing framing) {
        return ClientOptions.builder().address(server.localAddress().orElseThrow()).tls(tls).framing(framing);
    }

    /** The server's first recorded failure: the seed's exception list, which a callback server keeps too. */
    private static Failure awaitFailure(TcpServer server) {
        Peers.awaitCondition(server::hasExceptions, Duration.ofSeconds(10), () -> "the server recorded no failure");
        return server.exceptions().getFirst();
    }

    /** A TLS client that still works: the server goes on serving the others. */
    private static void stillServes(TcpServer server, TlsOptions clientTls) throws Exception {
        try (TcpClient good = TcpClient.create(clientTo(server, clientTls, server.options().framing()).build())) {
            good.connect();
            good.send(bytes("still here"));
            assertEquals("still here", text(good.receive(Peers.WAIT).orElseThrow()));
        }
    }

    /**
     * TLS adds no thread of its own: the handshake deadline and the close_notify cut-off are timers of
     * the server's or client's clock, in its scope, so after close() nothing of either is alive.
     */
    @Test
    void tlsLeavesNoThreadBehind(@org.junit.jupiter.api.io.TempDir Path dumps) throws Exception {
        TlsOptions clientTls = tls().trustStore(trustServer, PASSWORD).build();
        TcpServer server = echoServer(tls().keyStore(serverKeys, PASSWORD).build(), Framing.RAW);
        TcpClient client = TcpClient.create(clientTo(server, clientTls, Framing.RAW).build());
        client.connect();
        client.send(bytes("hello"));
        assertEquals("hello", text(client.receive(Peers.WAIT).orElseThrow()));
        List<String> during = LeakTest.threadNames(dumps.resolve("during.json")).stream()
                .filter(n -> n.startsWith("simplesockets-")).toList();
        assertTrue(during.stream().anyMatch(n -> n.contains("-conn-")), "the dump sees the connection threads: " + during);
        client.close();
        server.close();
        List<String> after = LeakTest.threadNames(dumps.resolve("after.json"));
        List<String> left = after.stream().filter(during::contains).toList();
        assertTrue(left.isEmpty(), "threads that outlived close: " + left);
        assertTrue(after.stream().noneMatch(n -> n.startsWith("simplesockets-tls")), "a TLS helper thread: " + after);
    }

    /**
     * A user's {@code connect()} while the reconnect loop's attempt waits in a TLS handshake takes over:
     * the loop's attempt is cut short and the user's connect goes ahead. Before, it threw an
     * {@code IllegalStateException} ("a connect is in progress"), and the loop, seeing the user had
     * taken over, dropped its own connection: nothing was connected, and nothing retried.
     */
    @Test
    void aUsersConnectTakesOverFromAReconnectAttemptInItsHandshake() throws Exception {
        TcpServer first = echoServer(tls().keyStore(serverKeys, PASSWORD).build(), Framing.RAW);
        int port = first.localAddress().orElseThrow().getPort();
        TcpClient client = TcpClient.create(ClientOptions.builder().host("127.0.0.1").port(port)
                .tls(tls().trustStore(trustServer, PASSWORD).handshakeTimeout(Duration.ofMinutes(5)).build())
                .autoReceive(true).reconnect(simplesockets.api.ReconnectPolicy.exponential(Duration.ofMillis(10), Duration.ofMillis(50)))
                .build());
        try (client) {
            client.connect();
            first.close(); // the connection is lost: the loop tries again, every 10 to 50 ms
            try (ServerSocket silent = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
                silent.setSoTimeout((int) Peers.WAIT.toMillis());
                try (Socket attempt = silent.accept()) { // the loop's attempt, now waiting in its handshake
                    var users = Peers.startOn(Thread.ofVirtual(), "users-connect", () -> {
                        client.connect();
                        return "connected";
                    });
                    try (Socket taken = silent.accept()) { // the user's own connect got as far as connecting
                        assertFalse(users.isDone() && users.isCompletedExceptionally(), "the user's connect failed at once");
                        client.close(); // the silent server never finishes a handshake: end the test's connect
                        var failure = assertThrows(java.util.concurrent.ExecutionException.class,
                                () -> users.get(Peers.WAIT.toSeconds(), TimeUnit.SECONDS));
                        assertInstanceOf(IOException.class, failure.getCause(), "ended by the close, not refused");
                    }
                }
            }
        }
    }

    /**
     * Closing a client while its {@code connect()} waits in a TLS handshake with a server that never
     * answers ends the connect at once, long before the handshake timeout. Before, the close cancelled
     * the handshake's deadline with the rest of the client's timers, and the connect waited for good.
     */
    @Test
    void closingAClientEndsAConnectWaitingInItsHandshake() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            TcpClient client = TcpClient.create(ClientOptions.builder().host("127.0.0.1").port(silent.getLocalPort())
                    .tls(tls().trustStore(trustServer, PASSWORD).handshakeTimeout(Duration.ofMinutes(5)).build()).build());
            var connecting = Peers.startOn(Thread.ofVirtual(), "connecting", () -> {
                client.connect();
                return "connected";
            });
            try (Socket accepted = silent.accept()) { // the client is connected and in its handshake now
                client.close();
                var failure = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> connecting.get(Peers.WAIT.toSeconds(), TimeUnit.SECONDS), "the connect ended with the close");
                assertInstanceOf(IOException.class, failure.getCause());
            }
        }
    }

    /**
     * A graceful close keeps what had arrived over TLS too: records the kernel holds when the drain
     * begins are decrypted and delivered, not dropped. (The TLS socket counts only plaintext it has
     * already decrypted as available, so the drain used to shut the input at once.)
     */
    @Test
    void aGracefulCloseDeliversTheRecordsTheKernelHeldWhenItBegan() throws Exception {
        byte[] sent = Peers.pattern(7, 64 * 1024);
        TcpServer server = TcpServer.create(loopback().tls(tls().keyStore(serverKeys, PASSWORD).build())
                .maxQueuedBytesPerConnection(1024).build()); // the reader stops early; the rest waits in the kernel
        server.start();
        try (server; TcpClient client = TcpClient.create(clientTo(server, tls().trustStore(trustServer, PASSWORD).build(),
                Framing.RAW).build())) {
            client.connect();
            client.send(sent);
            Peers.awaitCondition(server::hasNewData, Peers.WAIT, () -> "nothing received");
            Peers.awaitCondition(() -> server.clients().getFirst().stats().isReaderStalled(), Peers.WAIT,
                    () -> "the reader did not stop at its bound");
            // Every byte sent has arrived before the drain begins (under load the client's writer may lag):
            // what arrives after it is not the drain's to deliver.
            Peers.awaitCondition(() -> client.stats().pendingBytes() == 0, Peers.WAIT, () -> "the client did not write it all");

            var closing = java.util.concurrent.CompletableFuture.supplyAsync(() -> server.close(Duration.ofSeconds(10)));
            byte[] received = Peers.pollBytes(server, sent.length, r -> { });
            assertEquals(sent.length, received.length, "every byte that had arrived before the drain was delivered");
            assertArrayEquals(sent, received);
            assertEquals(0, closing.get(10, TimeUnit.SECONDS).intValue(), "nothing was cut off");
        }
    }

    @Test
    void echoOverTlsWithFramingAndHostNameVerification() throws Exception {
        TlsOptions clientTls = tls().trustStore(trustServer, PASSWORD).build();
        assertTrue(clientTls.verifyHostname(), "host-name verification is on by default");
        try (TcpServer server = echoServer(tls().keyStore(serverKeys, PASSWORD).build(), Framing.lengthPrefixed(1 << 16));
             TcpClient client = TcpClient.create(clientTo(server, clientTls, Framing.lengthPrefixed(1 << 16)).build())) {
            client.connect();
            byte[] big = Peers.pattern(5, 50_000);
            client.send(bytes("hello"));
            client.send(big);
            assertEquals("hello", text(client.receive(Peers.WAIT).orElseThrow()));
            assertArrayEquals(big, client.receive(Peers.WAIT).orElseThrow());
            client.disconnect();
            assertTrue(server.exceptions().isEmpty(), server.exceptions().toString());
        }
    }

    @Test
    void mutualTlsRequiredServesCertifiedClientsAndRecordsTheOthers() throws Exception {
        TlsOptions serverTls = tls().keyStore(serverKeys, PASSWORD).trustStore(trustClient, PASSWORD)
                .clientAuth(TlsOptions.ClientAuth.REQUIRED).build();
        TlsOptions certified = tls().keyStore(clientKeys, PASSWORD).trustStore(trustServer, PASSWORD).build();
        TlsOptions anonymous = tls().trustStore(trustServer, PASSWORD).build();
        try (TcpServer server = echoServer(serverTls, Framing.RAW)) {
            stillServes(server, certified);
            try (TcpClient stranger = TcpClient.create(ClientOptions.builder().address(server.localAddress().orElseThrow())
                    .tls(anonymous).autoReceive(true).build())) {
                // With TLS 1.3 the client's handshake ends before the server checks its certificate: the
                // refusal reaches the client as a closed connection, not as a failed connect.
                if (connects(stranger)) {
                    try {
                        stranger.send(bytes("let me in"));
                    } catch (IOException refused) {
                        // already closed by the server's alert
                    }
                    assertTrue(stranger.receive(Duration.ofSeconds(5)).isEmpty(), "no echo for a refused client");
                }
            }
            Failure failure = awaitFailure(server);
            assertEquals(Failure.TlsProblem.CLIENT_CERTIFICATE_MISSING, ((Failure.Tls) failure).problem(), failure.toString());
            stillServes(server, certified);
        }
    }

    /**
     * A peer that connects and closes or resets before it sends a byte (a load balancer's TCP health
     * check) never began a handshake: nothing is recorded, and the server goes on. Before, each such
     * probe was recorded as a {@code Failure.Tls} ({@code REJECTED_BY_PEER}), as if clients distrusted
     * the certificate, and pushed real failures out of the bounded list.
     */
    @Test
    void aHealthCheckThatConnectsAndClosesIsNoTlsFailure() throws Exception {
        TcpServer server = echoServer(tls().keyStore(serverKeys, PASSWORD).build(), Framing.RAW);
        try (server) {
            java.net.InetSocketAddress address = server.localAddress().orElseThrow();
            try (Socket closes = Peers.connect(address)) {
                closes.shutdownOutput(); // a FIN before any byte
                closes.getInputStream().readAllBytes(); // until the server closed its end too
            }
            Socket resets = Peers.connect(address);
            resets.setSoLinger(true, 0); // an RST before any byte, as HAProxy's checks close
            resets.close();
            stillServes(server, tls().trustStore(trustServer, PASSWORD).build());
            assertTrue(server.exceptions().isEmpty(), "a health check is no failure: " + server.exceptions());
        }
    }

    /**
     * Closing a server whose TLS 1.2 peers never read stays within its close timeout, however many there
     * are: a try with the engine told not to close the TCP socket itself waited up to 200 ms per
     * connection for a close_notify that never came, one connection after another.
     */
    @Test
    void closingTlsConnectionsToPeersThatNeverReadStaysBounded() throws Exception {
        TlsOptions clientTls = tls().trustStore(trustServer, PASSWORD).build();
        TcpServer server = TcpServer.create(loopback().tls(tls().keyStore(serverKeys, PASSWORD).build())
                .onReceive((c, d) -> c.send(d)).build());
        server.start();
        List<javax.net.ssl.SSLSocket> peers = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                javax.net.ssl.SSLSocket peer = (javax.net.ssl.SSLSocket) clientTls.context().getSocketFactory()
                        .createSocket(server.localAddress().orElseThrow().getAddress(), server.localAddress().orElseThrow().getPort());
                peer.setEnabledProtocols(new String[] {"TLSv1.2"}); // TLS 1.3 closes without waiting for the reply
                peer.startHandshake(); // and then never reads
                peers.add(peer);
            }
            Peers.awaitCondition(() -> server.clients().size() == 20, Peers.WAIT, () -> "not all connected");
            Peers.closeWithinItsBound(server);
        } finally {
            server.close();
            for (javax.net.ssl.SSLSocket peer : peers) {
                peer.close();
            }
        }
    }

    /**
     * A full server gives a failed handshake's slot back before its peer can see the close, so a client
     * that comes back at once is served, not refused as one too many.
     */
    @Test
    void aFailedHandshakesSlotIsFreeOnceItsPeerSeesTheClose() throws Exception {
        TlsOptions clientTls = tls().trustStore(trustServer, PASSWORD).build();
        try (TcpServer server = TcpServer.create(loopback().tls(tls().keyStore(serverKeys, PASSWORD).build())
                .maxConnections(1).onReceive((c, d) -> c.send(d)).build())) {
            server.start();
            for (int round = 0; round < 20; round++) {
                try (Socket plain = Peers.connect(server.localAddress().orElseThrow())) {
                    plain.getOutputStream().write(bytes("GET / HTTP/1.1\r\n\r\n")); // no TLS at all
                    assertTrue(Peers.drainsToClose(plain, Peers.WAIT), "round " + round + ": the handshake fails");
                }
                stillServes(server, clientTls);
                Peers.awaitCondition(() -> server.clients().isEmpty(), Peers.WAIT, () -> "the good client stays");
            }
        }
    }

    /**
     * TLS clients that close as they should are ordinary disconnects, never failures. The JDK's TLS
     * socket may close itself on the peer's close while a read waits, and that read failed with "Socket
     * is closed", recorded as a {@code Failure.Io} now and then (about one run of this class in three).
     */
    @Test
    void tlsClientsThatCloseAreNoFailures() throws Exception {
        TlsOptions clientTls = tls().trustStore(trustServer, PASSWORD).build();
        try (TcpServer server = echoServer(tls().keyStore(serverKeys, PASSWORD).build(), Framing.RAW)) {
            for (int i = 0; i < 20; i++) {
                stillServes(server, clientTls);
            }
            Peers.awaitCondition(() -> server.clients().isEmpty(), Peers.WAIT, () -> "left: " + server.clients());
            assertTrue(server.exceptions().isEmpty(), "closing is no failure: " + server.exceptions());
        }
    }

    /**
     * A polling server's reply followed by a disconnect, the tutorial's way, reaches a TLS 1.2 client
     * whole. Waking the connection's reader (by shutting down the TCP input under it) made the JDK's
     * TLS 1.2 engine answer with its own close_notify and close the output, so the queued reply was cut
     * short; the reader is now woken once the queued sends are out.
     */
    @Test
    void aReplyThenADisconnectReachesATls12ClientWhole() throws Exception {
        TlsOptions clientTls = tls().trustStore(trustServer, PASSWORD).build();
        byte[] reply = Peers.pattern(7, 1 << 20);
        try (TcpServer server = TcpServer.create(loopback().tls(tls().keyStore(serverKeys, PASSWORD).build()).build())) {
            server.start();
            java.net.InetSocketAddress address = server.localAddress().orElseThrow();
            try (javax.net.ssl.SSLSocket peer = (javax.net.ssl.SSLSocket) clientTls.context().getSocketFactory()
                    .createSocket(address.getAddress(), address.getPort())) {
                peer.setEnabledProtocols(new String[] {"TLSv1.2"});
                peer.startHandshake();
                peer.getOutputStream().write(bytes("request"));
                ServerEvent.Received request = server.awaitReceived(Peers.WAIT).getFirst();
                server.send(request.connection(), reply); // queued: this is not the connection's thread
                request.connection().disconnect();
                peer.setSoTimeout((int) Peers.WAIT.toMillis());
                assertArrayEquals(reply, peer.getInputStream().readAllBytes(), "the whole reply, then the end");
            }
        }
    }

    /**
     * A TLS peer that resets its connection (an RST under the session, no close_notify) ends it as
     * {@code Reset}, as over plain TCP, and nothing is recorded. Before, the JDK's TLS socket closed itself
     * on the reset, and the read's exception was taken for the peer's own close: {@code PeerClosed}.
     */
    @Test
    void aTlsPeerThatResetsIsAReset() throws Exception {
        TlsOptions clientTls = tls().trustStore(trustServer, PASSWORD).build();
        java.util.concurrent.BlockingQueue<simplesockets.api.DisconnectReason> reasons = new java.util.concurrent.LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().tls(tls().keyStore(serverKeys, PASSWORD).build())
                .onReceive((c, d) -> c.send(d)).onDisconnect((c, why) -> reasons.add(why)).build())) {
            server.start();
            java.net.InetSocketAddress address = server.localAddress().orElseThrow();
            try (Socket plain = Peers.connect(address)) {
                javax.net.ssl.SSLSocket peer = (javax.net.ssl.SSLSocket) clientTls.context().getSocketFactory()
                        .createSocket(plain, address.getHostString(), address.getPort(), false);
                peer.startHandshake();
                peer.getOutputStream().write(bytes("hi"));
                assertEquals("hi", text(Peers.readExactly(peer, 2)), "the session works");
                plain.setSoLinger(true, 0);
                plain.close(); // an RST, with no close_notify before it
                assertEquals(simplesockets.api.DisconnectReason.RESET, Peers.take(reasons));
                assertTrue(server.exceptions().isEmpty(), "a reset is no failure: " + server.exceptions());
            }
        }
    }

    /**
     * An {@code Error} in a handshake (here the server's key manager's, once) gives back the connection's
     * slot and closes its socket: a server of one connection serves the next client. Before, the slot
     * stayed taken for good and the socket open, so the server was full from then on.
     */
    @Test
    void anErrorInAHandshakeGivesBackItsSlot() throws Exception {
        java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(serverKeys)) {
            keys.load(in, PASSWORD);
        }
        javax.net.ssl.KeyManagerFactory factory = javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, PASSWORD);
        javax.net.ssl.X509ExtendedKeyManager real = (javax.net.ssl.X509ExtendedKeyManager) factory.getKeyManagers()[0];
        java.util.concurrent.atomic.AtomicBoolean failOnce = new java.util.concurrent.atomic.AtomicBoolean(true);
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(new javax.net.ssl.KeyManager[] {new FailingOnce(real, failOnce)}, null, null);
        try (TcpServer server = TcpServer.create(loopback().maxConnections(1)
                .tls(TlsOptions.of(context))
                .onReceive((c, d) -> c.send(d)).build())) {
            server.start();
            TlsOptions clientTls = tls().trustStore(trustServer, PASSWORD).build();
            try (TcpClient first = TcpClient.create(clientTo(server, clientTls, Framing.RAW).build())) {
                assertThrows(IOException.class, first::connect, "its handshake met the key manager's error");
            }
            assertFalse(failOnce.get(), "the key manager failed");
            stillServes(server, clientTls);
        }
    }

    /** A key manager whose first choice of a server key throws an {@code Error}. */
    private static final class FailingOnce extends javax.net.ssl.X509ExtendedKeyManager {
        private final javax.net.ssl.X509ExtendedKeyManager real;
        private final java.util.concurrent.atomic.AtomicBoolean failOnce;

        FailingOnce(javax.net.ssl.X509ExtendedKeyManager real, java.util.concurrent.atomic.AtomicBoolean failOnce) {
            this.real = real;
            this.failOnce = failOnce;
        }

        private void maybeFail() {
            if (failOnce.getAndSet(false)) {
                throw new NoClassDefFoundError("a class the key manager needed");
            }
        }

        @Override
        public String chooseServerAlias(String type, java.security.Principal[] issuers, Socket socket) {
            maybeFail();
            return real.chooseServerAlias(type, issuers, socket);
        }

        @Override
        public String chooseEngineServerAlias(String type, java.security.Principal[] issuers, javax.net.ssl.SSLEngine engine) {
            maybeFail();
            return real.chooseEngineServerAlias(type, issuers, engine);
        }

        @Override
        public String[] getClientAliases(String type, java.security.Principal[] issuers) {
            return real.getClientAliases(type, issuers);
        }

        @Override
        public String chooseClientAlias(String[] types, java.security.Principal[] issuers, Socket socket) {
            return real.chooseClientAlias(types, issuers, socket);
        }

        @Override
        public String[] getServerAliases(String type, java.security.Principal[] issuers) {
            return real.getServerAliases(type, issuers);
        }

        @Override
        public java.security.cert.X509Certificate[] getCertificateChain(String alias) {
            return real.getCertificateChain(alias);
        }

        @Override
        public java.security.PrivateKey getPrivateKey(String alias) {
            return real.getPrivateKey(alias);
        }
    }

    @Test
    void aPlaintextClientToATlsServerIsRecordedAsNotTls() throws Exception {
        try (TcpServer server = echoServer(tls().keyStore(serverKeys, PASSWORD).build(), Framing.RAW);
             Socket plain = new Socket(InetAddress.getLoopbackAddress(), server.localAddress().orElseThrow().getPort())) {
            plain.getOutputStream().write(bytes("GET / HTTP/1.0\r\n\r\n"));
            Failure failure = awaitFailure(server);
            assertEquals(Failure.TlsProblem.NOT_TLS, ((Failure.Tls) failure).problem(), failure.toString());
            plain.setSoTimeout(2_000);
            try {
                plain.getInputStream().readAllBytes(); // a TLS alert, perhaps, then the end
            } catch (IOException reset) {
                // closed hard: as good
            }
            stillServes(server, tls().trustStore(trustServer, PASSWORD).build());
        }
    }

    @Test
    void aTlsClientToAPlaintextServerIsRecordedOnTheClient() throws Exception {
        try (TcpServer plain = TcpServer.create(loopback().onReceive((c, d) -> c.send(d)).build())) {
            plain.start();
            try (TcpClient client = TcpClient.create(ClientOptions.builder().address(plain.localAddress().orElseThrow())
                    .tls(tls().trustStore(trustServer, PASSWORD).handshakeTimeout(Duration.ofSeconds(2)).build()).build())) {
                assertThrows(IOException.class, client::connect);
                Failure.Tls failure = assertInstanceOf(Failure.Tls.class, client.drainExceptions().getFirst());
                assertEquals(Failure.TlsProblem.NOT_TLS, failure.problem(), failure.toString());
            }
        }
    }

    @Test
    void anUntrustedCertificateIsRecordedOnTheClientAndTheRefusalOnTheServer() throws Exception {
        try (TcpServer server = echoServer(tls().keyStore(serverKeys, PASSWORD).build(), Framing.RAW);
             TcpClient client = TcpClient.create(clientTo(server, tls().trustStore(trustNothingUseful, PASSWORD).build(),
                     Framing.RAW).build())) {
            assertThrows(IOException.class, client::connect);
            Failure.Tls onClient = assertInstanceOf(Failure.Tls.class, client.drainExceptions().getFirst());
            assertEquals(Failure.TlsProblem.UNTRUSTED_CERTIFICATE, onClient.problem(), onClient.toString());
            Failure.Tls onServer = (Failure.Tls) awaitFailure(server);
            assertEquals(Failure.TlsProblem.REJECTED_BY_PEER, onServer.problem(), onServer.toString());
            stillServes(server, tls().trustStore(trustServer, PASSWORD).build());
        }
    }

    @Test
    void aWrongHostNameIsRecordedOnTheClient() throws Exception {
        try (TcpServer server = echoServer(tls().keyStore(wrongNameKeys, PASSWORD).build(), Framing.RAW);
             TcpClient client = TcpClient.create(clientTo(server, tls().trustStore(trustServer, PASSWORD).build(),
                     Framing.RAW).build())) {
            assertThrows(IOException.class, client::connect);
            Failure.Tls failure = assertInstanceOf(Failure.Tls.class, client.drainExceptions().getFirst());
            assertEquals(Failure.TlsProblem.HOSTNAME_MISMATCH, failure.problem(), failure.toString());
            // With verification off, the same certificate is accepted (it is trusted).
            try (TcpClient lax = TcpClient.create(clientTo(server, tls().trustStore(trustServer, PASSWORD)
                    .verifyHostname(false).build(), Framing.RAW).build())) {
                lax.connect();
            }
        }
    }

    /** An echo server over real sockets whose time, the handshake deadline included, is {@code clock}'s. */
    private static TcpServer echoServerOn(SteppedClock clock, TlsOptions tls) throws Exception {
        TcpServer server = new ServerEngine(SocketNetwork.INSTANCE, loopback().tls(tls).onReceive((c, d) -> c.send(d))
                .build(), clock);
        server.start();
        return server;
    }

    /**
     * Waits, in real time, until the server began the handshake of a connection: its deadline is
     * the one timer on the clock (the server has no idle or write timeout).
     */
    private static void awaitHandshakeDeadline(SteppedClock clock) {
        Peers.awaitCondition(() -> clock.pendingTasks() == 1, Peers.WAIT, () -> "the handshake began (" + clock + ")");
    }

    /** On a stepped clock: the deadline fires when the clock reaches it, not before, and never blocks accepting. */
    @Test
    void aStalledHandshakeTimesOutWithoutBlockingTheAcceptLoop() throws Exception {
        Duration deadline = Duration.ofMillis(500);
        SteppedClock clock = new SteppedClock();
        TlsOptions serverTls = tls().keyStore(serverKeys, PASSWORD).handshakeTimeout(deadline).build();
        try (TcpServer server = echoServerOn(clock, serverTls);
             Socket silent = new Socket(InetAddress.getLoopbackAddress(), server.localAddress().orElseThrow().getPort())) {
            awaitHandshakeDeadline(clock);
            clock.advance(Stepping.justUnder(deadline));
            assertEquals(1, clock.pendingTasks(), "the deadline is still ahead just under the handshake timeout");
            stillServes(server, tls().trustStore(trustServer, PASSWORD).build()); // while the silent one stalls
            assertTrue(server.exceptions().isEmpty(), server.exceptions().toString());
            clock.advance(Duration.ofMillis(1)); // the deadline runs inside advance(): the plain socket is closed now
            Failure.Tls failure = (Failure.Tls) awaitFailure(server);
            assertEquals(Failure.TlsProblem.HANDSHAKE_TIMEOUT, failure.problem(), failure.toString());
            assertTrue(Peers.closedByPeer(silent, Peers.WAIT), "the server closed the silent connection");
        }
    }

    @Test
    void noPlaintextCrossesTheWire() throws Exception {
        try (TcpServer server = echoServer(tls().keyStore(serverKeys, PASSWORD).build(), Framing.RAW);
             ServerSocket proxy = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            Thread relay = Thread.ofVirtual().start(() -> {
                try (Socket in = proxy.accept(); Socket out = new Socket(InetAddress.getLoopbackAddress(),
                        server.localAddress().orElseThrow().getPort())) {
                    Thread back = Thread.ofVirtual().start(() -> copy(out, in, wire));
                    copy(in, out, wire);
                    back.join(5_000);
                } catch (Exception e) {
                    // the test ended
                }
            });
            String secret = "the secret is swordfish";
            try (TcpClient client = TcpClient.create(ClientOptions.builder().host("127.0.0.1").port(proxy.getLocalPort())
                    .tls(tls().trustStore(trustServer, PASSWORD).build()).build())) {
                client.connect();
                client.send(bytes(secret));
                assertEquals(secret, text(client.receive(Peers.WAIT).orElseThrow()));
            }
            relay.join(Duration.ofSeconds(5));
            String captured;
            synchronized (wire) {
                captured = wire.toString(StandardCharsets.ISO_8859_1);
            }
            assertTrue(captured.length() > 500, "the handshake and the data crossed the proxy");
            assertFalse(captured.contains("swordfish"), "plaintext on the wire");
        }
    }

    private static void copy(Socket from, Socket to, ByteArrayOutputStream record) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                synchronized (record) {
                    record.write(buffer, 0, n);
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // one side closed
        }
        try {
            to.shutdownOutput();
        } catch (IOException e) {
            // already closed
        }
    }

    /**
     * {@code close()} with 20 live TLS connections, whose peers read, ends them all promptly: each TLS
     * close sends its close_notify and the connection's thread ends. A close that waited out its close
     * timeout instead (for a connection's thread that does not end when its TLS socket is closed) takes
     * that whole timeout, set to 5 s here so that it fails the 2 s bound by seconds, while a healthy
     * close, well under a second, leaves a loaded machine seconds of slack.
     */
    @Test
    void closeWithLiveTlsConnectionsIsBounded() throws Exception {
        TcpServer server = TcpServer.create(loopback().tls(tls().keyStore(serverKeys, PASSWORD).build())
                .closeTimeout(Duration.ofSeconds(5)) // what a close that waits for its threads waits: far past the bound
                .onReceive((c, d) -> c.send(d)).build());
        server.start();
        List<TcpClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                TcpClient client = TcpClient.create(clientTo(server, tls().trustStore(trustServer, PASSWORD).build(),
                        Framing.RAW).autoReceive(true).build());
                client.connect();
                clients.add(client);
            }
            long started = System.nanoTime();
            server.close();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(tookMillis < 2_000, "close took " + tookMillis + " ms");
        } finally {
            clients.forEach(TcpClient::close);
        }
    }

    /**
     * On a stepped clock: a byte every 100 ms of the clock (less than any per-read timeout, on purpose)
     * does not move the deadline, which fires at 600 ms of the clock.
     */
    @Test
    void aTricklingPeerCannotStretchTheHandshakePastItsDeadline() throws Exception {
        Duration deadline = Duration.ofMillis(600);
        Duration drip = Duration.ofMillis(100);
        SteppedClock clock = new SteppedClock();
        TlsOptions serverTls = tls().keyStore(serverKeys, PASSWORD).handshakeTimeout(deadline).build();
        try (TcpServer server = echoServerOn(clock, serverTls);
             Socket trickle = new Socket(InetAddress.getLoopbackAddress(), server.localAddress().orElseThrow().getPort())) {
            awaitHandshakeDeadline(clock);
            byte[] hello = {0x16, 0x03, 0x01, 0x00, (byte) 0xff}; // a record header, then almost nothing
            OutputStream out = trickle.getOutputStream();
            for (int i = 0; i < 5; i++) {
                out.write(hello[i]);
                out.flush();
                clock.advance(drip);
                assertEquals(1, clock.pendingTasks(), "the deadline is still ahead at " + clock);
            }
            out.write(0x01); // the first byte of the record's body
            out.flush();
            clock.advance(drip.minusMillis(1));
            assertEquals(1, clock.pendingTasks(), "the deadline is still ahead just under it, at " + clock);
            clock.advance(Duration.ofMillis(1)); // the deadline, 600 ms after the handshake began
            Failure.Tls failure = (Failure.Tls) awaitFailure(server);
            assertEquals(Failure.TlsProblem.HANDSHAKE_TIMEOUT, failure.problem(), failure.toString());
            assertTrue(Peers.closedByPeer(trickle, Peers.WAIT), "the server closed the trickling connection");
        }
    }

    @Test
    void closeIsBoundedEvenWhenATlsPeerDoesNotRead() throws Exception {
        java.util.concurrent.BlockingQueue<simplesockets.api.Connection> connected = new java.util.concurrent.LinkedBlockingQueue<>();
        TcpServer server = TcpServer.create(loopback().tls(tls().keyStore(serverKeys, PASSWORD).build())
                .onConnect(connected::add).build());
        server.start();
        try (TcpClient deaf = TcpClient.create(clientTo(server, tls().trustStore(trustServer, PASSWORD).build(), Framing.RAW)
                .build())) { // background receiving is off: it never reads
            deaf.connect();
            simplesockets.api.Connection connection = Peers.take(connected);
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 64; i++) {
                        connection.send(new byte[1 << 20]);
                    }
                } catch (IOException e) {
                    // closed by the server's close()
                }
            });
            sender.join(Duration.ofMillis(500)); // now blocked: the peer's window is full
            long started = System.nanoTime();
            server.close();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(tookMillis < 1_500, "close took " + tookMillis + " ms");
            assertTrue(sender.join(Duration.ofSeconds(2)));
        }
    }

    /** Whether a connect worked; a refused one is recorded, which the callers check. */
    private static boolean connects(TcpClient client) {
        try {
            client.connect();
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    /**
     * TLS options that no server can use are refused when built, not at every handshake: ones made from a
     * trust store alone (a client's, reused), and an SSL context never initialized. Both built, the server
     * started, and every connection then failed its handshake.
     */
    @Test
    void tlsOptionsNoServerCanUseAreRefusedWhenBuilt() throws Exception {
        TlsOptions clientsOnly = tls().trustStore(trustServer, PASSWORD).build();
        IllegalArgumentException keyless = assertThrows(IllegalArgumentException.class,
                () -> loopback().tls(clientsOnly).build());
        assertTrue(keyless.getMessage().contains("no key store"), keyless.getMessage());
        ClientOptions.builder().port(1).tls(clientsOnly).build(); // what it is for
        IllegalArgumentException uninitialized = assertThrows(IllegalArgumentException.class,
                () -> TlsOptions.of(javax.net.ssl.SSLContext.getInstance("TLS")));
        assertTrue(uninitialized.getMessage().contains("not initialized"), uninitialized.getMessage());
    }
}
