package simplesockets.testkit;

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
 * ascending runs that tile {@code 0..n-1}: no message lost, duplicated or reordered. A checker of
 * our own on real threads, with QuickTheories choosing the shape (peers, messages, drainers).
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
            List<List<ServerEvent.Received>> batches = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch done = new CountDownLatch(drainers);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (int d = 0; d < drainers; d++) {
                boolean await = blocking && d % 2 == 0;
                Thread.ofVirtual().start(() -> {
                    try {
                        while (taken.get() < expected && System.nanoTime() < deadline) {
                            List<ServerEvent.Received> batch = await
                                    ? server.awaitReceived(Duration.ofMillis(20)) : server.drainReceived();
                            if (!batch.isEmpty()) {
                                batches.add(batch);
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
            verify(batches, all, messages);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Each batch holds, per connection, one contiguous ascending run; the runs tile 0..n-1. */
    static void verify(List<List<ServerEvent.Received>> batches, List<Fixture.Peer> peers, int messages) {
        Map<InetSocketAddress, List<int[]>> runs = new HashMap<>();
        for (List<ServerEvent.Received> batch : batches) {
            Map<InetSocketAddress, List<Integer>> perConnection = new HashMap<>();
            for (ServerEvent.Received r : batch) {
                perConnection.computeIfAbsent(r.address(), k -> new ArrayList<>()).add(ByteBuffer.wrap(r.data()).getInt());
            }
            perConnection.forEach((address, values) -> {
                for (int i = 1; i < values.size(); i++) {
                    if (values.get(i) != values.get(i - 1) + 1) {
                        throw new AssertionError("a drain returned " + values + " for " + address + ": not one run");
                    }
                }
                runs.computeIfAbsent(address, k -> new ArrayList<>()).add(new int[] {values.getFirst(), values.getLast()});
            });
        }
        for (Fixture.Peer peer : peers) {
            List<int[]> own = runs.getOrDefault(peer.localAddress(), List.of());
            own.sort((a, b) -> Integer.compare(a[0], b[0]));
            int next = 0;
            for (int[] run : own) {
                if (run[0] != next) {
                    throw new AssertionError(peer.localAddress() + ": expected message " + next + ", a run starts at "
                            + run[0] + (run[0] < next ? " (duplicated)" : " (lost)"));
                }
                next = run[1] + 1;
            }
            if (next != messages) {
                throw new AssertionError(peer.localAddress() + ": got 0.." + (next - 1) + " of " + messages);
            }
        }
    }
}
