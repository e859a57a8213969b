package simplesockets.testkit;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.ByteBuffer;
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
import simplesockets.api.Failure;
import simplesockets.api.Framing;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpServer;

/**
 * A stateful property of the exception list: failures from throwing callbacks, reads with every
 * combination of the seed's {@code delete} and {@code reset}, the bound and its dropped count, and
 * the {@code hasExceptions()} flag, against a model. On the loopback network and real sockets.
 */
@Timeout(600)
class ExceptionStateMachineTest {

    static final int MAX = 4;
    static final Duration WAIT = Duration.ofSeconds(5);

    /** What a test can observe of the exception list. */
    record Model(List<String> kept, long dropped, boolean flag, List<String> lastRead, int raised) {
        static Model initial() {
            return new Model(List.of(), 0, false, List.of(), 0);
        }
    }

    static final class Harness implements AutoCloseable {
        final Fixture fixture;
        final TcpServer server;
        final Fixture.Peer peer;
        final AtomicInteger recorded = new AtomicInteger();
        final ServerStateMachineTest.ReentrantSignal signal = new ServerStateMachineTest.ReentrantSignal();
        List<String> lastRead = List.of();
        int raised;

        Harness(Fixture fixture) {
            this.fixture = fixture;
            this.server = fixture.server(ServerOptions.builder()
                    .maxRecordedFailures(MAX)
                    .framing(Framing.lengthPrefixed(8))
                    .onReceive((c, d) -> {
                        throw new IllegalStateException("f" + ByteBuffer.wrap(d).getInt());
                    })
                    .onFailure(f -> {
                        recorded.incrementAndGet();
                        signal.fire();
                    }));
            try {
                server.start();
                this.peer = fixture.dial(server.localAddress().orElseThrow());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        static String describe(Failure failure) {
            return failure instanceof Failure.Callback cb ? cb.callback().builderMethod() + ":" + cb.cause().getMessage()
                    : failure.toString();
        }

        Model observe() {
            List<String> kept = server.exceptions().stream().map(Harness::describe).toList();
            return new Model(kept, server.droppedExceptions(), server.hasExceptions(), lastRead, raised);
        }

        @Override
        public void close() {
            fixture.close();
        }
    }

    sealed interface Step extends Command<Harness, Model> {
    }

    /** The peer sends {@code n} messages in one write; each makes {@code onReceive} throw once. */
    record Raise(int n) implements Step {
        @Override
        public void run(Harness h) {
            ByteBuffer frames = ByteBuffer.allocate(n * 8);
            for (int i = 0; i < n; i++) {
                frames.putInt(4).putInt(h.raised + i);
            }
            try {
                h.peer.send(frames.array());
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            h.raised += n;
            int target = h.raised;
            h.signal.await(() -> h.recorded.get() >= target, WAIT);
        }

        @Override
        public Model nextState(Model m) {
            List<String> kept = new ArrayList<>(m.kept());
            long dropped = m.dropped();
            for (int i = 0; i < n; i++) {
                if (kept.size() == MAX) {
                    kept.removeFirst();
                    dropped++;
                }
                kept.add("onReceive:f" + (m.raised() + i));
            }
            return new Model(List.copyOf(kept), dropped, true, m.lastRead(), m.raised() + n);
        }
    }

    /** The seed's {@code return_exceptions(delete, reset)}. */
    record Read(boolean delete, boolean reset) implements Step {
        @Override
        public void run(Harness h) {
            h.lastRead = h.server.exceptions(delete, reset).stream().map(Harness::describe).toList();
        }

        @Override
        public Model nextState(Model m) {
            return new Model(delete ? List.of() : m.kept(), m.dropped(), !reset && m.flag(), m.kept(), m.raised());
        }
    }

    static Gen<Step> steps() {
        Gen<Boolean> flags = Generate.booleans();
        return Generate.frequency(List.of(
                Pair.of(3, Generate.range(1, 3).map(Raise::new)),
                Pair.of(2, flags.zip(flags, Read::new))));
    }

    static Stream<Arguments> fixtures() {
        return Fixture.both(300, 60);
    }

    @ParameterizedTest(name = "{0}: {2} sequences")
    @MethodSource("fixtures")
    void exceptionListMatchesTheModel(String name, Supplier<Fixture> fixtures, int examples) {
        qt().withExamples(examples).withShrinkCycles(50)
                .forAll(lists().of(steps()).ofSizeBetween(1, 20))
                .checkAssert(steps -> ModelCheck.run(Model.initial(), steps, () -> new Harness(fixtures.get()),
                        Harness::observe));
    }
}
