package simplesockets.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import simplesockets.api.ServerOptions;
import simplesockets.api.ServerState;
import simplesockets.api.TcpServer;
import simplesockets.testkit.junit.LoopbackExtension;

/**
 * A network given to the test class's constructor is as fresh as one given to a test method: each test
 * gets its own, and it is closed, with what was made on it, after that test. Before, JUnit resolved a
 * constructor's parameter in the class's context, so every test shared one network, closed only after
 * the last.
 */
@ExtendWith(LoopbackExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConstructorInjectionTest {

    private static final AtomicReference<LoopbackNetwork> FIRST_NETWORK = new AtomicReference<>();
    private static final AtomicReference<TcpServer> FIRST_SERVER = new AtomicReference<>();

    private final LoopbackNetwork network;

    ConstructorInjectionTest(LoopbackNetwork network) {
        this.network = network;
    }

    @Test
    @Order(1)
    void theFirstTestMakesAServer() throws Exception {
        TcpServer server = network.server(ServerOptions.builder().port(0).build());
        server.start();
        FIRST_NETWORK.set(network);
        FIRST_SERVER.set(server);
    }

    @Test
    @Order(2)
    void theSecondTestHasAFreshNetworkAndTheFirstOneWasClosed() {
        assertNotSame(FIRST_NETWORK.get(), network, "a network of its own");
        assertEquals(ServerState.CLOSED, FIRST_SERVER.get().state(), "the first test's network closed after it");
    }
}
