package simplesockets.testkit;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.core.stateful.Command;
import org.quicktheories.generators.Generate;
import simplesockets.api.ClientOptions;
import simplesockets.api.ClientState;
import simplesockets.api.Framing;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;

/**
 * A stateful property of the client: connect, disconnect, reconnect, background receiving on and
 * off, request/response exchanges by {@code receive} and by drain, and shutdown, checked against a
 * model of its states ({@code state()}, {@code isConnected()}, {@code hasConnected()},
 * {@code isDisconnected()}), its data, and its callbacks (each connect and each disconnect exactly
 * once). On the loopback network and real sockets.
 */
@Timeout(600)
class ClientStateMachineTest {

    static final Duration WAIT = Duration.ofSeconds(5);
    static final Framing FRAMING = Framing.lengthPrefixed(64);

    record Model(ClientState state, boolean isConnected, boolean hasConnected, boolean isDisconnected,
            boolean autoReceive, String echoed, int failedSends, int illegalMoves, int connects, String disconnects) {
        static Model initial() {
            return new Model(ClientState.CREATED, false, false, false, false, "", 0, 0, 0, "");
        }

        Model connected() {
            return new Model(ClientState.CONNECTED, true, true, false, autoReceive, echoed, failedSends, illegalMoves,
                    connects + 1, disconnects);
        }

        Model disconnected() {
            // Every end here is the user's (disconnect, reconnect, close): each reported once, as ClosedByUs.
            return new Model(ClientState.DISCONNECTED, false, hasConnected, true, autoReceive, echoed, failedSends,
                    illegalMoves, connects, disconnects + "ClosedByUs|");
        }

        Model illegal() {
            return new Model(state, isConnected, hasConnected, isDisconnected, autoReceive, echoed, failedSends,
                    illegalMoves + 1, connects, disconnects);
        }
    }

    static final class Harness implements AutoCloseable {
        final Fixture fixture;
        final TcpClient client;
        final AtomicInteger connects = new AtomicInteger();
        /** Each disconnect's reason, in order: its kind's simple name, then "|". */
        final StringBuffer disconnects = new StringBuffer();
        final StringBuilder echoed = new StringBuilder();
        int failedSends;
        int illegalMoves;

        Harness(Fixture fixture) {
            this.fixture = fixture;
            TcpServer server = fixture.server(ServerOptions.builder().framing(FRAMING).onReceive((c, d) -> c.send(d)));
            try {
                server.start();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            // disconnect(), reconnect() and shutdown() wait for onDisconnect at most the close timeout: the model
            // reads the callbacks right after them, so the bound is one a loaded machine never reaches.
            this.client = fixture.client(ClientOptions.builder().address(server.localAddress().orElseThrow()).framing(FRAMING)
                    .closeTimeout(Duration.ofSeconds(5))
                    .onConnect(connects::incrementAndGet)
                    .onDisconnect(r -> disconnects.append(r.getClass().getSimpleName()).append('|')));
        }

        Model observe() {
            return new Model(client.state(), client.isConnected(), client.hasConnected(), client.isDisconnected(),
                    client.isAutoReceiving(), echoed.toString(), failedSends, illegalMoves, connects.get(),
                    disconnects.toString());
        }

        @Override
        public void close() {
            fixture.close();
        }
    }

    sealed interface Step extends Command<Harness, Model> {
        void act(Harness h) throws Exception;

        @Override
        default void run(Harness h) {
            try {
                act(h);
            } catch (IllegalStateException e) {
                h.illegalMoves++;
            } catch (Exception e) {
                throw new AssertionError(this + " failed", e);
            }
        }
    }

    record Connect() implements Step {
        public void act(Harness h) {
            try {
                h.client.connect();
            } catch (java.io.IOException e) {
                throw new AssertionError("connect failed: " + h.client.exceptions(), e);
            }
        }

        public Model nextState(Model m) {
            return switch (m.state()) {
                case CREATED, DISCONNECTED -> m.connected();
                case CONNECTED, CLOSED -> m.illegal();
            };
        }
    }

    record Disconnect() implements Step {
        public void act(Harness h) {
            h.client.disconnect();
        }

        public Model nextState(Model m) {
            return m.state() == ClientState.CONNECTED ? m.disconnected() : m;
        }
    }

    record Reconnect() implements Step {
        public void act(Harness h) {
            try {
                h.client.reconnect();
            } catch (java.io.IOException e) {
                throw new AssertionError("reconnect failed: " + h.client.exceptions(), e);
            }
        }

        public Model nextState(Model m) {
            return switch (m.state()) {
                case CONNECTED -> m.disconnected().connected();
                case CREATED, DISCONNECTED -> m.connected();
                case CLOSED -> m.illegal();
            };
        }
    }

    record AutoReceive(boolean on) implements Step {
        public void act(Harness h) {
            h.client.autoReceive(on);
        }

        public Model nextState(Model m) {
            return new Model(m.state(), m.isConnected(), m.hasConnected(), m.isDisconnected(), on, m.echoed(),
                    m.failedSends(), m.illegalMoves(), m.connects(), m.disconnects());
        }
    }

    /** Sends a message to the echo server and reads the echo, by {@code receive} or by drain. */
    record Exchange(String text, boolean byDrain) implements Step {
        public void act(Harness h) throws InterruptedException {
            try {
                h.client.send(text.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                h.failedSends++;
                return;
            }
            String got;
            if (byDrain) {
                List<byte[]> pieces = h.client.awaitReceived(WAIT);
                got = pieces.isEmpty() ? "<nothing>" : new String(pieces.getFirst(), StandardCharsets.UTF_8);
            } else {
                got = h.client.receive(WAIT).map(d -> new String(d, StandardCharsets.UTF_8)).orElse("<nothing>");
            }
            h.echoed.append(got).append('|');
        }

        public Model nextState(Model m) {
            if (m.state() != ClientState.CONNECTED) {
                return new Model(m.state(), m.isConnected(), m.hasConnected(), m.isDisconnected(), m.autoReceive(),
                        m.echoed(), m.failedSends() + 1, m.illegalMoves(), m.connects(), m.disconnects());
            }
            return new Model(m.state(), m.isConnected(), m.hasConnected(), m.isDisconnected(), m.autoReceive(),
                    m.echoed() + text + "|", m.failedSends(), m.illegalMoves(), m.connects(), m.disconnects());
        }
    }

    record Shutdown() implements Step {
        public void act(Harness h) {
            h.client.shutdown();
        }

        public Model nextState(Model m) {
            Model ended = m.state() == ClientState.CONNECTED ? m.disconnected() : m;
            return new Model(ClientState.CLOSED, false, ended.hasConnected(), ended.isDisconnected(), ended.autoReceive(),
                    ended.echoed(), ended.failedSends(), ended.illegalMoves(), ended.connects(), ended.disconnects());
        }
    }

    static Gen<Step> steps() {
        Gen<String> texts = Generate.range(1, 20).map(n -> "m" + n);
        return Generate.frequency(List.of(
                Pair.of(4, Generate.constant(new Connect())),
                Pair.of(2, Generate.constant(new Disconnect())),
                Pair.of(2, Generate.constant(new Reconnect())),
                Pair.of(2, Generate.booleans().map(AutoReceive::new)),
                Pair.of(6, texts.zip(Generate.booleans(), Exchange::new)),
                Pair.of(1, Generate.constant(new Shutdown()))));
    }

    static Stream<Arguments> fixtures() {
        return Fixture.both(500, 100);
    }

    @ParameterizedTest(name = "{0}: {2} sequences")
    @MethodSource("fixtures")
    void clientMatchesTheModelAfterEveryStep(String name, Supplier<Fixture> fixtures, int examples) {
        qt().withExamples(examples).withShrinkCycles(50)
                .forAll(lists().of(steps()).ofSizeBetween(1, 25))
                .checkAssert(steps -> ModelCheck.run(Model.initial(), steps, () -> new Harness(fixtures.get()),
                        Harness::observe));
    }
}
