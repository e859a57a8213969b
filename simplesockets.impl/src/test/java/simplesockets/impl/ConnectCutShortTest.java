package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import simplesockets.api.ClientOptions;
import simplesockets.api.ClientState;
import simplesockets.api.Failure;
import simplesockets.api.TcpClient;
import simplesockets.impl.transport.Acceptor;
import simplesockets.impl.transport.Network;
import simplesockets.impl.transport.Transport;

/**
 * A client's connect that waits (for a listener whose backlog is full, here: one that never accepts) is
 * ended by the client's close at once, and a Unix connect keeps the connect timeout. Each connect runs on
 * a platform thread, as a {@code main} method's does: nothing interrupts its wait.
 */
@Timeout(60)
class ConnectCutShortTest {

    @TempDir
    Path dir;

    /**
     * Before, {@code close()} returned while the connect waited on for its whole timeout, its socket still
     * open, and its failure was then recorded and given to {@code onFailure} on the closed client.
     */
    @Test
    void aCloseEndsATcpConnectThatWaitsAtOnceAndRecordsNothing() throws Exception {
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            cutShortByClose(ClientOptions.builder().host("127.0.0.1").port(full.getLocalPort()),
                    fillBacklog((InetSocketAddress) full.getLocalSocketAddress()));
        }
    }

    /** The same over a Unix domain socket, whose connect waits without a limit of its own. */
    @Test
    void aCloseEndsAUnixConnectThatWaitsAtOnceAndRecordsNothing() throws Exception {
        Path file = dir.resolve("full.sock");
        try (ServerSocketChannel full = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            full.bind(UnixDomainSocketAddress.of(file), 1);
            cutShortByClose(ClientOptions.builder().unixSocket(file), fillBacklog(UnixDomainSocketAddress.of(file)));
        }
    }

    /** Before, a Unix connect to a listener that did not accept waited for good, past its connect timeout. */
    @Test
    void aUnixConnectKeepsTheConnectTimeout() throws Exception {
        Path file = dir.resolve("full.sock");
        try (ServerSocketChannel full = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            full.bind(UnixDomainSocketAddress.of(file), 1);
            List<Closeable> queued = fillBacklog(UnixDomainSocketAddress.of(file));
            BlockingQueue<Failure> failures = new LinkedBlockingQueue<>();
            try (TcpClient client = new ClientEngine(SocketNetwork.INSTANCE, ClientOptions.builder().unixSocket(file)
                    .connectTimeout(Duration.ofMillis(300)).onFailure(failures::add).build(), null)) {
                assertConnectTimesOut(client, failures);
            } finally {
                closeAll(queued);
            }
        }
    }

    /**
     * The connect timeout bounds a host name's lookup too (the tests' {@link SlowResolver} never answers
     * this name): before, {@code connect()} waited for the resolver, however long it took.
     */
    @Test
    void theConnectTimeoutBoundsAHostNameLookupThatGetsNoAnswer() throws Exception {
        SlowResolver.release();
        BlockingQueue<Failure> failures = new LinkedBlockingQueue<>();
        TcpClient client = new ClientEngine(SocketNetwork.INSTANCE, ClientOptions.builder().host("no-answer.slow.test")
                .port(9).connectTimeout(Duration.ofMillis(300)).onFailure(failures::add).build(), null);
        try {
            assertConnectTimesOut(client, failures);
        } finally {
            SlowResolver.release(); // the lookup's thread ends, and the close below does not wait for it
            client.close();
        }
    }

    /** A close ends a connect that waits for a host name's lookup at once, as it ends one that waits for a peer. */
    @Test
    void aCloseEndsAConnectThatWaitsForAHostNameLookupAtOnce() throws Exception {
        SlowResolver.release();
        BlockingQueue<Failure> failures = new LinkedBlockingQueue<>();
        TcpClient client = new ClientEngine(SocketNetwork.INSTANCE, ClientOptions.builder().host("closing.slow.test")
                .port(9).connectTimeout(Duration.ofSeconds(30)).onFailure(failures::add).build(), null);
        CompletableFuture<Exception> connecting = Peers.connectOnAPlatformThread(client);
        assertTrue(SlowResolver.awaitAsked(Peers.WAIT.toMillis()), "the lookup began");
        Thread closer = Thread.ofVirtual().start(client::close); // it waits, bounded, for the lookup's thread
        try {
            Exception thrown = connecting.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertInstanceOf(SocketException.class, thrown, "the connect was cut short");
            assertTrue(thrown.getMessage().contains("closed while connecting"), thrown.getMessage());
        } finally {
            SlowResolver.release();
        }
        assertTrue(closer.join(Peers.WAIT), "closed once the lookup's thread ended");
        assertEquals(ClientState.CLOSED, client.state());
        assertEquals(List.of(), client.exceptions(), "nothing recorded on the closed client");
        assertEquals(List.of(), List.copyOf(failures), "no onFailure on the closed client");
    }

    /**
     * Connects that time out while a name's lookup waits share that one lookup, which no interrupt ends:
     * each started a thread of its own, and the client's close waited for every one of them.
     */
    @Test
    void connectsThatTimeOutShareOneLookupOfTheName() throws Exception {
        SlowResolver.release();
        long before = lookupThreads(); // other tests' may still be ending
        TcpClient client = new ClientEngine(SocketNetwork.INSTANCE, ClientOptions.builder().host("shared.slow.test")
                .port(9).connectTimeout(Duration.ofMillis(100)).closeTimeout(Duration.ofMillis(200)).build(), null);
        try {
            for (int i = 0; i < 3; i++) {
                assertInstanceOf(SocketTimeoutException.class, org.junit.jupiter.api.Assertions.assertThrows(
                        IOException.class, client::connect), "connect " + i + " timed out");
            }
            assertEquals(1, SlowResolver.asks(), "the resolver was asked once");
            // The JDK lets one lookup of a name ask at a time: a lookup thread per connect would wait behind it.
            long threads = lookupThreads() - before;
            assertTrue(threads <= 1, "one lookup thread for the three connects, not " + threads);
        } finally {
            SlowResolver.release();
            client.close();
        }
    }

    /**
     * An {@code Error} out of the resolver fails the connect with an {@code IOException} that carries it, and
     * leaves the client able to connect again: it escaped the connect, which stayed "in progress" for good.
     */
    @Test
    void anErrorOfTheResolverFailsTheConnectAndTheClientConnectsAgain() throws Exception {
        BlockingQueue<Failure> failures = new LinkedBlockingQueue<>();
        try (TcpClient client = new ClientEngine(SocketNetwork.INSTANCE, ClientOptions.builder()
                .host("resolver.broken.test").port(9).onFailure(failures::add).build(), null)) {
            for (int i = 0; i < 2; i++) {
                IOException thrown = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, client::connect,
                        "connect " + i);
                assertTrue(thrown.getMessage().contains("resolver.broken.test"), thrown.getMessage());
                assertEquals(ClientState.DISCONNECTED, client.state());
                assertInstanceOf(Failure.Connect.class, failures.poll(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS));
            }
        }
    }

    /** The live threads named as a client's lookups, virtual ones included (a JDK thread dump lists them). */
    private static long lookupThreads() throws IOException {
        Path dump = java.nio.file.Files.createTempFile("threads", ".json");
        try {
            java.nio.file.Files.delete(dump); // the dump makes the file itself
            java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .dumpThreads(dump.toString(), com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            return java.util.regex.Pattern.compile("\"name\": \"simplesockets-client-\\d+-lookup-")
                    .matcher(java.nio.file.Files.readString(dump)).results().count();
        } finally {
            java.nio.file.Files.deleteIfExists(dump);
        }
    }

    /** A name that is not found fails the connect with the JDK's {@code UnknownHostException}, recorded. */
    @Test
    void aHostNameNotFoundFailsTheConnectWithUnknownHostException() throws Exception {
        BlockingQueue<Failure> failures = new LinkedBlockingQueue<>();
        try (TcpClient client = new ClientEngine(SocketNetwork.INSTANCE, ClientOptions.builder()
                .host("nowhere.missing.test").port(9).onFailure(failures::add).build(), null)) {
            java.net.UnknownHostException thrown = org.junit.jupiter.api.Assertions.assertThrows(
                    java.net.UnknownHostException.class, client::connect);
            assertTrue(thrown.getMessage().contains("nowhere.missing.test"), thrown.getMessage());
            Failure failure = failures.poll(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertInstanceOf(Failure.Connect.class, failure);
            assertInstanceOf(java.net.UnknownHostException.class, failure.cause());
            assertEquals(ClientState.DISCONNECTED, client.state());
        }
    }

    /**
     * {@code disconnect()} ends the reconnect loop's attempt that waits in its connect, as {@code close()}
     * and the user's {@code connect()} do: the attempt ran on for its whole connect timeout (and the
     * handshake's), and could complete a connection the client no longer wanted.
     */
    @Test
    void aDisconnectEndsTheReconnectLoopsConnectThatWaits() throws Exception {
        CountDownLatch attempting = new CountDownLatch(1);
        CompletableFuture<Exception> attemptEnded = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicInteger connects = new java.util.concurrent.atomic.AtomicInteger();
        Network secondWaits = new Network() {
            @Override
            public Acceptor bind(SocketAddress address, int backlog) throws IOException {
                return SocketNetwork.INSTANCE.bind(address, backlog);
            }

            @Override
            public Transport connect(SocketAddress address, Duration timeout) throws IOException {
                return connect(address, timeout, closeable -> { });
            }

            @Override
            public Transport connect(SocketAddress address, Duration timeout, Consumer<Closeable> told) throws IOException {
                if (connects.incrementAndGet() == 1) {
                    return SocketNetwork.INSTANCE.connect(address, timeout, told);
                }
                CountDownLatch closed = new CountDownLatch(1); // a connect that waits until what it told is closed
                told.accept(closed::countDown);
                attempting.countDown();
                try {
                    boolean cut = closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    IOException e = cut ? new SocketException("closed while connecting") : new SocketTimeoutException("timed out");
                    attemptEnded.complete(e);
                    throw e;
                } catch (InterruptedException e) {
                    attemptEnded.complete(e);
                    throw new java.io.InterruptedIOException("interrupted");
                }
            }
        };
        BlockingQueue<simplesockets.api.Connection> connected = new LinkedBlockingQueue<>();
        try (simplesockets.api.TcpServer server = simplesockets.api.TcpServer.create(Peers.loopback()
                .onConnect(connected::add).build())) {
            server.start();
            try (TcpClient client = new ClientEngine(secondWaits, ClientOptions.builder()
                    .address(server.localAddress().orElseThrow()).autoReceive(true).connectTimeout(Duration.ofSeconds(60))
                    .reconnect(simplesockets.api.ReconnectPolicy.exponential(Duration.ofMillis(10), Duration.ofMillis(10))
                            .withJitter(0)).build(), null)) {
                client.connect();
                Peers.take(connected).disconnect(); // the server drops the client: the loop's attempt waits
                assertTrue(attempting.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS), "the loop's attempt began");
                client.disconnect();
                Exception ended = attemptEnded.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS); // 60 s before
                assertInstanceOf(SocketException.class, ended, "cut short, not timed out");
                assertEquals(ClientState.DISCONNECTED, client.state());
                assertEquals(List.of(), List.copyOf(connected), "no connection after the disconnect");
            }
        }
    }

    /**
     * Connects on a platform thread, waits for the connect to be under way, closes, and checks the
     * aftermath; then closes the connections that filled the listener's backlog.
     */
    private static void cutShortByClose(ClientOptions.Builder options, List<Closeable> queued) throws Exception {
        try {
            cutShortByClose(options);
        } finally {
            closeAll(queued);
        }
    }

    private static void closeAll(List<Closeable> queued) throws IOException {
        for (Closeable connection : queued) {
            connection.close();
        }
    }

    private static void cutShortByClose(ClientOptions.Builder options) throws Exception {
        CountDownLatch underway = new CountDownLatch(1);
        BlockingQueue<Failure> failures = new LinkedBlockingQueue<>();
        TcpClient client = new ClientEngine(new Watched(underway), options.connectTimeout(Duration.ofSeconds(30))
                .onFailure(failures::add).build(), null);
        CompletableFuture<Exception> connecting = Peers.connectOnAPlatformThread(client);
        assertTrue(underway.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS), "the connect began");
        client.close();
        Exception thrown = connecting.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS); // 30 s before
        assertInstanceOf(SocketException.class, thrown, "the connect was cut short");
        assertTrue(thrown.getMessage().contains("closed while connecting"), thrown.getMessage());
        assertEquals(ClientState.CLOSED, client.state());
        assertEquals(List.of(), client.exceptions(), "nothing recorded on the closed client");
        assertEquals(List.of(), List.copyOf(failures), "no onFailure on the closed client");
    }

    /** A connect on a platform thread times out, is recorded as a failed connect, and leaves the client disconnected. */
    private static void assertConnectTimesOut(TcpClient client, BlockingQueue<Failure> failures) throws Exception {
        Exception thrown = Peers.connectOnAPlatformThread(client).get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertInstanceOf(SocketTimeoutException.class, thrown, "the connect timed out");
        Failure failure = failures.poll(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertInstanceOf(Failure.Connect.class, failure, "the timeout is recorded as a failed connect");
        assertEquals(ClientState.DISCONNECTED, client.state());
    }

    /** Connects until one connect waits: the listener's backlog is full. Bounded in count and time. */
    private static List<Closeable> fillBacklog(InetSocketAddress listener) throws IOException {
        List<Closeable> queued = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Socket socket = new Socket();
            try {
                socket.connect(listener, 300);
                queued.add(socket);
            } catch (SocketTimeoutException full) {
                socket.close();
                return queued;
            }
        }
        throw new IllegalStateException("the backlog never filled: " + queued.size() + " connects were queued");
    }

    /** The same over a Unix domain socket: a connect that would wait fails at once when not blocking. */
    private static List<Closeable> fillBacklog(UnixDomainSocketAddress listener) throws IOException {
        List<Closeable> queued = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.configureBlocking(false);
            try {
                channel.connect(listener);
                queued.add(channel);
            } catch (IOException full) { // "Resource temporarily unavailable"
                channel.close();
                return queued;
            }
        }
        throw new IllegalStateException("the backlog never filled: " + queued.size() + " connects were queued");
    }

    /** Real sockets; counts a connect as under way once it is told what closes it. */
    private record Watched(CountDownLatch underway) implements Network {
        @Override
        public Acceptor bind(SocketAddress address, int backlog) throws IOException {
            return SocketNetwork.INSTANCE.bind(address, backlog);
        }

        @Override
        public Transport connect(SocketAddress address, Duration timeout) throws IOException {
            underway.countDown(); // a caller that cannot end the connect (the engine did so before)
            return SocketNetwork.INSTANCE.connect(address, timeout);
        }

        @Override
        public Transport connect(SocketAddress address, Duration timeout, Consumer<Closeable> told) throws IOException {
            return SocketNetwork.INSTANCE.connect(address, timeout, socket -> {
                told.accept(socket);
                underway.countDown();
            });
        }
    }
}
