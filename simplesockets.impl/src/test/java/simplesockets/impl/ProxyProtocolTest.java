package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.bytes;
import static simplesockets.impl.Peers.loopback;
import static simplesockets.impl.Peers.text;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.ClientOptions;
import simplesockets.api.Connection;
import simplesockets.api.Failure;
import simplesockets.api.ProxyHeader;
import simplesockets.api.ProxyProtocol;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;
import simplesockets.impl.time.SteppedClock;

/**
 * The PROXY protocol over real sockets on 127.0.0.1: a trusted peer's header names the client, the
 * bytes after it are the connection's data, and every bad, missing, late or untrusted header ends only
 * its own connection, with a recorded {@link Failure.Protocol} and no connect callback.
 */
@Timeout(60)
class ProxyProtocolTest {

    private static final ProxyProtocol LOCALHOST = ProxyProtocol.trusting("127.0.0.0/8");

    /** What a server saw: each connection as it was announced, with the addresses it had then. */
    record Seen(InetSocketAddress remote, Optional<InetSocketAddress> proxy) {
    }

    /** A callback echo server with the PROXY protocol, recording each connection it announces. */
    private static TcpServer echo(ProxyProtocol proxy, BlockingQueue<Seen> seen) throws IOException {
        TcpServer server = TcpServer.create(loopback().proxyProtocol(proxy)
                .onConnect(c -> seen.add(new Seen(c.remoteAddress(), c.proxyAddress())))
                .onReceive((c, d) -> c.send(d)).build());
        server.start();
        return server;
    }

    private static Socket dial(TcpServer server) throws IOException {
        Socket socket = Peers.connect(server.localAddress().orElseThrow());
        socket.setTcpNoDelay(true);
        return socket;
    }

    private static InetSocketAddress at(String literal, int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(literal), port);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** The server's first recorded failure, waited for. */
    private static Failure awaitFailure(TcpServer server) {
        Peers.awaitCondition(server::hasExceptions, Peers.WAIT, () -> "the server recorded no failure");
        return server.exceptions().getFirst();
    }

    /** A header, then data in the same write: the data is echoed, and the connection is the header's client. */
    private static Seen headerThenEcho(TcpServer server, BlockingQueue<Seen> seen, byte[] header) throws Exception {
        try (Socket socket = dial(server)) {
            socket.getOutputStream().write(concat(header, bytes("hello")));
            assertEquals("hello", text(Peers.readExactly(socket, 5)), "the data after the header, without it");
            Seen connection = Peers.take(seen);
            if (connection.proxy().isPresent()) {
                assertEquals(socket.getLocalSocketAddress(), connection.proxy().get(), "the proxy is the socket's peer");
            }
            return connection;
        }
    }

    @Test
    void v1NamesTheClientAndTheDataInTheSameWriteIsDelivered() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        try (TcpServer server = echo(LOCALHOST, seen)) {
            Seen four = headerThenEcho(server, seen, bytes("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\n"));
            assertEquals(at("203.0.113.7", 5555), four.remote());
            assertTrue(four.proxy().isPresent(), "the balancer's address stays available");
            Seen six = headerThenEcho(server, seen, bytes("PROXY TCP6 2001:db8::7 ::1 6666 443\r\n"));
            assertEquals(at("2001:db8::7", 6666), six.remote());
            try (Socket socket = dial(server)) {
                socket.getOutputStream().write(bytes("PROXY UNKNOWN\r\nhello"));
                assertEquals("hello", text(Peers.readExactly(socket, 5)));
                Seen unknown = Peers.take(seen);
                assertEquals(socket.getLocalSocketAddress(), unknown.remote(), "UNKNOWN keeps the real peer");
                assertTrue(unknown.proxy().isEmpty(), "and names no proxy");
            }
            assertTrue(server.exceptions().isEmpty(), server.exceptions().toString());
        }
    }

    @Test
    void v2NamesTheClientPastItsExtensionsAndLocalKeepsTheRealPeer() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        try (TcpServer server = echo(LOCALHOST, seen)) {
            byte[] v4 = ProxyHeader.v2(at("198.51.100.9", 40000), at("10.0.0.1", 80)).toBytes();
            byte[] tlvs = {0x01, 0x00, 0x02, 'h', '2', 0x04, 0x00, 0x03, 0, 0, 0}; // ALPN and NOOP
            v4[15] = (byte) (v4[15] + tlvs.length);
            assertEquals(at("198.51.100.9", 40000), headerThenEcho(server, seen, concat(v4, tlvs)).remote());
            byte[] v6 = ProxyHeader.v2(at("2001:db8::9", 1), at("2001:db8::1", 2)).toBytes();
            assertEquals(at("2001:db8::9", 1), headerThenEcho(server, seen, v6).remote());
            Seen local = headerThenEcho(server, seen, ProxyHeader.v2Local().toBytes());
            assertEquals(InetAddress.getLoopbackAddress(), local.remote().getAddress(), "LOCAL keeps the real peer");
            assertTrue(local.proxy().isEmpty());
            assertTrue(server.exceptions().isEmpty(), server.exceptions().toString());
        }
    }

    @Test
    void aHeaderSplitAcrossManyWritesIsStillOneHeader() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        try (TcpServer server = echo(LOCALHOST, seen)) {
            for (byte[] header : List.of(bytes("PROXY TCP4 192.0.2.1 127.0.0.1 1234 80\r\n"),
                    ProxyHeader.v2(at("192.0.2.2", 4321), at("127.0.0.1", 80)).toBytes())) {
                try (Socket socket = dial(server)) {
                    OutputStream out = socket.getOutputStream();
                    for (byte b : header) {
                        out.write(b); // one byte per segment: TCP_NODELAY is on
                        out.flush();
                    }
                    out.write(bytes("split"));
                    assertEquals("split", text(Peers.readExactly(socket, 5)));
                    assertEquals("192.0.2", Peers.take(seen).remote().getAddress().getHostAddress().substring(0, 7));
                }
            }
        }
    }

    @Test
    void pollingSeesTheClientInEveryEventAndFindsItByItsAddress() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().proxyProtocol(LOCALHOST).build())) {
            server.start();
            try (Socket socket = dial(server)) {
                socket.getOutputStream().write(bytes("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\nping"));
                ServerEvent.Connected connected = assertInstanceOf(ServerEvent.Connected.class,
                        server.awaitEvent(Peers.WAIT).orElseThrow());
                assertEquals(at("203.0.113.7", 5555), connected.connection().remoteAddress());
                ServerEvent.Received received = server.awaitReceived(Peers.WAIT).getFirst();
                assertEquals("ping", text(received.data()));
                Connection found = server.client(at("203.0.113.7", 5555)).orElseThrow();
                assertEquals(Optional.of(socket.getLocalSocketAddress()), found.proxyAddress());
                server.send(at("203.0.113.7", 5555), bytes("pong"));
                assertEquals("pong", text(Peers.readExactly(socket, 4)));
            }
        }
    }

    @Test
    void aHandlerReadsTheDataAfterTheHeader() throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().proxyProtocol(LOCALHOST).handler(c -> {
            for (var data = c.read(); data.isPresent(); data = c.read()) {
                lines.add(c.remoteAddress() + " " + text(data.get()));
                c.send(data.get());
            }
        }).build())) {
            server.start();
            try (Socket socket = dial(server)) {
                socket.getOutputStream().write(concat(ProxyHeader.v2(at("192.0.2.50", 50), at("127.0.0.1", 1)).toBytes(),
                        bytes("handled")));
                assertEquals("handled", text(Peers.readExactly(socket, 7)));
                assertEquals("/192.0.2.50:50 handled", Peers.take(lines));
            }
        }
    }

    /** A connection the server must refuse: it is closed, a Failure.Protocol says why, and nobody else notices. */
    private static void refused(ProxyProtocol proxy, byte[] sent, boolean halfClose, String why) throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        try (TcpServer server = echo(proxy, seen); Socket socket = dial(server)) {
            socket.getOutputStream().write(sent);
            if (halfClose) {
                socket.shutdownOutput();
            }
            Failure.Protocol failure = assertInstanceOf(Failure.Protocol.class, awaitFailure(server));
            assertTrue(failure.cause().getMessage().contains(why), failure.cause().getMessage());
            assertEquals(socket.getLocalSocketAddress(), failure.address(), "the failure names the real peer");
            assertTrue(Peers.drainsToClose(socket, Peers.WAIT), "the server closed the connection");
            assertTrue(seen.isEmpty(), "no connect callback for a refused connection: " + seen);
            if (proxy.trusts(InetAddress.getLoopbackAddress())) {
                headerThenEcho(server, seen, bytes("PROXY UNKNOWN\r\n")); // another client is still served
            }
            assertEquals(1, server.exceptions().size(), server.exceptions().toString());
        }
    }

    @Test
    void plainDataWithoutAHeaderIsRefused() throws Exception {
        refused(LOCALHOST, bytes("hello\n"), false, "no PROXY protocol header: the connection began with \"hello\\n\"");
    }

    @Test
    void aGarbageHeaderIsRefused() throws Exception {
        refused(LOCALHOST, bytes("PROXY GARBAGE\r\nhello"), false, "its protocol must be TCP4, TCP6 or UNKNOWN");
        refused(LOCALHOST, bytes("PROXY TCP4 1.2.3.4 5.6.7.8 99999 1\r\n"), false, "'99999' is not a port");
    }

    @Test
    void anOverLongV1LineIsRefusedAtTheProtocolsLimit() throws Exception {
        refused(LOCALHOST, bytes("PROXY UNKNOWN " + "x".repeat(500) + "\r\n"), false, "longer than 107 bytes");
    }

    @Test
    void aHeaderCutShortByTheEndOfTheStreamIsRefused() throws Exception {
        refused(LOCALHOST, bytes("PROXY TCP4 1.2"), true, "ended after 14 bytes");
    }

    @Test
    void aPeerThatIsNotATrustedProxyIsRefusedBeforeAnythingIsRead() throws Exception {
        refused(ProxyProtocol.trusting("10.0.0.0/8", "2001:db8::/32"), new byte[0], false,
                "127.0.0.1 is not a trusted proxy; PROXY protocol headers are taken only from [10.0.0.0/8, 2001:db8::/32]");
    }

    @Test
    void aBareConnectAndCloseIsAHealthCheckNotAFailure() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        try (TcpServer server = echo(LOCALHOST, seen)) {
            for (int i = 0; i < 3; i++) {
                try (Socket check = dial(server)) {
                    check.shutdownOutput();
                    assertTrue(Peers.drainsToClose(check, Peers.WAIT), "the server closed the health check");
                }
            }
            headerThenEcho(server, seen, bytes("PROXY UNKNOWN\r\n"));
            assertTrue(server.exceptions().isEmpty(), server.exceptions().toString());
        }
    }

    /** On a stepped clock: the deadline counts from the accept, a trickle does not stretch it, and it never blocks others. */
    @Test
    void aHeaderThatNeverFinishesTimesOut() throws Exception {
        Duration timeout = Duration.ofMillis(800);
        SteppedClock clock = new SteppedClock();
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        TcpServer server = new ServerEngine(SocketNetwork.INSTANCE, loopback()
                .proxyProtocol(LOCALHOST.withHeaderTimeout(timeout))
                .onConnect(c -> seen.add(new Seen(c.remoteAddress(), c.proxyAddress())))
                .onReceive((c, d) -> c.send(d)).build(), clock);
        server.start();
        try (server; Socket slow = dial(server)) {
            Peers.awaitCondition(() -> clock.pendingTasks() == 1, Peers.WAIT, () -> "the header's deadline began (" + clock + ")");
            OutputStream out = slow.getOutputStream();
            for (byte b : bytes("PROXY TCP4 ")) {
                out.write(b);
                out.flush();
                clock.advance(Duration.ofMillis(50));
                assertEquals(1, clock.pendingTasks(), "the deadline is still ahead at " + clock);
            }
            clock.advance(Stepping.justUnder(timeout.minusMillis(50L * "PROXY TCP4 ".length())));
            assertEquals(1, clock.pendingTasks(), "the deadline is still ahead just under it, at " + clock);
            assertTrue(server.exceptions().isEmpty(), server.exceptions().toString());
            clock.advance(Duration.ofMillis(1));
            Failure.Protocol failure = assertInstanceOf(Failure.Protocol.class, awaitFailure(server));
            assertTrue(failure.cause().getMessage().matches("no complete PROXY protocol header within PT0.8S \\(\\d+ bytes.*"),
                    failure.cause().getMessage());
            assertTrue(Peers.drainsToClose(slow, Peers.WAIT), "the server closed the slow connection");
            assertTrue(seen.isEmpty(), seen.toString());
        }
    }

    /** Close closes a connection still in its header at once: it does not wait its close timeout for that thread. */
    @Test
    void closeDoesNotWaitForAHeaderThatIsAwaited() throws Exception {
        SteppedClock clock = new SteppedClock(); // real sockets; the clock only shows when the header is awaited
        TcpServer server = new ServerEngine(SocketNetwork.INSTANCE, loopback().proxyProtocol(LOCALHOST)
                .closeTimeout(Duration.ofSeconds(3)).build(), clock);
        server.start();
        try (Socket silent = dial(server)) {
            silent.getOutputStream().write(bytes("PROXY "));
            Peers.awaitCondition(() -> clock.pendingTasks() == 1, Peers.WAIT, () -> "the header is awaited (" + clock + ")");
            long started = System.nanoTime();
            server.close();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(tookMillis < 1_500, "close took " + tookMillis + " ms, as if it waited for the header's thread");
            assertTrue(Peers.drainsToClose(silent, Peers.WAIT), "closed");
            assertTrue(server.exceptions().isEmpty(), "closing is no failure of the peer: " + server.exceptions());
        }
    }

    @Test
    void aClientSendsItsHeaderOnEveryConnection() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        try (TcpServer server = echo(LOCALHOST, seen)) {
            for (ProxyHeader header : List.of(ProxyHeader.v1(at("203.0.113.7", 5555), at("127.0.0.1", 80)),
                    ProxyHeader.v2(at("2001:db8::5", 7), at("2001:db8::1", 443)))) {
                try (TcpClient client = TcpClient.create(ClientOptions.builder().address(server.localAddress().orElseThrow())
                        .proxyHeader(header).build())) {
                    client.connect();
                    client.send(bytes("via header"));
                    assertArrayEquals(bytes("via header"), client.receive(Peers.WAIT).orElseThrow());
                    Seen first = Peers.take(seen);
                    assertEquals(header.source().orElseThrow(), first.remote());
                    client.reconnect();
                    assertEquals(header.source().orElseThrow(), Peers.take(seen).remote(), "sent again on reconnect");
                    client.send(bytes("again"));
                    assertArrayEquals(bytes("again"), client.receive(Peers.WAIT).orElseThrow());
                }
            }
            assertTrue(server.exceptions().isEmpty(), server.exceptions().toString());
        }
    }

    @Test
    void aClientHeaderThatTheServerRefusesIsAFailureThere() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        try (TcpServer server = echo(LOCALHOST, seen);
             TcpClient client = TcpClient.create(ClientOptions.builder().address(server.localAddress().orElseThrow())
                     .autoReceive(true).build())) {
            client.connect(); // no header: the server expects one
            client.send(bytes("no header here"));
            assertInstanceOf(Failure.Protocol.class, awaitFailure(server));
            Peers.awaitCondition(() -> !client.isConnected(), Peers.WAIT, () -> "the server closed the client");
            assertTrue(client.drainReceived().isEmpty(), "no echo for a refused connection");
            assertTrue(seen.isEmpty());
        }
    }

    @Test
    void withoutTheOptionAHeaderIsJustData() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().onReceive((c, d) -> c.send(d)).build())) {
            server.start();
            try (Socket socket = dial(server)) {
                byte[] line = bytes("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\n");
                socket.getOutputStream().write(line);
                assertArrayEquals(line, Peers.readExactly(socket, line.length));
                assertEquals(Optional.empty(), server.clients().getFirst().proxyAddress());
                assertEquals(socket.getLocalSocketAddress(), server.clients().getFirst().remoteAddress());
            }
        }
    }

    /**
     * A full server gives a refused header's slot back before it closes the connection, so a client that
     * sees the close and comes back at once is served, not refused as one too many.
     */
    @Test
    void aRefusedHeadersSlotIsFreeOnceItsPeerSeesTheClose() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().proxyProtocol(LOCALHOST).maxConnections(1)
                .onReceive((c, d) -> c.send(d)).build())) {
            server.start();
            for (int round = 0; round < 40; round++) {
                try (Socket bad = dial(server)) {
                    bad.getOutputStream().write(bytes("NOT A PROXY HEADER\r\n"));
                    assertTrue(Peers.closedByPeer(bad, Peers.WAIT), "round " + round + ": the bad header is refused");
                }
                try (Socket good = dial(server)) {
                    good.setSoTimeout((int) Peers.WAIT.toMillis());
                    good.getOutputStream().write(bytes("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\nhi"));
                    byte[] echo = good.getInputStream().readNBytes(2);
                    assertEquals("hi", text(echo), "round " + round + ": the client after it was refused");
                }
                Peers.awaitCondition(() -> server.clients().isEmpty(), Peers.WAIT, () -> "the good client stays");
            }
        }
    }

    /**
     * A closer that took a preparing connection's slot hook just before the connection was admitted (the
     * server's close, or a deadline, between its taking the hook and running it) gives nothing back when it
     * runs it afterwards: the slot is the link's by then. Before, the slot went back twice, once by the hook
     * and once by the link's end, and {@code maxConnections(1)} let two connections in.
     */
    @Test
    void aSlotHookTakenJustBeforeAdmissionGivesNothingBackWhenItRunsLate() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.CompletableFuture<Runnable> taken = new java.util.concurrent.CompletableFuture<>();
        simplesockets.impl.transport.Network network = AcceptHook.around(real -> {
            simplesockets.impl.transport.Transport accepted = real.accept();
            if (!first.compareAndSet(true, false)) {
                return accepted;
            }
            return new ForwardingTransport(accepted) {
                private Runnable hook;

                @Override
                public void beforeClose(Runnable next) {
                    if (next == null && hook != null) {
                        taken.complete(hook); // as a closer's take of it, just before admission clears it
                    }
                    hook = next;
                    super.beforeClose(next);
                }
            };
        });
        BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
        byte[] header = bytes("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\n");
        try (TcpServer server = new ServerEngine(network, loopback().proxyProtocol(LOCALHOST).maxConnections(1)
                .onConnect(connected::add).onReceive((c, d) -> c.send(d)).build(), null)) {
            server.start();
            try (Socket one = dial(server)) {
                one.getOutputStream().write(header);
                Connection admitted = Peers.take(connected);
                taken.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS).run(); // the closer runs it now
                admitted.disconnect(); // and the link's end gives the slot back
                Peers.awaitCondition(() -> server.clients().isEmpty(), Peers.WAIT, () -> "the first did not end");
            }
            try (Socket two = dial(server)) {
                two.getOutputStream().write(header);
                Peers.take(connected);
                try (Socket three = dial(server)) {
                    assertTrue(Peers.closedByPeer(three, Peers.WAIT), "one slot: the third was refused at once");
                    assertEquals(1, server.clients().size());
                }
            }
        }
    }
}
