package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.bytes;
import static simplesockets.impl.Peers.connect;
import static simplesockets.impl.Peers.loopback;
import static simplesockets.impl.Peers.take;
import static simplesockets.impl.Peers.text;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.Attributes;
import simplesockets.api.Connection;
import simplesockets.api.Framing;
import simplesockets.api.ServerEvent;
import simplesockets.api.TcpServer;

/**
 * Per-connection state over real sockets: typed, one map per connection, readable while the
 * connection's end is handled, and cleared after it, in the callback, handler and polling styles.
 */
@Timeout(30)
class AttributesTest {

    private static final Attributes.Key<String> NAME = Attributes.Key.of("name", String.class);
    private static final Attributes.Key<AtomicInteger> LINES = Attributes.Key.of("lines", AtomicInteger.class);

    @Test
    void aLoginChatKeepsEachPeersNameUntilItsDisconnectWasHandled() throws Exception {
        BlockingQueue<String> left = new LinkedBlockingQueue<>();
        BlockingQueue<Connection> ended = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().framing(Framing.lines(256))
                .onReceive((connection, data) -> {
                    Optional<String> name = connection.attributes().get(NAME);
                    if (name.isEmpty()) {
                        connection.attributes().set(NAME, text(data));
                        connection.send(bytes("hello " + text(data)));
                    } else {
                        int n = connection.attributes().computeIfAbsent(LINES, AtomicInteger::new).incrementAndGet();
                        connection.send(bytes(name.get() + " #" + n + ": " + text(data)));
                    }
                })
                .onDisconnect((connection, reason) -> {
                    left.add(connection.attributes().get(NAME).orElse("?") + " after "
                            + connection.attributes().get(LINES).map(AtomicInteger::get).orElse(0));
                    ended.add(connection);
                }).build())) {
            server.start();
            try (Socket ann = connect(server.localAddress().orElseThrow());
                 Socket bob = connect(server.localAddress().orElseThrow())) {
                BufferedReader annIn = reader(ann);
                BufferedReader bobIn = reader(bob);
                ann.getOutputStream().write(bytes("ann\nfirst\n"));
                bob.getOutputStream().write(bytes("bob\n"));
                assertEquals("hello ann", annIn.readLine());
                assertEquals("ann #1: first", annIn.readLine());
                assertEquals("hello bob", bobIn.readLine());
                bob.getOutputStream().write(bytes("one\ntwo\n"));
                assertEquals("bob #1: one", bobIn.readLine());
                assertEquals("bob #2: two", bobIn.readLine(), "each connection has its own map");
                bob.close();
                assertEquals("bob after 2", take(left), "still readable in onDisconnect");
                Connection gone = take(ended);
                Peers.awaitCondition(() -> gone.attributes().get(NAME).isEmpty(), Peers.WAIT,
                        () -> "cleared once onDisconnect returned");
                assertEquals(Optional.empty(), gone.attributes().set(NAME, "ghost"));
                assertEquals(Optional.empty(), gone.attributes().get(NAME), "writes after the end are ignored");
                ann.getOutputStream().write(bytes("still here\n"));
                assertEquals("ann #2: still here", annIn.readLine(), "the other peer's state is untouched");
            }
        }
    }

    @Test
    void pollingKeepsTheStateWhileTheDisconnectIsHandledAndClearsItAtTheNextPoll() throws Exception {
        try (TcpServer server = TcpServer.create(loopback().build())) {
            server.start();
            Connection connection;
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                ServerEvent.Connected connected = (ServerEvent.Connected) server.awaitEvent(Peers.WAIT).orElseThrow();
                connection = connected.connection();
                connection.attributes().set(NAME, "polled");
                peer.getOutputStream().write(bytes("x"));
                ServerEvent.Received received = (ServerEvent.Received) server.awaitEvent(Peers.WAIT).orElseThrow();
                assertSame(connection, received.connection());
                assertEquals("polled", received.connection().attributes().get(NAME).orElseThrow());
            }
            ServerEvent.Disconnected gone = (ServerEvent.Disconnected) server.awaitEvent(Peers.WAIT).orElseThrow();
            assertEquals("polled", gone.connection().attributes().get(NAME).orElseThrow(),
                    "readable while the application handles the disconnect");
            assertTrue(server.pollEvent().isEmpty());
            assertEquals(Optional.empty(), connection.attributes().get(NAME), "cleared at the next poll");
        }
    }

    @Test
    void aHandlersStateGoesWhenItsConnectionEnds() throws Exception {
        CountDownLatch set = new CountDownLatch(1);
        BlockingQueue<Connection> served = new LinkedBlockingQueue<>();
        try (TcpServer server = TcpServer.create(loopback().handler(connection -> {
            connection.attributes().set(NAME, "handled");
            served.add(connection);
            set.countDown();
            while (connection.read().isPresent()) {
                connection.send(bytes(connection.attributes().get(NAME).orElseThrow()));
            }
        }).build())) {
            server.start();
            try (Socket peer = connect(server.localAddress().orElseThrow())) {
                assertTrue(set.await(5, java.util.concurrent.TimeUnit.SECONDS));
                peer.getOutputStream().write(bytes("?"));
                assertEquals("handled", text(Peers.readExactly(peer, 7)));
            }
            Connection connection = take(served);
            Peers.awaitCondition(() -> connection.attributes().get(NAME).isEmpty(), Peers.WAIT,
                    () -> "cleared after the handler's connection ended");
        }
    }

    @Test
    void keysAreTypedAndDistinctEvenWithOneName() {
        AttributeMap map = new AttributeMap();
        Attributes.Key<String> a = Attributes.Key.of("same", String.class);
        Attributes.Key<String> b = Attributes.Key.of("same", String.class);
        map.set(a, "a");
        assertEquals(Optional.empty(), map.get(b), "keys compare by identity");
        assertEquals(Optional.of("a"), map.set(a, "a2"));
        assertEquals(Optional.of("a2"), map.remove(a));
        @SuppressWarnings({"unchecked", "rawtypes"})
        Attributes.Key<Object> lying = (Attributes.Key) Attributes.Key.of("n", Integer.class);
        assertThrows(ClassCastException.class, () -> map.set(lying, "not a number"), "values are checked by type");
        assertThrows(NullPointerException.class, () -> map.set(a, null));
        List<Integer> made = new ArrayList<>();
        Attributes.Key<Integer> once = Attributes.Key.of("once", Integer.class);
        assertEquals(7, map.computeIfAbsent(once, () -> { made.add(7); return 7; }));
        assertEquals(7, map.computeIfAbsent(once, () -> { made.add(8); return 8; }));
        assertEquals(List.of(7), made, "created at most once");
        assertEquals("Key[once: Integer]", once.toString());
    }

    /**
     * A {@code create} that blocks (a lookup, say) holds up only the callers that want its key's value:
     * reads and writes of other keys, a read of its own key (absent until made) and the clear at the
     * connection's end go on, and a second caller for the key gets the first one's value. Before, {@code
     * create} ran inside the map's bin lock, so a clear or a write that hashed to that bin waited for it,
     * and on JDK 21 a virtual thread blocked in it pinned its carrier.
     */
    @Test
    void aCreateThatBlocksHoldsUpOnlyTheCallersForItsKey() throws Exception {
        AttributeMap map = new AttributeMap();
        Attributes.Key<String> slow = Attributes.Key.of("slow", String.class);
        Held held = new Held();
        AtomicInteger creates = new AtomicInteger();
        Caller<String> first = Caller.start(Thread.ofVirtual(), () -> map.computeIfAbsent(slow, () -> {
            creates.incrementAndGet();
            return held.create("made");
        }));
        held.awaitCreating();
        Caller<String> second = Caller.start(Thread.ofPlatform(), () -> map.computeIfAbsent(slow, () -> {
            creates.incrementAndGet();
            return "second";
        }));
        second.awaitWaiting("the second caller did not wait for the first's create");
        for (int i = 0; i < 64; i++) { // enough keys that some share the slow key's bin
            Attributes.Key<Integer> other = Attributes.Key.of("other" + i, Integer.class);
            map.set(other, i);
            assertEquals(Optional.of(i), map.get(other));
            assertEquals(i, map.computeIfAbsent(other, () -> -1));
        }
        assertEquals(Optional.empty(), map.get(slow), "absent until made");
        assertTrue(!first.result().isDone() && !second.result().isDone(), "both callers for the key wait for its create");
        held.release();
        assertEquals("made", first.get());
        assertEquals("made", second.get(), "the second got the first's value");
        assertEquals(1, creates.get(), "created once");
        assertEquals(Optional.of("made"), map.get(slow));
    }

    @Test
    void aClearDoesNotWaitForACreate() throws Exception {
        AttributeMap map = new AttributeMap();
        Attributes.Key<String> slow = Attributes.Key.of("slow", String.class);
        Held held = new Held();
        Caller<String> made = Caller.start(Thread.ofPlatform(), () -> map.computeIfAbsent(slow, () -> held.create("late")));
        held.awaitCreating();
        map.clear(); // the connection's end was handled: returns at once
        assertTrue(!made.result().isDone(), "the create still runs");
        held.release();
        assertEquals("late", made.get(), "its caller gets what it made");
    }

    /** A caller waiting for a create that throws makes the value itself; the creator gets its exception. */
    @Test
    void aWaiterForACreateThatThrowsMakesItsOwn() throws Exception {
        AttributeMap map = new AttributeMap();
        Attributes.Key<String> key = Attributes.Key.of("key", String.class);
        Held held = new Held();
        Caller<String> failing = Caller.start(Thread.ofPlatform(), () -> map.computeIfAbsent(key, () -> {
            held.create("unused");
            throw new IllegalStateException("the lookup failed");
        }));
        held.awaitCreating();
        Caller<String> waiter = Caller.start(Thread.ofPlatform(), () -> map.computeIfAbsent(key, () -> "the waiter's"));
        waiter.awaitWaiting("the waiter did not wait");
        held.release();
        java.util.concurrent.ExecutionException thrown = assertThrows(java.util.concurrent.ExecutionException.class,
                failing::get);
        assertEquals("the lookup failed", thrown.getCause().getMessage(), "the creator gets its exception");
        assertEquals("the waiter's", waiter.get(), "the waiter made its own");
        assertEquals(Optional.of("the waiter's"), map.get(key));
    }

    /**
     * A remove while a create runs leaves the value being made: a caller that comes after it waits for that
     * value instead of making a second one. Before, the remove took the create's place, the next caller
     * made its own value, and the two callers got different values.
     */
    @Test
    void aRemoveWhileACreateRunsDoesNotLetASecondCreateRun() throws Exception {
        AttributeMap map = new AttributeMap();
        Attributes.Key<String> key = Attributes.Key.of("key", String.class);
        Held held = new Held();
        Caller<String> first = Caller.start(Thread.ofPlatform(), () -> map.computeIfAbsent(key, () -> held.create("first")));
        held.awaitCreating();
        assertEquals(Optional.empty(), map.remove(key), "nothing to remove while it is being made");
        Caller<String> later = Caller.start(Thread.ofPlatform(), () -> map.computeIfAbsent(key, () -> "second"));
        later.awaitWaiting("the later caller did not wait for the create under way");
        held.release();
        assertEquals("first", first.get());
        assertEquals("first", later.get(), "one value for both");
        assertEquals(Optional.of("first"), map.get(key));
    }

    @Test
    void aCreateThatThrowsLeavesTheKeyAbsentAndACreateCallingItselfIsRefused() {
        AttributeMap map = new AttributeMap();
        Attributes.Key<String> key = Attributes.Key.of("key", String.class);
        assertThrows(IllegalArgumentException.class, () -> map.computeIfAbsent(key, () -> {
            throw new IllegalArgumentException("no");
        }));
        assertEquals(Optional.empty(), map.get(key), "nothing was set");
        assertThrows(NullPointerException.class, () -> map.computeIfAbsent(key, () -> null));
        assertEquals(Optional.empty(), map.get(key));
        assertThrows(IllegalStateException.class, () -> map.computeIfAbsent(key, () -> map.computeIfAbsent(key, () -> "inner")),
                "a create that asks for its own key would wait for itself");
        assertEquals(Optional.empty(), map.get(key), "the refused create set nothing");
        Attributes.Key<String> other = Attributes.Key.of("other", String.class);
        assertEquals("outer", map.computeIfAbsent(key, () -> map.computeIfAbsent(other, () -> "inner").replace("inner", "outer")),
                "a create may use other keys");
        assertEquals(Optional.of("inner"), map.get(other));
        assertEquals(Optional.of("outer"), map.get(key));
    }

    /** A create held until the test lets it go: it says it began, then waits (at most 10 s). */
    private static final class Held {
        private final CountDownLatch creating = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);

        String create(String value) {
            creating.countDown();
            try {
                release.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return value;
        }

        void awaitCreating() throws InterruptedException {
            assertTrue(creating.await(5, java.util.concurrent.TimeUnit.SECONDS), "the create did not begin");
        }

        void release() {
            release.countDown();
        }
    }

    /** A call on a thread of its own, and that thread. */
    private record Caller<T>(java.util.concurrent.CompletableFuture<T> result, Thread thread) {
        static <T> Caller<T> start(Thread.Builder builder, java.util.function.Supplier<T> call) {
            java.util.concurrent.CompletableFuture<T> result = new java.util.concurrent.CompletableFuture<>();
            Thread thread = builder.start(() -> {
                try {
                    result.complete(call.get());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
            return new Caller<>(result, thread);
        }

        /** Until it waits for another caller's create (WAITING: it has no other wait of that kind), or fails. */
        void awaitWaiting(String failure) {
            Peers.awaitCondition(() -> result.isDone() || thread.getState() == Thread.State.WAITING, Peers.WAIT,
                    () -> failure);
            assertFalse(result.isDone(), () -> failure + ": " + result);
        }

        T get() throws Exception {
            return result.get(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static BufferedReader reader(Socket socket) throws Exception {
        socket.setSoTimeout(5_000);
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }
}
