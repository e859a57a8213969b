package simplesockets.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import simplesockets.api.ClientOptions;
import simplesockets.api.Framing;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;

/**
 * A load-style run of the core, on both transports, under the pinning recorder: many clients, many
 * concurrent request/response exchanges, and no virtual thread may pin its carrier.
 */
@Timeout(120)
class LoadTest {

    private static final int CLIENTS = 50;
    private static final int ROUNDS = 100;

    static Stream<Supplier<Fixture>> fixtures() {
        return Fixture.all().stream();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void manyClientsEchoWithoutPinning(Supplier<Fixture> make) throws Exception {
        // One echo first, unrecorded: a virtual thread is pinned while the JDK loads and initializes a
        // class, so in a fresh JVM (this test run alone) the first use of each class on the path would
        // be reported, which says nothing about the engine.
        try (Fixture warm = make.get()) {
            TcpServer server = warm.server(ServerOptions.builder().framing(Framing.lengthPrefixed(4096))
                    .onReceive((c, d) -> c.send(d)));
            server.start();
            TcpClient client = warm.client(ClientOptions.builder().address(server.localAddress().orElseThrow())
                    .framing(Framing.lengthPrefixed(4096)));
            client.connect();
            client.send(new byte[64]);
            assertArrayEquals(new byte[64], client.receive(Duration.ofSeconds(10)).orElseThrow());
        }
        AtomicInteger served = new AtomicInteger();
        try (PinningRecorder pinning = new PinningRecorder(); Fixture fixture = make.get()) {
            TcpServer server = fixture.server(ServerOptions.builder().backlog(CLIENTS)
                    .framing(Framing.lengthPrefixed(4096))
                    .onReceive((c, d) -> {
                        served.incrementAndGet();
                        c.send(d);
                    }));
            server.start();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                TcpClient client = fixture.client(ClientOptions.builder().address(server.localAddress().orElseThrow())
                        .framing(Framing.lengthPrefixed(4096)));
                client.connect();
                int id = i;
                threads.add(Thread.ofVirtual().name("load-client-" + i).start(() -> {
                    for (int round = 0; round < ROUNDS; round++) {
                        byte[] request = new byte[64 + (id * 31 + round) % 512];
                        request[0] = (byte) id;
                        request[1] = (byte) round;
                        try {
                            client.send(request);
                            assertArrayEquals(request, client.receive(Duration.ofSeconds(10)).orElseThrow());
                        } catch (IOException | InterruptedException e) {
                            throw new AssertionError(e);
                        }
                    }
                }));
            }
            for (Thread thread : threads) {
                assertTrue(thread.join(Duration.ofSeconds(60)), "a client did not finish");
            }
            assertEquals(CLIENTS * ROUNDS, served.get());
            assertTrue(server.exceptions().isEmpty(), () -> server.exceptions().toString());
        }
    }
}
