package simplesockets.testkit;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpServer;
import simplesockets.testkit.junit.LoopbackExtension;

/**
 * Under {@code @TestInstance(PER_CLASS)} the constructor's network belongs to the class, as the
 * extension's javadoc says: each method is given that same network, still open.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LoopbackExtension.class)
class LoopbackExtensionPerClassTest {

    private final LoopbackNetwork network;

    LoopbackExtensionPerClassTest(LoopbackNetwork network) {
        this.network = network;
    }

    @Test
    void oneMethodGetsTheClasssNetwork(LoopbackNetwork given) throws Exception {
        assertSame(network, given);
        servesOn(given);
    }

    @Test
    void anotherMethodGetsTheSameOneStillOpen(LoopbackNetwork given) throws Exception {
        assertSame(network, given);
        servesOn(given);
    }

    private static void servesOn(LoopbackNetwork network) throws Exception {
        try (TcpServer server = network.server(ServerOptions.builder().port(0).build())) {
            server.start();
            assertTrue(server.localAddress().isPresent());
        }
    }
}
