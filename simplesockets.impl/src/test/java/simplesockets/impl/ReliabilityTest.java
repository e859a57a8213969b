package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.bytes;
import static simplesockets.impl.Peers.connect;
import static simplesockets.impl.Peers.loopback;
import static simplesockets.impl.Peers.take;
import static simplesockets.impl.Peers.text;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.ClientEvent;
import simplesockets.api.ClientOptions;
import simplesockets.api.Connection;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.ReconnectPolicy;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;
import simplesockets.impl.transport.Acceptor;
import simplesockets.impl.transport.Network;
import simplesockets.impl.transport.Transport;

/** Timeouts, liveness options and limits, each with a test that shows its effect, over loopback. */
@Timeout(60)
class ReliabilityTest {

    private static void echoOnce(TcpServer server, Socket peer, String text) throws Exception {
        peer.getOutputStream().write(bytes(text));
        assertEquals(text, text(Peers.readExactly(peer, text.length())));
    }

    @Test
    void writeTimeoutFailsASendToAPeerThatDoesNotRead() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        // WAIT: sends from this thread wait for the writer, which the write timeout then cuts off
        // (under the default DISCONNECT the pending-bytes bound would end the connection first).
        try (TcpServer server = TcpServer.create(loopback().writeTimeout(Duration.ofMillis(300))
                .sendOverflow(simplesockets.api.SendOverflow.WAIT)
                .onConnect(connected::add).onReceive((c, d) -> c.send(d))
                .onDisconnect((c, r) -> reasons.add(r)).build())) {
            server.start();
            try (Socket sleeper = connect(server.localAddress())) {
                Connection connection = take(connected);
                byte[] chunk = new byte[1 << 20];
                long started = System.nanoTime();
                IOException failure = assertThrows(IOException.class, () -> {
                    for (int i = 0; i < 256; i++) { // 256 MiB: far past every socket buffer
                        connection.send(chunk);
                    }
                });
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertInstanceOf(SocketTimeoutException.class, failure);
                assertTrue(tookMillis < 5_000, "the send gave up after " + tookMillis + " ms");
                assertEquals(DisconnectReason.TIMED_OUT, take(reasons));
                try (Socket fresh = connect(server.localAddress())) {
                    echoOnce(server, fresh, "still serving");
                }
            }
        }
    }

    @Test
    void clientWriteTimeoutDisconnectsFromAServerThatDoesNotRead() throws Exception {
        try (ServerSocket deaf = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            // The connection sits in the backlog, never accepted, never read.
            try (TcpClient client = TcpClient.create(ClientOptions.builder().port(deaf.getLocalPort())
                    .writeTimeout(Duration.ofMillis(300)).build())) {
                assertTrue(client.connect());
                byte[] chunk = new byte[1 << 20];
                IOException failure = assertThrows(IOException.class, () -> {
                    for (int i = 0; i < 256; i++) {
                        client.send(chunk);
                    }
                });
                assertInstanceOf(SocketTimeoutException.class, failure);
                ClientEvent event;
                do {
                    event = client.awaitEvent(Peers.WAIT).orElseThrow();
                } while (!(event instanceof ClientEvent.Disconnected));
                assertEquals(DisconnectReason.TIMED_OUT, ((ClientEvent.Disconnected) event).reason());
                assertFalse(client.isConnected());
            }
        }
    }

    @Test
    void socketOptionsReachTheSocket() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().keepAlive(true).tcpNoDelay(false)
                .onConnect(connected::add).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress())) {
                Link link = (Link) take(connected);
                Socket socket = ((SocketNetwork.SocketTransport) link.transport()).socket();
                assertTrue(socket.getKeepAlive());
                assertFalse(socket.getTcpNoDelay());
            }
        }
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress())) {
                Socket socket = ((SocketNetwork.SocketTransport) ((Link) take(connected)).transport()).socket();
                assertFalse(socket.getKeepAlive(), "keep-alive is off by default");
                assertTrue(socket.getTcpNoDelay(), "no-delay is on by default");
            }
        }
    }

    @Test
    void theTotalBoundStallsEveryFloodingPeer() throws Exception {
        int peers = 4;
        int perConnection = 256 * 1024;
        int total = 128 * 1024;
        try (TcpServer server = TcpServer.create(loopback().maxQueuedBytesPerConnection(perConnection)
                .maxQueuedBytesTotal(total).build())) {
            server.start();
            List<Socket> sockets = new ArrayList<>();
            List<Thread> senders = new ArrayList<>();
            AtomicLong written = new AtomicLong();
            for (int p = 0; p < peers; p++) {
                Socket socket = connect(server.localAddress());
                sockets.add(socket);
                senders.add(Thread.ofVirtual().start(() -> {
                    try {
                        OutputStream out = socket.getOutputStream();
                        byte[] chunk = new byte[64 * 1024];
                        for (int i = 0; i < 512; i++) { // 32 MiB each at most
                            out.write(chunk);
                            written.addAndGet(chunk.length);
                        }
                    } catch (IOException e) {
                        // closed at the end of the test
                    }
                }));
            }
            long last = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (written.get() != last && System.nanoTime() < deadline) {
                last = written.get();
                senders.getFirst().join(Duration.ofMillis(300));
            }
            assertTrue(senders.stream().allMatch(Thread::isAlive), "every sender is stalled");
            long queued = server.drainReceived().stream().mapToLong(r -> r.data().length).sum();
            assertTrue(queued <= total + peers * 2048L, queued + " bytes were queued, over the total bound");
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    void connectTimeoutGivesUpOnAServerThatNeverAnswers() throws Exception {
        // A listener that never accepts, with a backlog of 1: once it is full, Linux drops new SYNs.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            boolean timedOut = false;
            for (int attempt = 0; attempt < 8 && !timedOut; attempt++) {
                try (TcpClient client = TcpClient.create(ClientOptions.builder().port(full.getLocalPort())
                        .connectTimeout(Duration.ofMillis(300)).build())) {
                    if (!client.connect()) {
                        Failure failure = client.drainExceptions().getFirst();
                        timedOut = failure.cause() instanceof SocketTimeoutException;
                    } else {
                        client.disconnect(); // it stays in the backlog, which fills up
                    }
                }
            }
            assertTrue(timedOut, "a connect timed out once the backlog was full");
        }
    }

    @Test
    void lostConnectionsAreReconnectedWithBackoffAndEveryAttemptIsAnEvent() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().onConnect(connected::add).onReceive((c, d) -> c.send(d)).build())) {
            server.start();
            try (TcpClient client = TcpClient.create(ClientOptions.builder().address(server.localAddress())
                    .autoReceive(true).reconnect(ReconnectPolicy.exponential(Duration.ofMillis(20), Duration.ofMillis(200)))
                    .build())) {
                assertTrue(client.connect());
                take(connected).disconnect(); // the server drops us
                List<ClientEvent> events = new ArrayList<>();
                while (events.stream().filter(e -> e instanceof ClientEvent.Connected).count() < 2) {
                    events.add(client.awaitEvent(Peers.WAIT).orElseThrow());
                }
                List<Class<?>> kinds = events.stream().<Class<?>>map(Object::getClass).toList();
                assertEquals(List.of(ClientEvent.Connected.class, ClientEvent.Disconnected.class,
                        ClientEvent.Reconnecting.class, ClientEvent.Connected.class), kinds);
                assertEquals(1, ((ClientEvent.Reconnecting) events.get(2)).attempt());
                take(connected);
                client.send(bytes("back"));
                assertEquals("back", text(Peers.concat(client.awaitReceived(Peers.WAIT))));

                client.disconnect(); // our own disconnect: no reconnect
                assertTrue(client.awaitEvent(Duration.ofMillis(300)).stream()
                        .noneMatch(e -> e instanceof ClientEvent.Reconnecting), "no reconnect after disconnect()");
            }
        }
    }

    @Test
    void reconnectGivesUpAfterItsAttemptsWithAFailurePerAttempt() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build());
        server.start();
        try (TcpClient client = TcpClient.create(ClientOptions.builder().address(server.localAddress()).autoReceive(true)
                .reconnect(ReconnectPolicy.exponential(Duration.ofMillis(10), Duration.ofMillis(40)).withMaxAttempts(3))
                .build())) {
            assertTrue(client.connect());
            take(connected);
            server.close(); // nothing listens any more
            int attempts = 0;
            int failures = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (failures < 3 && System.nanoTime() < deadline) {
                var event = client.awaitEvent(Duration.ofMillis(500));
                if (event.isPresent() && event.get() instanceof ClientEvent.Reconnecting) {
                    attempts++;
                }
                if (event.isPresent() && event.get() instanceof ClientEvent.Failed f && f.failure() instanceof Failure.Connect) {
                    failures++;
                }
            }
            assertEquals(3, attempts);
            assertEquals(3, failures);
            assertTrue(client.awaitEvent(Duration.ofMillis(300)).isEmpty(), "it gave up");
        }
    }

    /** A network whose acceptor fails like EMFILE for a while: the accept loop must back off and recover. */
    @Test
    void acceptFailuresBackOffWithoutSpinningAndRecover() throws Exception {
        AtomicInteger failuresLeft = new AtomicInteger(Integer.MAX_VALUE);
        AtomicInteger acceptCalls = new AtomicInteger();
        Network failing = new Network() {
            @Override
            public Acceptor bind(InetSocketAddress address, int backlog) throws IOException {
                Acceptor real = SocketNetwork.INSTANCE.bind(address, backlog);
                return new Acceptor() {
                    @Override
                    public Transport accept() throws IOException {
                        acceptCalls.incrementAndGet();
                        if (failuresLeft.getAndDecrement() > 0) {
                            throw new IOException("Too many open files");
                        }
                        return real.accept();
                    }

                    @Override
                    public boolean isOpen() {
                        return real.isOpen();
                    }

                    @Override
                    public InetSocketAddress localAddress() {
                        return real.localAddress();
                    }

                    @Override
                    public void close() throws IOException {
                        real.close();
                    }
                };
            }

            @Override
            public Transport connect(InetSocketAddress address, Duration timeout) throws IOException {
                return SocketNetwork.INSTANCE.connect(address, timeout);
            }
        };
        try (TcpServer server = new ServerEngine(failing, loopback().onReceive((c, d) -> c.send(d)).build(), null)) {
            server.start();
            Thread.sleep(1_000);
            int calls = acceptCalls.get();
            // Backoff 10, 20, 40 ... ms capped at 1 s: about 7 tries in the first second, not millions.
            assertTrue(calls >= 3 && calls <= 12, calls + " accept calls in one second");
            assertTrue(server.exceptions(false, false).stream().allMatch(f -> f instanceof Failure.Accept));
            failuresLeft.set(0); // descriptors are free again
            try (Socket peer = connect(server.localAddress())) {
                peer.setSoTimeout(5_000);
                echoOnce(server, peer, "recovered");
            }
        }
    }

    @Test
    void closeStopsAReconnectLoopAtOnce() throws Exception {
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        TcpServer server = TcpServer.create(loopback().onConnect(connected::add).build());
        server.start();
        TcpClient client = TcpClient.create(ClientOptions.builder().address(server.localAddress()).autoReceive(true)
                .reconnect(ReconnectPolicy.exponential(Duration.ofMillis(50), Duration.ofSeconds(30))).build());
        assertTrue(client.connect());
        take(connected);
        server.close(); // the client starts reconnecting, with waits growing towards 30 s
        ClientEvent event;
        do {
            event = client.awaitEvent(Peers.WAIT).orElseThrow();
        } while (!(event instanceof ClientEvent.Reconnecting));
        long started = System.nanoTime();
        client.close();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(tookMillis < 1_000, "close took " + tookMillis + " ms");
    }
}
