package simplesockets.testkit;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.quicktheories.core.Gen;
import org.quicktheories.core.stateful.Command;
import org.quicktheories.generators.Generate;
import simplesockets.api.DisconnectReason;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.ServerState;
import simplesockets.api.TcpServer;

/**
 * A stateful property of the server: random sequences of lifecycle moves (start, stop, exitAccept,
 * restart, close), peers connecting, sending, closing and resetting, and drains, checked after every
 * step against a model. It runs on the loopback network and on real sockets.
 *
 * <p>After every step the observed server must equal the model, which encodes the invariants:
 * the state is the legal one (and an illegal move threw); {@code hasNewData()} is true exactly when
 * undrained data exists; drained data equals, byte for byte and in order per connection, what the
 * peers sent; {@code clients()} never exceeds {@code maxConnections}; and each connection's
 * {@code onConnect} and {@code onDisconnect} fired exactly once, with the right reason.
 *
 * <p>The polled variant takes the same server's events from its queue instead of callbacks, the
 * tutorial's way, all of them in order ({@code awaitEvent}): each connection's {@code Connected} comes
 * once and before its data, its data before its one {@code Disconnected}, and no failure is queued.
 * There, a connect to a full server while one of its peers has closed is not tried: that connection
 * ends once the application has taken its data, which a wait for any later event does, so whether its
 * slot is free yet races.
 */
@Timeout(600)
class ServerStateMachineTest {

    static final int SLOTS = 3;
    static final int MAX_CONNECTIONS = 2;
    static final Duration WAIT = Duration.ofSeconds(5);
    /** How long one polled wait for an event lasts before the condition is asked again. */
    static final long WAIT_STEP = Duration.ofMillis(50).toNanos();
    /** How often a polled wait on a closed server, whose queue no longer blocks, looks again. */
    static final long CLOSED_STEP = Duration.ofMillis(10).toNanos();

    /** One peer slot, as the model and the observation both describe it. */
    record Slot(boolean connected, boolean peerClosed, String sent, String drained, String endedBy) {
        static final Slot EMPTY = new Slot(false, false, "", "", "");

        boolean live() {
            return connected;
        }

        boolean canSend() {
            return connected && !peerClosed;
        }
    }

    /**
     * The model: everything a test can observe of the server, plus what the peers did, and whether the
     * application polls its events.
     */
    record Model(boolean polled, ServerState state, List<Slot> slots, int illegalMoves, boolean hasNewData,
            int clients, int callbackViolations) {

        static Model initial(boolean polled) {
            return new Model(polled, ServerState.CREATED, Collections.nCopies(SLOTS, Slot.EMPTY), 0, false, 0, 0);
        }

        int live() {
            return (int) slots.stream().filter(Slot::live).count();
        }

        Model with(ServerState newState) {
            return new Model(polled, newState, slots, illegalMoves, hasNewData, clients, callbackViolations);
        }

        Model illegal() {
            return new Model(polled, state, slots, illegalMoves + 1, hasNewData, clients, callbackViolations);
        }

        Model withSlot(int i, Slot slot) {
            List<Slot> copy = new ArrayList<>(slots);
            copy.set(i, slot);
            return derive(state, copy, illegalMoves);
        }

        /** Recomputes the derived observations from the slots. */
        Model derive(ServerState state, List<Slot> slots, int illegalMoves) {
            boolean undrained = slots.stream().anyMatch(s -> !s.sent().equals(s.drained()));
            int clients = (int) slots.stream().filter(Slot::live).count();
            return new Model(polled, state, List.copyOf(slots), illegalMoves, undrained, clients, 0);
        }

        /** Every sent byte drained; peers that closed are then gone with "peer closed". */
        Model drained() {
            List<Slot> copy = new ArrayList<>();
            for (Slot s : slots) {
                boolean gone = s.connected() && s.peerClosed();
                copy.add(new Slot(s.connected() && !gone, s.peerClosed(), s.sent(), s.sent(),
                        gone ? reason(DisconnectReason.PEER_CLOSED) : s.endedBy()));
            }
            return derive(state, copy, illegalMoves);
        }
    }

    static String reason(DisconnectReason reason) {
        return reason.getClass().getSimpleName();
    }

    // ---- the system under test, with the bookkeeping a test does ----

    static final class Harness implements AutoCloseable {
        final Fixture fixture;
        final TcpServer server;
        final Fixture.Peer[] peers = new Fixture.Peer[SLOTS];
        final InetSocketAddress[] addresses = new InetSocketAddress[SLOTS];
        final StringBuilder[] drained = new StringBuilder[SLOTS];
        final String[] endedBy = new String[SLOTS];
        final boolean[] peerClosed = new boolean[SLOTS];
        final String[] sent = new String[SLOTS];
        final Map<InetSocketAddress, AtomicInteger> connects = new ConcurrentHashMap<>();
        final Map<InetSocketAddress, AtomicInteger> disconnects = new ConcurrentHashMap<>();
        final Map<InetSocketAddress, DisconnectReason> reasons = new ConcurrentHashMap<>();
        final AtomicInteger violations = new AtomicInteger();
        final ReentrantSignal signal = new ReentrantSignal();
        /** Whether events are polled from the queue rather than called back. */
        final boolean polling;
        /** Data a polled wait took before a drain asked for it: the application holds it. */
        final List<ServerEvent.Received> held = new ArrayList<>();
        InetSocketAddress bound;
        int illegalMoves;
        Model model;

        Harness(Fixture fixture) {
            this(fixture, false);
        }

        Harness(Fixture fixture, boolean polling) {
            this.fixture = fixture;
            this.polling = polling;
            this.model = Model.initial(polling);
            ServerOptions.Builder options = ServerOptions.builder().maxConnections(MAX_CONNECTIONS)
                    .halfCloseGrace(Duration.ZERO);
            this.server = fixture.server(polling ? options : options
                    .onConnect(c -> {
                        connects.computeIfAbsent(c.remoteAddress(), k -> new AtomicInteger()).incrementAndGet();
                        if (server().clients().size() > MAX_CONNECTIONS) {
                            violations.incrementAndGet();
                        }
                        signal.fire();
                    })
                    .onDisconnect((c, r) -> {
                        // The reason first: a waiter that sees the count must find the reason.
                        reasons.put(c.remoteAddress(), r);
                        disconnects.computeIfAbsent(c.remoteAddress(), k -> new AtomicInteger()).incrementAndGet();
                        signal.fire();
                    }));
            for (int i = 0; i < SLOTS; i++) {
                drained[i] = new StringBuilder();
                endedBy[i] = "";
                sent[i] = "";
            }
        }

        TcpServer server() {
            return server;
        }

        Model observe() {
            List<Slot> slots = new ArrayList<>();
            int callbackViolations = violations.get();
            for (int i = 0; i < SLOTS; i++) {
                InetSocketAddress a = addresses[i];
                // Polled, a closed peer's Disconnected may be taken with the data before it (held, not yet
                // drained): for the model, which ends such a peer once its data is drained, it is still live.
                boolean endSeenEarly = polling && peerClosed[i] && !drained[i].toString().equals(sent[i]);
                boolean connected = a != null && count(connects, a) == 1 && (count(disconnects, a) == 0 || endSeenEarly);
                if (a != null && (count(connects, a) > 1 || count(disconnects, a) > 1)) {
                    callbackViolations++;
                }
                slots.add(new Slot(connected, peerClosed[i], sent[i], drained[i].toString(), endedBy[i]));
            }
            int clients = server.clients().size();
            if (clients > MAX_CONNECTIONS) {
                callbackViolations++;
            }
            if (polling) {
                // A peer's close ends its connection when the server reads it, ahead of the application,
                // which sees its Disconnected only after the data before it: clients() may have let go of
                // a connection whose peer closed while its events still wait, and of no other.
                int live = (int) slots.stream().filter(Slot::live).count();
                int closing = (int) slots.stream().filter(slot -> slot.live() && slot.peerClosed()).count();
                if (clients > live || clients < live - closing) {
                    callbackViolations++;
                }
                clients = live;
            }
            // Polled: data a wait took and the application holds is new data too.
            return new Model(polling, server.state(), List.copyOf(slots), illegalMoves, server.hasNewData() || !held.isEmpty(),
                    clients, callbackViolations);
        }

        static int count(Map<InetSocketAddress, AtomicInteger> counts, InetSocketAddress a) {
            AtomicInteger n = counts.get(a);
            return n == null ? 0 : n.get();
        }

        /** Drains until every slot has drained what it sent, then waits for closed peers' disconnects. */
        void drainAll() {
            long deadline = System.nanoTime() + WAIT.toNanos();
            try {
                while (polling && !drainHeld() && System.nanoTime() < deadline) {
                    server.awaitEvent(Duration.ofMillis(50)).ifPresent(this::take);
                }
                while (!allDrained() && System.nanoTime() < deadline) {
                    for (ServerEvent.Received r : server.awaitReceived(Duration.ofMillis(50))) {
                        int slot = slotOf(r.address());
                        if (slot < 0) {
                            violations.incrementAndGet(); // data from nobody we know
                        } else {
                            drained[slot].append(new String(r.data(), StandardCharsets.ISO_8859_1));
                        }
                    }
                }
                for (int i = 0; i < SLOTS; i++) {
                    if (addresses[i] != null && peerClosed[i] && endedBy[i].isEmpty()) {
                        awaitDisconnect(i);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /** Appends the data held to what each slot drained; returns whether every slot has drained all it sent. */
        boolean drainHeld() {
            for (ServerEvent.Received r : held) {
                int slot = slotOf(r.address());
                if (slot < 0) {
                    violations.incrementAndGet(); // its slot was given to another connection first
                } else {
                    drained[slot].append(new String(r.data(), StandardCharsets.ISO_8859_1));
                }
            }
            held.clear();
            return allDrained();
        }

        /** A polled event, in the queue's order: counted, and checked against the events before it. */
        void take(ServerEvent event) {
            switch (event) {
                case ServerEvent.Connected c -> {
                    connects.computeIfAbsent(c.connection().remoteAddress(), k -> new AtomicInteger()).incrementAndGet();
                    if (server.clients().size() > MAX_CONNECTIONS) {
                        violations.incrementAndGet();
                    }
                }
                case ServerEvent.Received r -> {
                    InetSocketAddress a = r.address();
                    if (slotOf(a) < 0 || count(connects, a) != 1 || count(disconnects, a) != 0) {
                        violations.incrementAndGet(); // data from nobody we know, before its connect or after its end
                    } else {
                        held.add(r);
                    }
                }
                case ServerEvent.Disconnected d -> {
                    InetSocketAddress a = d.connection().remoteAddress();
                    if (count(connects, a) != 1) {
                        violations.incrementAndGet(); // an end before its start
                    }
                    reasons.put(a, d.reason());
                    disconnects.computeIfAbsent(a, k -> new AtomicInteger()).incrementAndGet();
                }
                case ServerEvent.Failed f -> violations.incrementAndGet(); // nothing here fails
            }
        }

        /**
         * Waits until {@code condition} holds, at most {@link #WAIT}: on the callbacks' signal, or, polled,
         * taking events in order meanwhile. Returns whether it held.
         */
        boolean await(java.util.function.BooleanSupplier condition) {
            if (!polling) {
                return signal.await(condition, WAIT);
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            try {
                while (!condition.getAsBoolean()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    Optional<ServerEvent> event = server.awaitEvent(Duration.ofNanos(Math.min(left, WAIT_STEP)));
                    if (event.isEmpty() && server.state() == ServerState.CLOSED) {
                        // Closed with nothing queued, so a wait returns at once: a connection's thread that the
                        // close stopped waiting for may still queue its end. Looked at again every 10 ms.
                        java.util.concurrent.locks.LockSupport.parkNanos(Math.min(left, CLOSED_STEP));
                        continue;
                    }
                    event.ifPresent(this::take);
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        boolean allDrained() {
            for (int i = 0; i < SLOTS; i++) {
                if (!drained[i].toString().equals(sent[i])) {
                    return false;
                }
            }
            return true;
        }

        int slotOf(InetSocketAddress address) {
            for (int i = 0; i < SLOTS; i++) {
                if (address.equals(addresses[i])) {
                    return i;
                }
            }
            return -1;
        }

        void awaitDisconnect(int slot) {
            InetSocketAddress a = addresses[slot];
            await(() -> count(disconnects, a) > 0);
            DisconnectReason r = reasons.get(a);
            endedBy[slot] = r == null ? "" : reason(r);
        }

        @Override
        public void close() {
            for (Fixture.Peer peer : peers) {
                if (peer != null) {
                    try {
                        peer.close();
                    } catch (RuntimeException e) {
                        // already gone
                    }
                }
            }
            fixture.close();
        }
    }

    /** A condition variable for the callbacks: waits are bounded and never spin. */
    static final class ReentrantSignal {
        private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
        private final java.util.concurrent.locks.Condition changed = lock.newCondition();

        void fire() {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        boolean await(java.util.function.BooleanSupplier condition, Duration timeout) {
            long nanos = timeout.toNanos();
            lock.lock();
            try {
                while (!condition.getAsBoolean()) {
                    if (nanos <= 0) {
                        return false;
                    }
                    nanos = changed.awaitNanos(nanos);
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                lock.unlock();
            }
        }
    }

    // ---- commands: each runs on the harness, then moves the model with the same rule ----

    /** A step: {@link #act} drives the real server; {@link #next} is the model's rule for it. */
    sealed interface Step extends Command<Harness, Model> {
        void act(Harness h, Model before) throws Exception;

        Model next(Model before);

        @Override
        default void run(Harness h) {
            Model before = h.model;
            try {
                act(h, before);
            } catch (IllegalStateException e) {
                h.illegalMoves++;
            } catch (Exception e) {
                throw new AssertionError(this + " failed", e);
            }
            h.model = next(before);
        }

        @Override
        default Model nextState(Model before) {
            return next(before);
        }
    }

    record Start() implements Step {
        public void act(Harness h, Model m) throws IOException {
            h.server.start();
            h.bound = h.server.localAddress().orElseThrow();
        }

        public Model next(Model m) {
            return switch (m.state()) {
                case CREATED, PAUSED, ACCEPTING -> m.with(ServerState.ACCEPTING);
                case KILLED, CLOSED -> m.illegal();
            };
        }
    }

    record Stop() implements Step {
        public void act(Harness h, Model m) {
            h.server.stop();
        }

        public Model next(Model m) {
            return switch (m.state()) {
                case ACCEPTING, PAUSED -> m.with(ServerState.PAUSED);
                case CREATED, KILLED, CLOSED -> m.illegal();
            };
        }
    }

    record ExitAccept() implements Step {
        public void act(Harness h, Model m) {
            h.server.exitAccept();
        }

        public Model next(Model m) {
            return switch (m.state()) {
                case ACCEPTING, PAUSED, KILLED -> m.with(ServerState.KILLED);
                case CREATED, CLOSED -> m.illegal();
            };
        }
    }

    record Restart() implements Step {
        public void act(Harness h, Model m) throws IOException {
            h.server.restart();
        }

        public Model next(Model m) {
            return m.state() == ServerState.KILLED ? m.with(ServerState.ACCEPTING) : m.illegal();
        }
    }

    record Close() implements Step {
        public void act(Harness h, Model m) {
            h.drainAll();
            h.server.close(); // joins every thread: the disconnects have fired when it returns
            for (int i = 0; i < SLOTS; i++) {
                if (m.slots().get(i).live() && !m.slots().get(i).peerClosed()) {
                    h.awaitDisconnect(i);
                }
            }
        }

        public Model next(Model m) {
            Model drained = m.drained();
            List<Slot> slots = new ArrayList<>();
            for (Slot s : drained.slots()) {
                slots.add(s.live() ? new Slot(false, s.peerClosed(), s.sent(), s.drained(),
                        reason(DisconnectReason.CLOSED_BY_US)) : s);
            }
            return m.derive(ServerState.CLOSED, slots, m.illegalMoves());
        }
    }

    record Connect(int slot) implements Step {
        static boolean accepted(Model m) {
            return m.state() == ServerState.ACCEPTING && m.live() < MAX_CONNECTIONS;
        }

        /**
         * Polled, a full server with a connection whose peer closed may have let go of it already, or not:
         * the connection ends once the application took its data, and a wait for another event takes
         * whatever is queued before that event. Whether a connect is then served races, so it is skipped.
         */
        static boolean undecided(Model m) {
            return m.polled() && m.state() == ServerState.ACCEPTING && !accepted(m)
                    && m.slots().stream().anyMatch(s -> s.live() && s.peerClosed());
        }

        public void act(Harness h, Model m) throws IOException {
            if (m.slots().get(slot).live() || h.bound == null || m.state() == ServerState.CLOSED || undecided(m)) {
                return; // nothing to do, never bound, or a race the model cannot decide
            }
            if (m.state() == ServerState.KILLED) {
                // exitAccept closed the listening socket: the connect is refused, nobody waits in a backlog.
                try {
                    Fixture.Peer stray = h.fixture.dial(h.bound);
                    h.violations.incrementAndGet();
                    stray.close();
                } catch (IOException refused) {
                    // as it must be
                }
                return;
            }
            Fixture.Peer peer = h.fixture.dial(h.bound);
            if (accepted(m)) {
                if (h.peers[slot] != null) {
                    h.peers[slot].close();
                }
                h.peers[slot] = peer;
                h.addresses[slot] = peer.localAddress();
                h.drained[slot] = new StringBuilder();
                h.sent[slot] = "";
                h.endedBy[slot] = "";
                h.peerClosed[slot] = false;
                InetSocketAddress a = peer.localAddress();
                h.await(() -> Harness.count(h.connects, a) > 0);
            } else {
                peer.awaitClosed(WAIT); // paused or full: closed at once, no onConnect
                peer.close();
            }
        }

        public Model next(Model m) {
            if (m.slots().get(slot).live() || !accepted(m) || undecided(m)) {
                return m;
            }
            return m.withSlot(slot, new Slot(true, false, "", "", ""));
        }
    }

    record Send(int slot, String text) implements Step {
        public void act(Harness h, Model m) throws Exception {
            if (!m.slots().get(slot).canSend()) {
                return;
            }
            h.peers[slot].send(text.getBytes(StandardCharsets.ISO_8859_1));
            h.sent[slot] = h.sent[slot] + text;
            h.server.awaitNewData(WAIT);
        }

        public Model next(Model m) {
            Slot s = m.slots().get(slot);
            if (!s.canSend()) {
                return m;
            }
            return m.withSlot(slot, new Slot(true, false, s.sent() + text, s.drained(), s.endedBy()));
        }
    }

    record Drain() implements Step {
        public void act(Harness h, Model m) {
            h.drainAll();
        }

        public Model next(Model m) {
            return m.drained();
        }
    }

    /** The peer closes its socket: after its data is drained, the server reports "peer closed". */
    record PeerCloses(int slot) implements Step {
        public void act(Harness h, Model m) {
            Slot s = m.slots().get(slot);
            if (!s.canSend()) {
                return;
            }
            h.peers[slot].close();
            h.peerClosed[slot] = true;
            if (s.sent().equals(s.drained())) {
                h.awaitDisconnect(slot);
            }
        }

        public Model next(Model m) {
            Slot s = m.slots().get(slot);
            if (!s.canSend()) {
                return m;
            }
            boolean nothingWaiting = s.sent().equals(s.drained());
            return m.withSlot(slot, new Slot(!nothingWaiting, true, s.sent(), s.drained(),
                    nothingWaiting ? reason(DisconnectReason.PEER_CLOSED) : ""));
        }
    }

    /** The peer resets (after everything is drained, since a reset may discard bytes in flight). */
    record PeerResets(int slot) implements Step {
        public void act(Harness h, Model m) throws IOException {
            h.drainAll();
            Slot s = m.drained().slots().get(slot);
            if (!s.canSend()) {
                return;
            }
            h.peers[slot].reset();
            h.peerClosed[slot] = true;
            h.awaitDisconnect(slot);
        }

        public Model next(Model m) {
            Model drained = m.drained();
            Slot s = drained.slots().get(slot);
            if (!s.canSend()) {
                return drained;
            }
            return drained.withSlot(slot, new Slot(false, true, s.sent(), s.drained(), reason(DisconnectReason.RESET)));
        }
    }

    static Gen<Step> steps() {
        Gen<Integer> slots = Generate.range(0, SLOTS - 1);
        Gen<String> texts = Generate.range(1, 12).zip(Generate.range(0, 25),
                (length, first) -> {
                    StringBuilder b = new StringBuilder();
                    for (int i = 0; i < length; i++) {
                        b.append((char) ('a' + (first + i) % 26));
                    }
                    return b.toString();
                });
        return Generate.frequency(List.of(
                org.quicktheories.api.Pair.of(3, Generate.constant(new Start())),
                org.quicktheories.api.Pair.of(1, Generate.constant(new Stop())),
                org.quicktheories.api.Pair.of(1, Generate.constant(new ExitAccept())),
                org.quicktheories.api.Pair.of(1, Generate.constant(new Restart())),
                org.quicktheories.api.Pair.of(1, Generate.constant(new Close())),
                org.quicktheories.api.Pair.of(5, slots.map(Connect::new)),
                org.quicktheories.api.Pair.of(6, slots.zip(texts, Send::new)),
                org.quicktheories.api.Pair.of(3, Generate.constant(new Drain())),
                org.quicktheories.api.Pair.of(2, slots.map(PeerCloses::new)),
                org.quicktheories.api.Pair.of(1, slots.map(PeerResets::new))));
    }

    static Stream<Arguments> fixtures() {
        return Fixture.both(500, 100);
    }

    @ParameterizedTest(name = "{0}: {2} sequences")
    @MethodSource("fixtures")
    void serverMatchesTheModelAfterEveryStep(String name, Supplier<Fixture> fixtures, int examples) {
        qt().withExamples(examples).withShrinkCycles(50)
                .forAll(lists().of(steps()).ofSizeBetween(1, 25).map(ServerStateMachineTest::startFirst))
                .checkAssert(steps -> check(false, () -> new Harness(fixtures.get()), steps));
    }

    @ParameterizedTest(name = "{0}: {2} sequences")
    @MethodSource("fixtures")
    void aPolledServerMatchesTheModelAfterEveryStep(String name, Supplier<Fixture> fixtures, int examples) {
        qt().withExamples(examples).withShrinkCycles(50)
                .forAll(lists().of(steps()).ofSizeBetween(1, 25).map(ServerStateMachineTest::startFirst))
                .checkAssert(steps -> check(true, () -> new Harness(fixtures.get(), true), steps));
    }

    /** Most interesting sequences run on a started server; the generated ones may stop it again. */
    static List<Step> startFirst(List<Step> steps) {
        List<Step> all = new ArrayList<>();
        all.add(new Start());
        all.addAll(steps);
        return List.copyOf(all);
    }

    static void check(boolean polled, Supplier<Harness> harnesses, List<Step> steps) {
        ModelCheck.run(Model.initial(polled), steps, harnesses, Harness::observe, h -> {
            // Finally: close, and every connection ever accepted fired onConnect and onDisconnect once.
            h.server.close();
            for (InetSocketAddress a : h.connects.keySet()) {
                h.await(() -> Harness.count(h.disconnects, a) > 0);
                if (Harness.count(h.connects, a) != 1 || Harness.count(h.disconnects, a) != 1) {
                    throw new AssertionError(a + ": " + Harness.count(h.connects, a) + " connects, "
                            + Harness.count(h.disconnects, a) + " disconnects");
                }
            }
        });
    }
}
