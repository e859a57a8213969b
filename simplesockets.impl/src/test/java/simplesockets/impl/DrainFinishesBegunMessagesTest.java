package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static simplesockets.impl.Peers.loopback;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import simplesockets.api.Framing;
import simplesockets.api.ProxyProtocol;
import simplesockets.api.ServerOptions;
import simplesockets.api.ServerState;
import simplesockets.api.TcpServer;

/**
 * A graceful close that begins while a framed message is arriving (a balancer forwards a request in
 * parts, and the drain starts between them) waits for the rest of that message within the grace,
 * answers it whole, and only then ends the connection. Raw data has no messages to wait for; see
 * {@link DrainKeepsArrivedBytesTest}.
 */
@Timeout(60)
class DrainFinishesBegunMessagesTest {

    @ParameterizedTest(name = "{0} framing, polling: {1}, behind a PROXY header: {2}")
    @CsvSource({"length, true, false", "length, false, false", "lines, true, false", "lines, false, false",
            "length, true, true", "length, false, true"})
    void aMessageBegunWhenTheDrainBeginsIsWaitedForAndAnsweredWhole(String kind, boolean polling, boolean proxied)
            throws Exception {
        boolean lines = kind.equals("lines");
        ServerOptions.Builder options = loopback().framing(lines ? Framing.lines(8192) : Framing.lengthPrefixed(8192));
        if (!polling) {
            options.onReceive((c, d) -> c.send(d));
        }
        if (proxied) {
            options.proxyProtocol(ProxyProtocol.trusting("127.0.0.0/8"));
        }
        TcpServer server = TcpServer.create(options.build());
        server.start();
        Thread loop = polling ? Thread.ofVirtual().start(() -> Peers.echoUntilClosed(server)) : null;
        try (server; Socket client = Peers.connect(server.localAddress().orElseThrow())) {
            OutputStream out = client.getOutputStream();
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

            assertArrayEquals(message, Peers.readExactly(client, message.length), "answered whole");
            assertEquals(-1, client.getInputStream().read(), "then the connection ends");
            assertEquals(0, closing.get().intValue(), "nothing was cut off");
        } finally {
            if (loop != null) {
                loop.join(Duration.ofSeconds(5));
            }
        }
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
