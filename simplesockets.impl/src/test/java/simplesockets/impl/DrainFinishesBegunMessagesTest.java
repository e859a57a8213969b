package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static simplesockets.impl.Peers.loopback;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import simplesockets.api.Framing;
import simplesockets.api.ProxyProtocol;
import simplesockets.api.ServerOptions;
import simplesockets.api.ServerState;
import simplesockets.api.TcpServer;

/**
 * A graceful close that begins while a framed message is arriving (a balancer forwards a request in
 * parts, and the drain starts between them) waits for the rest of that message within the grace,
 * answers it whole, and only then ends the connection, over TCP and over a Unix domain socket alike.
 * Raw data has no messages to wait for; see {@link DrainKeepsArrivedBytesTest}.
 */
@Timeout(60)
class DrainFinishesBegunMessagesTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}, {1} framing, polling: {2}, behind a PROXY header: {3}")
    @CsvSource({"tcp, length, true, false", "tcp, length, false, false", "tcp, lines, true, false",
            "tcp, lines, false, false", "tcp, length, true, true", "tcp, length, false, true",
            "unix, length, true, false", "unix, length, false, false", "unix, lines, true, false"})
    void aMessageBegunWhenTheDrainBeginsIsWaitedForAndAnsweredWhole(String transport, String kind, boolean polling,
            boolean proxied) throws Exception {
        boolean lines = kind.equals("lines");
        ServerOptions.Builder options = on(transport).framing(lines ? Framing.lines(8192) : Framing.lengthPrefixed(8192));
        if (!polling) {
            options.onReceive((c, d) -> c.send(d));
        }
        if (proxied) {
            options.proxyProtocol(ProxyProtocol.trusting("127.0.0.0/8"));
        }
        TcpServer server = TcpServer.create(options.build());
        server.start();
        Thread loop = polling ? Thread.ofVirtual().start(() -> Peers.echoUntilClosed(server)) : null;
        try (server; Peer client = connect(transport, server)) {
            OutputStream out = client.out();
            if (proxied) {
                out.write(Peers.bytes("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\n"));
            }
            byte[] message = message(lines);
            int first = message.length / 3;
            out.write(message, 0, first);
            out.flush();
            Peers.awaitCondition(() -> server.stats().bytesIn() >= first, Peers.WAIT,
                    () -> "the first part was not read: " + server.stats());

            CompletableFuture<Integer> closing = CompletableFuture.supplyAsync(() -> server.close(Duration.ofSeconds(10)));
            Peers.awaitCondition(() -> server.state() != ServerState.ACCEPTING, Peers.WAIT, () -> "the drain did not begin");
            // Not a synchronization: the scenario is a rest that comes later than the moment a drain gives a
            // read in progress to take what had arrived (Transports.INPUT_SETTLE).
            Thread.sleep(Transports.INPUT_SETTLE.multipliedBy(3));
            out.write(message, first, message.length - first);
            out.flush();

            assertArrayEquals(message, client.in().readNBytes(message.length), "answered whole");
            assertEquals(-1, client.in().read(), "then the connection ends");
            assertEquals(0, closing.get().intValue(), "nothing was cut off");
        } finally {
            if (loop != null) {
                loop.join(Duration.ofSeconds(5));
            }
        }
    }

    /**
     * The reader is not in a read when the drain begins: a callback still handles the message before,
     * and the part of the next one that came with it waits in the decoder. The reader's next read, made
     * inside that message once the input is ending, waits for the rest. (Over a Unix socket that read was
     * bounded like any other, and the rest, coming later, was dropped.)
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tcp", "unix"})
    void aMessageBegunWhileACallbackRunsWhenTheDrainBeginsIsWaitedFor(String transport) throws Exception {
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TcpServer server = TcpServer.create(on(transport).framing(Framing.lines(8192)).onReceive((c, d) -> {
            inCallback.countDown();
            try {
                release.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            c.send(d);
        }).build());
        server.start();
        try (server; Peer client = connect(transport, server)) {
            byte[] first = Peers.bytes("the message before\n");
            byte[] begun = Peers.bytes("the message begun when the drain began\n");
            int part = begun.length / 2;
            byte[] together = new byte[first.length + part];
            System.arraycopy(first, 0, together, 0, first.length);
            System.arraycopy(begun, 0, together, first.length, part);
            client.out().write(together);
            client.out().flush();
            org.junit.jupiter.api.Assertions.assertTrue(inCallback.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS),
                    "the first message's callback did not run");

            CompletableFuture<Integer> closing = CompletableFuture.supplyAsync(() -> server.close(Duration.ofSeconds(10)));
            Peers.awaitCondition(() -> server.state() != ServerState.ACCEPTING, Peers.WAIT, () -> "the drain did not begin");
            release.countDown();
            // Not a synchronization: the scenario is a rest that comes later than the moment a drain gives a
            // read to take what had arrived (Transports.INPUT_SETTLE).
            Thread.sleep(Transports.INPUT_SETTLE.multipliedBy(3));
            client.out().write(begun, part, begun.length - part);
            client.out().flush();

            assertArrayEquals(first, client.in().readNBytes(first.length), "the message before was answered");
            assertArrayEquals(begun, client.in().readNBytes(begun.length), "the begun one was answered whole");
            assertEquals(-1, client.in().read(), "then the connection ends");
            assertEquals(0, closing.get().intValue(), "nothing was cut off");
        }
    }

    private ServerOptions.Builder on(String transport) {
        return transport.equals("unix") ? ServerOptions.builder().unixSocket(dir.resolve("drain.sock")) : loopback();
    }

    /** A peer's two streams, over a TCP socket or a Unix domain socket channel. */
    private record Peer(InputStream in, OutputStream out, Closeable connection) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            connection.close();
        }
    }

    private Peer connect(String transport, TcpServer server) throws IOException {
        if (transport.equals("unix")) {
            SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("drain.sock")));
            return new Peer(Channels.newInputStream(channel), Channels.newOutputStream(channel), channel);
        }
        Socket socket = Peers.connect(server.localAddress().orElseThrow());
        return new Peer(socket.getInputStream(), socket.getOutputStream(), socket);
    }

    /** A message of the framing, as the echo sends it back. */
    private static byte[] message(boolean lines) {
        if (lines) {
            return "a line that arrives in parts, the drain beginning between them\n".getBytes(StandardCharsets.US_ASCII);
        }
        byte[] payload = Peers.pattern(7, 3000);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0);
        frame.write(0);
        frame.write(payload.length >>> 8);
        frame.write(payload.length & 0xff);
        frame.writeBytes(payload);
        return frame.toByteArray();
    }
}
