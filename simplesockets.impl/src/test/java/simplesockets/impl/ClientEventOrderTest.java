package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.ClientEvent;
import simplesockets.api.ClientOptions;
import simplesockets.api.TcpClient;

/**
 * A client connected again reports the end of its last connection before the new connection, even
 * when that end takes a while to report (its last sends are still being written). Before, the state
 * said disconnected at once, a {@code connect()} then reported {@code Connected} at once, and the old
 * connection's {@code Disconnected} came after it, as if the new one had ended.
 */
@Timeout(60)
class ClientEventOrderTest {

    @Test
    void theLastConnectionsEndIsReportedBeforeTheNextConnection() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TcpClient client = TcpClient.create(ClientOptions.builder().host("127.0.0.1").port(listener.getLocalPort())
                        .autoReceive(true).closeTimeout(Duration.ofSeconds(2)).build())) {
            client.connect();
            try (Socket first = listener.accept()) {
                // More than the kernels hold for a server that does not read: the writer is still at it...
                client.send(new byte[16 << 20]);
                first.shutdownOutput(); // ...when the server ends its side: the client's end is decided at once
                Peers.awaitCondition(() -> !client.isConnected(), Peers.WAIT, () -> "the end was not seen");
                client.connect(); // reconnecting, as a user's loop does when it finds the client disconnected
                try (Socket second = listener.accept()) {
                    List<Class<?>> kinds = new ArrayList<>();
                    while (kinds.size() < 3) {
                        Optional<ClientEvent> event = client.awaitEvent(Peers.WAIT);
                        if (event.isEmpty()) {
                            break;
                        }
                        if (!(event.get() instanceof ClientEvent.Failed)) {
                            kinds.add(event.get().getClass());
                        }
                    }
                    assertEquals(List.of(ClientEvent.Connected.class, ClientEvent.Disconnected.class,
                            ClientEvent.Connected.class), kinds, "the first connection's end, then the second connection");
                }
            }
        }
    }
}
