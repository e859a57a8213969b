package simplesockets.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.ClientOptions;
import simplesockets.api.ClientState;
import simplesockets.api.Connection;
import simplesockets.api.ProxyHeader;
import simplesockets.api.ProxyProtocol;
import simplesockets.api.ServerOptions;
import simplesockets.api.ServerState;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;

/**
 * Where the loopback network differed from TCP loopback sockets in a way that let a user's test pass
 * that fails over real sockets, or fail where they pass; each of these differed before.
 */
@Timeout(30)
class LikeTcpTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    /**
     * A connection whose PROXY header timed out gives its {@code maxConnections} slot back before its peer
     * sees the close, as over a socket: a peer that sees it and connects again is served. The slot came
     * back only once the connection's thread woke, so the next peer could be refused.
     */
    @Test
    void aSlotIsFreeOnceThePeerOfAConnectionWhoseHeaderTimedOutSeesItClosed() throws Exception {
        ManualClock clock = new ManualClock();
        try (LoopbackNetwork network = new LoopbackNetwork(clock)) {
            for (int i = 0; i < 20; i++) { // each time, on a new server: the slot is back when the peer sees the close
                BlockingQueue<Connection> connected = new LinkedBlockingQueue<>();
                TcpServer server = network.server(ServerOptions.builder().host("127.0.0.1").port(0).maxConnections(1)
                        .proxyProtocol(ProxyProtocol.trusting("127.0.0.0/8").withHeaderTimeout(Duration.ofSeconds(1)))
                        .onConnect(connected::add).build());
                server.start();
                InetSocketAddress address = server.localAddress().orElseThrow();
                try (RawPeer silent = network.dial(address)) {
                    assertTrue(silent.wire().awaitReading(Direction.CLIENT_TO_SERVER, WAIT),
                            "the server reads the header, its deadline set");
                    clock.advance(Duration.ofSeconds(2));
                    assertTrue(silent.awaitClosed(WAIT), "closed at the header timeout");
                }
                try (RawPeer next = network.dial(address)) {
                    next.send(ProxyHeader.v1(new InetSocketAddress("192.0.2.7", 1000 + i), address).toBytes());
                    Connection served = connected.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    assertTrue(served != null, "round " + i + ": the next peer was served, not refused");
                }
                server.close();
            }
        }
    }

    /** A backlog as large as the options allow starts, as the kernel caps it; it failed to bind here. */
    @Test
    void theLargestBacklogStarts() throws Exception {
        try (LoopbackNetwork network = new LoopbackNetwork()) {
            TcpServer server = network.server(ServerOptions.builder().port(0).backlog(Integer.MAX_VALUE).build());
            server.start();
            assertEquals(ServerState.ACCEPTING, server.state());
        }
    }

    /** A bind that TCP refuses is refused here: it bound the wildcard address, or an address no one could reach. */
    @Test
    void aBindThatTcpRefusesIsRefused() throws Exception {
        try (LoopbackNetwork network = new LoopbackNetwork()) {
            SocketException unresolved = assertThrows(SocketException.class,
                    () -> network.network.bind(InetSocketAddress.createUnresolved("nowhere.invalid", 0), 50));
            assertTrue(unresolved.getMessage().contains("Unresolved address"), unresolved.getMessage());
            TcpServer elsewhere = network.server(ServerOptions.builder().host("192.0.2.1").port(0).build()); // TEST-NET-1
            BindException notHere = assertThrows(BindException.class, elsewhere::start);
            assertTrue(notHere.getMessage().contains("Cannot assign requested address"), notHere.getMessage());
            assertEquals(ServerState.CREATED, elsewhere.state());
        }
    }

    /** A client made by a callback while the network closes is closed too; it was left open, and untracked. */
    @Test
    void aClientMadeWhileTheNetworkClosesIsClosed() throws Exception {
        AtomicReference<TcpClient> madeWhileClosing = new AtomicReference<>();
        LoopbackNetwork network = new LoopbackNetwork();
        TcpServer server = network.server(ServerOptions.builder().port(0).closeTimeout(Duration.ofSeconds(20)) // waits for onDisconnect
                .onDisconnect((c, why) -> madeWhileClosing.set(network.client(ClientOptions.builder()
                        .address(c.localAddress()).build())))
                .build());
        server.start();
        try (RawPeer peer = network.dial(server.localAddress().orElseThrow())) {
            peer.send("hi".getBytes(StandardCharsets.US_ASCII));
            assertTrue(server.awaitNewData(WAIT), "connected");
            network.close(); // the server's close ends the peer's connection: its onDisconnect makes a client
            TcpClient client = madeWhileClosing.get();
            assertTrue(client != null, "onDisconnect ran within the close");
            assertEquals(ClientState.CLOSED, client.state());
        }
    }

    /** Many tiny writes are bounded in the record too: 4,096 of one byte kept them all (about 130 KiB held). */
    @Test
    void theRecordOfTinyWritesIsBounded() {
        WireRecord record = new WireRecord();
        for (int i = 0; i < 4096; i++) {
            record.add(new byte[1]);
        }
        assertTrue(record.dropped() > 0, "the oldest dropped, counting what keeping each costs");
        assertTrue(record.dropped() < 4096, "the newest kept");
    }

    /** A network that keeps nothing for a test (the shared provider's) records no traffic. */
    @Test
    void anUntrackedNetworkRecordsNothing() throws Exception {
        try (LoopbackNetwork shared = new LoopbackNetwork(LoopbackNetwork.DEFAULT_PIPE_BYTES, false, null)) {
            TcpServer server = shared.server(ServerOptions.builder().port(0).onReceive((c, d) -> c.send(d)).build());
            server.start();
            try (RawPeer peer = shared.dial(server.localAddress().orElseThrow())) {
                peer.send("hi".getBytes(StandardCharsets.US_ASCII));
                assertEquals("hi", new String(peer.read(WAIT).orElseThrow(), StandardCharsets.US_ASCII));
                assertFalse(peer.wire().take(Direction.CLIENT_TO_SERVER, Duration.ZERO).isPresent());
                assertFalse(peer.wire().take(Direction.SERVER_TO_CLIENT, Duration.ZERO).isPresent());
            } finally {
                server.close();
            }
        }
    }
}
