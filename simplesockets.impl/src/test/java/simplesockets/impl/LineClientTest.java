package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.bytes;
import static simplesockets.impl.Peers.loopback;
import static simplesockets.impl.Peers.take;
import static simplesockets.impl.Peers.text;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.ClientEvent;
import simplesockets.api.ClientOptions;
import simplesockets.api.ClientState;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.api.Framing;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;

/** Line framing on the client, both directions, over real loopback sockets. */
@Timeout(60)
class LineClientTest {

    private static final int MAX = 32;

    private static ServerSocket listener() throws java.io.IOException {
        ServerSocket listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        listener.setSoTimeout((int) Peers.WAIT.toMillis());
        return listener;
    }

    private static ClientOptions.Builder to(InetSocketAddress address) {
        return ClientOptions.builder().address(address).framing(Framing.lines(MAX));
    }

    @Test
    void aClientReceivesWholeLinesFromARawPeerAndSendsLinesToIt() throws Exception {
        try (ServerSocket listener = listener();
             TcpClient client = TcpClient.create(to((InetSocketAddress) listener.getLocalSocketAddress()).build())) {
            client.connect();
            try (Socket peer = listener.accept()) {
                peer.setSoTimeout((int) Peers.WAIT.toMillis());
                peer.setTcpNoDelay(true);
                OutputStream out = peer.getOutputStream();
                out.write(bytes("hel"));
                out.flush();
                out.write(bytes("lo\r"));
                out.write(bytes("\n\nsecond\nthe last, unterminated"));
                peer.shutdownOutput();
                assertEquals("hello", text(client.receive(Peers.WAIT).orElseThrow()));
                assertEquals("", text(client.receive(Peers.WAIT).orElseThrow()));
                assertEquals("second", text(client.receive(Peers.WAIT).orElseThrow()));
                assertEquals("the last, unterminated", text(client.receive(Peers.WAIT).orElseThrow()));

                client.send(bytes("ping"));
                client.send(new byte[0]);
                assertThrows(ProtocolException.class, () -> client.send(bytes("no\nnewlines")));
                assertThrows(ProtocolException.class, () -> client.send(new byte[MAX + 1]));
                client.send(bytes("pong"));
                assertEquals("ping\n\npong\n", text(Peers.readExactly(peer, 11)), "refused sends wrote nothing");
            }
        }
    }

    /**
     * Without background receiving, a wait for data takes every line of the read it made, as the API
     * says ("all data waiting"): it handed out the first, and the others stayed with the reader, unseen
     * by {@code drainReceived()} and {@code hasNewData()} until the next wait.
     */
    @Test
    void aWaitWithoutBackgroundReceivingTakesEveryLineOfItsRead() throws Exception {
        try (ServerSocket listener = listener();
             TcpClient client = TcpClient.create(to((InetSocketAddress) listener.getLocalSocketAddress()).build())) {
            client.connect();
            try (Socket peer = listener.accept()) {
                peer.getOutputStream().write(bytes("a\nb\nc\n"));
                List<byte[]> lines = new java.util.ArrayList<>(client.awaitReceived(Peers.WAIT));
                lines.addAll(client.drainReceived()); // however the three came in reads, none is left behind
                assertEquals(List.of("a", "b", "c"), lines.stream().map(Peers::text).toList());
                assertFalse(client.hasNewData());
            }
        }
    }

    @Test
    void aClientDisconnectsFromAPeerWhoseLineIsTooLong() throws Exception {
        try (ServerSocket listener = listener();
             TcpClient client = TcpClient.create(to((InetSocketAddress) listener.getLocalSocketAddress())
                     .autoReceive(true).build())) {
            client.connect();
            try (Socket peer = listener.accept()) {
                peer.getOutputStream().write(bytes("ok\n" + "z".repeat(MAX + 1)));
                List<ClientEvent> events = new ArrayList<>();
                for (int i = 0; i < 10 && (events.isEmpty() || !(events.getLast() instanceof ClientEvent.Disconnected)); i++) {
                    events.add(client.awaitEvent(Peers.WAIT).orElseThrow());
                }
                assertEquals("ok", text(events.stream().filter(e -> e instanceof ClientEvent.Received)
                        .map(e -> ((ClientEvent.Received) e).data()).findFirst().orElseThrow()));
                DisconnectReason reason = ((ClientEvent.Disconnected) events.getLast()).reason();
                ProtocolException cause = assertInstanceOf(ProtocolException.class,
                        assertInstanceOf(DisconnectReason.Failed.class, reason).cause());
                assertTrue(cause.getMessage().contains("maximum of " + MAX), cause.getMessage());
                assertInstanceOf(Failure.Protocol.class, client.drainExceptions().getFirst());
                assertEquals(ClientState.DISCONNECTED, client.state());
                assertTrue(Peers.closedByPeer(peer, Peers.WAIT));
            }
        }
    }

    @Test
    void aLineClientAndALineServerTalkInLinesBothWays() throws Exception {
        BlockingQueue<String> atServer = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().framing(Framing.lines(MAX))
                .onReceive((c, d) -> {
                    atServer.add(text(d));
                    c.send(bytes("re: " + text(d)));
                }).build())) {
            server.start();
            BlockingQueue<String> atClient = new LinkedBlockingQueue<>();
            try (TcpClient client = TcpClient.create(to(server.localAddress().orElseThrow())
                    .onReceive(d -> atClient.add(text(d))).autoReceive(true).build())) {
                client.connect();
                for (int i = 0; i < 100; i++) {
                    client.send(bytes("message " + i));
                }
                for (int i = 0; i < 100; i++) {
                    assertEquals("message " + i, take(atServer));
                    assertEquals("re: message " + i, take(atClient));
                }
                assertFalse(client.hasExceptions());
                assertFalse(server.hasExceptions());
            }
        }
    }
}
