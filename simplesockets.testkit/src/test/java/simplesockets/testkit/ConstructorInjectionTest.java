package simplesockets.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
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
 *
 * <p>Each test records what it made in a static list and checks, whatever the order the tests run in,
 * that its network is none of the earlier tests' and holds nothing of theirs: no connection, no server
 * listening. After all of them, whichever ran, {@link #everyNetworkWasClosedAfterItsTest} checks that
 * each test's server was closed with its network, which a test cannot see from inside itself.
 */
@ExtendWith(LoopbackExtension.class)
class ConstructorInjectionTest {

    /** What one test saw and made: its network, the server it started there, and that server's address. */
    private record Seen(String test, LoopbackNetwork network, TcpServer server, InetSocketAddress address) {
    }

    private static final List<Seen> SEEN = new ArrayList<>();
    private static final List<LoopbackNetwork> CONSTRUCTED_WITH = new ArrayList<>();

    private final LoopbackNetwork network;

    ConstructorInjectionTest(LoopbackNetwork network) {
        this.network = network;
        synchronized (CONSTRUCTED_WITH) {
            CONSTRUCTED_WITH.add(network);
        }
    }

    /** One test: its network is fresh, and the network a method parameter gets is the same one. */
    @Test
    void oneTestGetsAFreshNetwork(LoopbackNetwork parameter) throws Exception {
        assertSame(network, parameter, "the constructor's and the method's network are the test's one network");
        checkFreshThenUse("one");
    }

    /** Another test, the same checks: whichever of the two runs second sees the other's leftovers, if any. */
    @Test
    void anotherTestGetsAFreshNetwork() throws Exception {
        checkFreshThenUse("another");
    }

    /**
     * Checks that this test's network is none that an earlier test saw and holds nothing of theirs,
     * then leaves something on it for a later test to look for: a listening server, and a connection
     * to it not taken with {@link LoopbackNetwork#takeWire}.
     */
    private void checkFreshThenUse(String test) throws Exception {
        List<Seen> earlier;
        synchronized (SEEN) {
            earlier = List.copyOf(SEEN);
        }
        for (Seen seen : earlier) {
            assertNotSame(seen.network(), network, test + ": a network of its own, not " + seen.test() + "'s");
            assertThrows(ConnectException.class, () -> network.dial(seen.address()),
                    test + ": nothing listens where " + seen.test() + "'s server did");
        }
        assertTrue(network.takeWire(Duration.ZERO).isEmpty(), test + ": no connection made before this test");

        TcpServer server = network.server(ServerOptions.builder().port(0).build());
        server.start();
        InetSocketAddress address = server.localAddress().orElseThrow();
        network.dial(address); // left for a later test, on a shared network, to find
        synchronized (SEEN) {
            SEEN.add(new Seen(test, network, server, address));
        }
    }

    /**
     * Each test's network was constructed for it alone, and closed after it with its server, which no
     * longer listens: the extension's part after each test, checked once they are all done.
     */
    @AfterAll
    static void everyNetworkWasClosedAfterItsTest() {
        List<Seen> seen;
        synchronized (SEEN) {
            seen = List.copyOf(SEEN);
        }
        assertFalse(seen.isEmpty(), "at least one test ran");
        synchronized (CONSTRUCTED_WITH) {
            assertEquals(seen.size(), CONSTRUCTED_WITH.size(), "one instance per test");
            assertEquals(seen.size(), CONSTRUCTED_WITH.stream().distinct().count(), "each with a network of its own");
        }
        for (Seen s : seen) {
            assertEquals(ServerState.CLOSED, s.server().state(), s.test() + "'s server closed with its network");
            assertThrows(ConnectException.class, () -> s.network().dial(s.address()),
                    s.test() + "'s server no longer listens");
        }
    }
}
