package simplesockets.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import simplesockets.api.ClientOptions;
import simplesockets.api.Framing;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;
import simplesockets.testkit.junit.LoopbackExtension;

/** The README's testkit example, verbatim, so that it keeps compiling and passing. */
@ExtendWith(LoopbackExtension.class)
class ReadmeExampleTest {
    @Test
    void echoesEvenWhenTheNetworkSplitsEveryByte(LoopbackNetwork network) throws Exception {
        TcpServer server = network.server(ServerOptions.builder().port(0)
                .framing(Framing.lengthPrefixed(1024))
                .onReceive((connection, data) -> connection.send(data)).build());
        server.start();
        network.faultNextConnection(new Fault.Fragment(Direction.CLIENT_TO_SERVER, 1));
        TcpClient client = network.client(ClientOptions.builder().address(server.localAddress().orElseThrow())
                .framing(Framing.lengthPrefixed(1024)).build());
        client.connect();
        client.send("ping".getBytes(StandardCharsets.UTF_8));
        assertEquals("ping", new String(client.receive(Duration.ofSeconds(1)).orElseThrow(), StandardCharsets.UTF_8));
        assertArrayEquals(new byte[] {0, 0, 0, 4, 'p', 'i', 'n', 'g'},
                network.takeWire(Duration.ofSeconds(1)).orElseThrow().take(Direction.CLIENT_TO_SERVER, Duration.ofSeconds(1)).orElseThrow());
    }
}
