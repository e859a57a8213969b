package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.awaitCondition;
import static simplesockets.impl.Peers.loopback;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.ClientOptions;
import simplesockets.api.ClientStats;
import simplesockets.api.Connection;
import simplesockets.api.Failure;
import simplesockets.api.Framing;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;

/** {@link TcpClient#stats()} over real loopback sockets, across a reconnect. */
@Timeout(60)
class ClientStatsTest {

    @Test
    void connectsBytesMessagesQueuedBytesAndDisconnectsAreCountedAcrossReconnects() throws Exception {
        Framing framing = Framing.lengthPrefixed(1024);
        try (TcpServer server = TcpServer.create(loopback().framing(framing).onReceive(Connection::send).build())) {
            server.start();
            InetSocketAddress address = server.localAddress().orElseThrow();
            try (TcpClient client = TcpClient.create(ClientOptions.builder().address(address).framing(framing)
                    .autoReceive(true).closeTimeout(Duration.ofSeconds(5)).build())) { // disconnect()'s bound
                assertEquals(0, client.stats().connects());
                client.connect();
                assertEquals(1, client.stats().connects(), "counted before connect() returns");

                client.send(Peers.bytes("abc"));
                client.send(Peers.bytes("defg"));
                // Echoed: 7 bytes of data wait for polling, 15 crossed each way with the headers.
                // The echo can arrive before the writer's write call returned, and before it settled its
                // pending bytes: wait for those counts too.
                awaitCondition(() -> client.stats().queuedBytes() == 7 && client.stats().messagesIn() == 2
                        && client.stats().bytesOut() == 15 && client.stats().pendingBytes() == 0, Peers.WAIT,
                        () -> "not queued: " + client.stats());
                ClientStats echoed = client.stats();
                assertEquals(15, echoed.bytesOut());
                assertEquals(2, echoed.messagesOut());
                assertEquals(15, echoed.bytesIn());
                assertEquals(0, echoed.pendingBytes());
                assertEquals(Optional.of("abc"), client.receive(Peers.WAIT).map(Peers::text));
                assertEquals(Optional.of("defg"), client.receive(Peers.WAIT).map(Peers::text));
                assertEquals(0, client.stats().queuedBytes(), "taken");

                client.disconnect();
                ClientStats gone = client.stats();
                assertEquals(1, gone.disconnects(), "counted before disconnect() returns");
                assertEquals(15, gone.bytesIn(), "the ended connection's figures stay");

                client.connect();
                client.send(Peers.bytes("hijkl"));
                assertEquals(Optional.of("hijkl"), client.receive(Peers.WAIT).map(Peers::text));
                awaitCondition(() -> client.stats().bytesOut() == 24, Peers.WAIT, () -> "not sent: " + client.stats());
                ClientStats again = client.stats();
                assertEquals(2, again.connects());
                assertEquals(1, again.disconnects());
                assertEquals(24, again.bytesIn(), "both connections");
                assertEquals(3, again.messagesIn());
                assertEquals(3, again.messagesOut());
                assertTrue(again.toString().startsWith("ClientStats[connects=2 disconnects=1 bytesIn=24 bytesOut=24 "),
                        again.toString());
            }
        }
    }

    @Test
    void theReaderIsStalledWhileReceivedDataIsNotTakenAndAFailedConnectIsCounted() throws Exception {
        int total = 256 * 1024;
        byte[] data = Peers.pattern(5, total);
        try (TcpServer server = TcpServer.create(loopback().onConnect(connection -> connection.send(data)).build())) {
            server.start();
            try (TcpClient client = TcpClient.create(ClientOptions.builder()
                    .address(server.localAddress().orElseThrow()).maxQueuedBytes(4096).autoReceive(true).build())) {
                client.connect();
                awaitCondition(() -> client.stats().isReaderStalled(), Peers.WAIT,
                        () -> "the reader did not stall: " + client.stats());
                assertEquals(1, client.stats().readerStalls());
                ByteArrayOutputStream received = new ByteArrayOutputStream();
                while (received.size() < total) {
                    received.writeBytes(client.receive(Peers.WAIT).orElseThrow());
                }
                assertArrayEquals(data, received.toByteArray());
                awaitCondition(() -> !client.stats().isReaderStalled(), Peers.WAIT,
                        () -> "it reads on once its data is taken: " + client.stats());
                ClientStats after = client.stats();
                assertTrue(after.readerStalls() >= 1);
                assertFalse(after.readerStallTime().isZero());
                assertEquals(total, after.bytesIn());
            }
        }
        try (TcpClient nowhere = TcpClient.create(ClientOptions.builder().host("127.0.0.1").port(1).build())) {
            try {
                nowhere.connect();
            } catch (java.io.IOException expected) {
                // nothing listens on port 1
            }
            ClientStats stats = nowhere.stats();
            assertEquals(0, stats.connects());
            assertEquals(1, stats.failures(Failure.Connect.class));
        }
    }

    /**
     * Without background receiving, a stall ends once the application took the data: the reader then
     * waits for the next request for data, which is no stall. It stayed "stalled", its time growing, for
     * as long as the application did not ask again.
     */
    @Test
    void aStallEndsWhenTheDataIsTakenWithoutBackgroundReceiving() throws Exception {
        byte[] data = Peers.pattern(7, 8 * 1024);
        try (TcpServer server = TcpServer.create(loopback().onConnect(connection -> connection.send(data)).build())) {
            server.start();
            try (TcpClient client = TcpClient.create(ClientOptions.builder()
                    .address(server.localAddress().orElseThrow()).maxQueuedBytes(100).build())) {
                client.connect();
                assertTrue(client.receive(Peers.WAIT).isPresent());
                awaitCondition(() -> client.stats().isReaderStalled(), Peers.WAIT,
                        () -> "the reader did not stall: " + client.stats());
                client.drainReceived();
                awaitCondition(() -> !client.stats().isReaderStalled(), Peers.WAIT,
                        () -> "the stall did not end when its data was taken: " + client.stats());
                java.time.Duration stalled = client.stats().readerStallTime();
                assertEquals(stalled, client.stats().readerStallTime(), "no stall goes on");
            }
        }
    }
}
