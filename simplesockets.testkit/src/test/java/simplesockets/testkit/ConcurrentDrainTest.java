package simplesockets.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.quicktheories.generators.Generate;
import simplesockets.api.Framing;
import simplesockets.api.ServerEvent;
import simplesockets.api.ServerOptions;
import simplesockets.api.TcpServer;

/**
 * Concurrent receives and drains are linearizable: peers send numbered messages while several
 * threads drain at once, with {@code drainReceived()} and {@code awaitReceived()}. Since a drain
 * takes everything queued at one instant, each connection's messages must come out as contiguous,
 * ascending runs that tile {@code 0..n-1}: no message lost, duplicated or reordered. Reordered
 * across drains too: a drain that returned before another was called holds each connection's
 * earlier messages (with one drainer, the order of the batches is the order of the messages). A
 * checker of our own on real threads, with QuickTheories choosing the shape (peers, messages,
 * drainers).
 */
@Timeout(600)
class ConcurrentDrainTest {

    static Stream<Arguments> fixtures() {
        return Fixture.both(100, 30);
    }

    @ParameterizedTest(name = "{0}: {2} runs")
    @MethodSource("fixtures")
    void drainsRacingReceivesLoseAndDuplicateNothing(String name, Supplier<Fixture> fixtures, int examples) {
        qt().withExamples(examples).withShrinkCycles(20)
                .forAll(Generate.range(1, 4), Generate.range(1, 300), Generate.range(1, 3), Generate.booleans())
                .checkAssert((peers, messages, drainers, blocking) -> run(fixtures, peers, messages, drainers, blocking));
    }

    static void run(Supplier<Fixture> fixtures, int peers, int messages, int drainers, boolean blocking) {
        try (Fixture fixture = fixtures.get()) {
            TcpServer server = fixture.server(ServerOptions.builder().framing(Framing.lengthPrefixed(4))
                    .maxQueuedBytesPerConnection(2048)); // small, so readers also stall and resume
            server.start();
            long expected = (long) peers * messages;
            AtomicLong taken = new AtomicLong();
            AtomicLong tickets = new AtomicLong(); // orders the drains' calls and returns in real time
            List<Drain> drains = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch done = new CountDownLatch(drainers);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (int d = 0; d < drainers; d++) {
                boolean await = blocking && d % 2 == 0;
                Thread.ofVirtual().start(() -> {
                    try {
                        while (taken.get() < expected && System.nanoTime() < deadline) {
                            long begun = tickets.getAndIncrement();
                            List<ServerEvent.Received> batch = await
                                    ? server.awaitReceived(Duration.ofMillis(20)) : server.drainReceived();
                            long ended = tickets.getAndIncrement();
                            if (!batch.isEmpty()) {
                                drains.add(Drain.of(begun, ended, batch));
                                taken.addAndGet(batch.size());
                            } else if (!await) {
                                server.awaitNewData(Duration.ofMillis(20)); // wait, never spin
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        done.countDown();
                    }
                });
            }
            List<Fixture.Peer> all = new ArrayList<>();
            for (int p = 0; p < peers; p++) {
                all.add(fixture.dial(server.localAddress().orElseThrow()));
            }
            List<Thread> senders = new ArrayList<>();
            for (Fixture.Peer peer : all) {
                senders.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < messages; i++) {
                            peer.send(ByteBuffer.allocate(8).putInt(4).putInt(i).array());
                        }
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            if (!done.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("drainers did not finish");
            }
            for (Thread sender : senders) {
                sender.join(Duration.ofSeconds(5));
            }
            verify(drains, all.stream().map(Fixture.Peer::localAddress).toList(), messages);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * One drain's result: per connection, the message numbers in the order returned; and its span on
     * a shared ticket counter, taken just before the call and just after it returned. A drain whose
     * {@code ended} is below another's {@code begun} returned before that one was called.
     */
    record Drain(long begun, long ended, Map<InetSocketAddress, List<Integer>> perConnection) {
        static Drain of(long begun, long ended, List<ServerEvent.Received> batch) {
            Map<InetSocketAddress, List<Integer>> perConnection = new HashMap<>();
            for (ServerEvent.Received r : batch) {
                perConnection.computeIfAbsent(r.address(), k -> new ArrayList<>()).add(ByteBuffer.wrap(r.data()).getInt());
            }
            return new Drain(begun, ended, perConnection);
        }
    }

    /** One drain's piece of one connection: messages {@code first..last}. */
    private record Run(int first, int last, Drain drain) {
    }

    /**
     * Each drain holds, per connection, one contiguous ascending run; the runs tile 0..n-1; and taken
     * in message order, no run comes from a drain that returned before the drain of an earlier run was
     * called (that would be a reorder across drains, which sorting the runs alone would hide).
     */
    static void verify(List<Drain> drains, List<InetSocketAddress> peers, int messages) {
        Map<InetSocketAddress, List<Run>> runs = new HashMap<>();
        for (Drain drain : drains) {
            drain.perConnection().forEach((address, values) -> {
                for (int i = 1; i < values.size(); i++) {
                    if (values.get(i) != values.get(i - 1) + 1) {
                        throw new AssertionError("a drain returned " + values + " for " + address + ": not one run");
                    }
                }
                runs.computeIfAbsent(address, k -> new ArrayList<>()).add(new Run(values.getFirst(), values.getLast(), drain));
            });
        }
        for (InetSocketAddress peer : peers) {
            List<Run> own = new ArrayList<>(runs.getOrDefault(peer, List.of()));
            own.sort(java.util.Comparator.comparingInt(Run::first));
            int next = 0;
            Run latestBegun = null; // of the runs before this one, the one whose drain was called last
            for (Run run : own) {
                if (run.first() != next) {
                    throw new AssertionError(peer + ": expected message " + next + ", a run starts at "
                            + run.first() + (run.first() < next ? " (duplicated)" : " (lost)"));
                }
                if (latestBegun != null && run.drain().ended() < latestBegun.drain().begun()) {
                    throw new AssertionError(peer + ": messages " + run.first() + ".." + run.last()
                            + " came from a drain that returned before the drain of the earlier messages "
                            + latestBegun.first() + ".." + latestBegun.last() + " was called (reordered)");
                }
                if (latestBegun == null || run.drain().begun() > latestBegun.drain().begun()) {
                    latestBegun = run;
                }
                next = run.last() + 1;
            }
            if (next != messages) {
                throw new AssertionError(peer + ": got 0.." + (next - 1) + " of " + messages);
            }
        }
    }

    /**
     * The checker itself can fail: it refuses a history whose runs tile 0..n-1 but came out of order
     * across drains (what sorting the runs hid), a run out of order within a drain, and a lost or
     * duplicated message; and it accepts overlapping drains in either order, which may linearize
     * either way.
     */
    @Test
    void theCheckerRefusesReorderingLossAndDuplication() {
        InetSocketAddress a = new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 40_001);
        List<InetSocketAddress> peers = List.of(a);
        // Sequential drains, later messages first: every run is fine on its own, the order is not.
        assertThrows(AssertionError.class, () -> verify(List.of(
                new Drain(0, 1, Map.of(a, List.of(2, 3))), new Drain(2, 3, Map.of(a, List.of(0, 1)))), peers, 4));
        // The same with a drain in between that did not overlap either.
        assertThrows(AssertionError.class, () -> verify(List.of(
                new Drain(0, 1, Map.of(a, List.of(4, 5))), new Drain(2, 3, Map.of(a, List.of(0, 1))),
                new Drain(4, 5, Map.of(a, List.of(2, 3)))), peers, 6));
        assertThrows(AssertionError.class, () -> verify(List.of(
                new Drain(0, 1, Map.of(a, List.of(1, 0)))), peers, 2), "reordered within a drain");
        assertThrows(AssertionError.class, () -> verify(List.of(
                new Drain(0, 1, Map.of(a, List.of(0, 1))), new Drain(2, 3, Map.of(a, List.of(3)))), peers, 4), "lost");
        assertThrows(AssertionError.class, () -> verify(List.of(
                new Drain(0, 1, Map.of(a, List.of(0, 1))), new Drain(2, 3, Map.of(a, List.of(1, 2)))), peers, 3),
                "duplicated");
        // In order, and overlapping drains (0..3 and 1..2) in either order: accepted.
        verify(List.of(new Drain(0, 1, Map.of(a, List.of(0, 1))), new Drain(2, 3, Map.of(a, List.of(2)))), peers, 3);
        verify(List.of(new Drain(0, 3, Map.of(a, List.of(2))), new Drain(1, 2, Map.of(a, List.of(0, 1)))), peers, 3);
    }
}
