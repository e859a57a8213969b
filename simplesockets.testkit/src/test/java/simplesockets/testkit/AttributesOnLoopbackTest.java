package simplesockets.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.Attributes;
import simplesockets.api.ClientOptions;
import simplesockets.api.Connection;
import simplesockets.api.Framing;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;

/** Per-connection state on the in-memory network: the same engine, so the same rules as over sockets. */
@Timeout(30)
class AttributesOnLoopbackTest {

    private static final Attributes.Key<String> NAME = Attributes.Key.of("name", String.class);
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void eachClientKeepsItsOwnNameUntilItsDisconnectWasHandled() throws Exception {
        BlockingQueue<String> left = new LinkedBlockingQueue<>();
        BlockingQueue<Connection> ended = new LinkedBlockingQueue<>();
        try (LoopbackNetwork network = new LoopbackNetwork()) {
            TcpServer server = network.server(ServerOptions.builder().port(0).framing(Framing.lines(64))
                    .onReceive((connection, data) -> {
                        String line = new String(data, StandardCharsets.UTF_8);
                        Optional<String> previous = connection.attributes().set(NAME, line);
                        connection.send((previous.orElse("nobody") + " -> " + line).getBytes(StandardCharsets.UTF_8));
                    })
                    .onDisconnect((connection, reason) -> {
                        left.add(connection.attributes().get(NAME).orElse("?"));
                        ended.add(connection);
                    }).build());
            server.start();
            ClientOptions options = ClientOptions.builder().address(server.localAddress().orElseThrow())
                    .framing(Framing.lines(64)).build();
            try (TcpClient ann = network.client(options); TcpClient bob = network.client(options)) {
                ann.connect();
                bob.connect();
                ann.send("ann".getBytes(StandardCharsets.UTF_8));
                assertEquals("nobody -> ann", text(ann.receive(WAIT)));
                bob.send("bob".getBytes(StandardCharsets.UTF_8));
                assertEquals("nobody -> bob", text(bob.receive(WAIT)));
                ann.send("anna".getBytes(StandardCharsets.UTF_8));
                assertEquals("ann -> anna", text(ann.receive(WAIT)), "ann's map, not bob's");
                bob.disconnect();
                assertEquals("bob", left.poll(5, TimeUnit.SECONDS));
                Connection gone = ended.poll(5, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (gone.attributes().get(NAME).isPresent() && System.nanoTime() < deadline) {
                    // cleared right after onDisconnect returns, on the connection's thread: a bounded wait
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
                assertTrue(gone.attributes().get(NAME).isEmpty(), "cleared after the disconnect was handled");
                ann.send("again".getBytes(StandardCharsets.UTF_8));
                assertEquals("anna -> again", text(ann.receive(WAIT)));
            }
        }
    }

    private static String text(Optional<byte[]> data) {
        return new String(data.orElseThrow(), StandardCharsets.UTF_8);
    }
}
