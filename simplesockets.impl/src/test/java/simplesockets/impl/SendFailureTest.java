package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.connect;
import static simplesockets.impl.Peers.loopback;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import simplesockets.api.ClientOptions;
import simplesockets.api.ClientState;
import simplesockets.api.Connection;
import simplesockets.api.SendOverflow;
import simplesockets.api.ServerEvent;
import simplesockets.api.TcpClient;
import simplesockets.api.TcpServer;
import simplesockets.impl.Peers.ThreadKind;

/**
 * State never lies after a failed send, what a send throws can be caught by type, and an interrupt
 * of a send that waits for room behaves the same on platform and virtual threads (issue 11). Each
 * case runs its sends on a platform thread and on a virtual thread.
 */
@Timeout(120)
class SendFailureTest {

    /** The most sends tried before a test gives up waiting for one to fail. */
    private static final int TRIES = 200;
    /** Between sends, a sender waits at most this long for the disconnect to be reported. */
    private static final Duration BETWEEN_SENDS = Duration.ofMillis(20);
    private static final byte[] KIB = new byte[1024];

    // ---- a) a client whose send fails is disconnected at once ----

    @ParameterizedTest(name = "{0} thread")
    @EnumSource(ThreadKind.class)
    void aClientWhoseSendFailsIsDisconnectedAtOnce(ThreadKind kind) throws Exception {
        AtomicInteger disconnects = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<simplesockets.api.DisconnectReason> why =
                new java.util.concurrent.atomic.AtomicReference<>();
        CountDownLatch disconnected = new CountDownLatch(1);
        CountDownLatch failed = new CountDownLatch(1);
        try (TcpServer server = TcpServer.create(loopback().build())) {
            server.start();
            try (TcpClient client = TcpClient.create(ClientOptions.builder()
                    .address(server.localAddress().orElseThrow())
                    .autoReceive(false)
                    .onDisconnect(reason -> {
                        why.set(reason);
                        disconnects.incrementAndGet();
                        disconnected.countDown();
                    })
                    .onFailure(failure -> failed.countDown())
                    .build())) {
                client.connect();
                awaitConnectedEvent(server);
                server.close();

                Outcome<ClientState> outcome = sendUntilItFails(kind, () -> client.send(KIB), disconnected,
                        client::state);

                assertNotNull(outcome.thrown(), "no send failed in " + TRIES + " tries after the server closed");
                assertEquals(ClientState.DISCONNECTED, outcome.rightAfter(),
                        "right after a send failed (" + outcome.thrown() + "), the client is disconnected");
                assertFalse(client.isConnected(), "isConnected() after a failed send");
                assertTrue(disconnected.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS),
                        "onDisconnect fired after the failed send");
                if (why.get() == simplesockets.api.DisconnectReason.RESET) { // the closed server's RST: ordinary
                    assertFalse(client.hasExceptions(), "a reset is a disconnect, not a failure: " + client.exceptions());
                } else {
                    assertTrue(failed.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS) || client.hasExceptions(),
                            "the failure (" + why.get() + ") was recorded: " + client.exceptions());
                }
                assertEquals(1, disconnects.get(), "onDisconnect fired once");
            }
            assertEquals(1, disconnects.get(), "onDisconnect fired once, not again on close");
        }
    }

    // ---- b) what a send throws is a JDK or API type ----

    @ParameterizedTest(name = "{0} thread")
    @EnumSource(ThreadKind.class)
    void aFailedClientSendThrowsAJdkOrApiType(ThreadKind kind) throws Exception {
        CountDownLatch disconnected = new CountDownLatch(1);
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout((int) Peers.WAIT.toMillis());
            try (TcpClient client = TcpClient.create(ClientOptions.builder()
                    .address((InetSocketAddress) listener.getLocalSocketAddress())
                    .autoReceive(false)
                    .onDisconnect(reason -> disconnected.countDown())
                    .build())) {
                client.connect();
                try (Socket accepted = listener.accept()) {
                    accepted.setSoLinger(true, 0); // closing now resets the connection
                }
                Outcome<Void> outcome = sendUntilItFails(kind, () -> client.send(KIB), disconnected, () -> null);
                assertNotNull(outcome.thrown(), "no send failed in " + TRIES + " tries after the peer reset");
                assertJdkOrApiType(outcome.thrown());
            }
        }
    }

    @ParameterizedTest(name = "{0} thread")
    @EnumSource(ThreadKind.class)
    void aFailedServerSendToAPeerThatResetThrowsAJdkOrApiType(ThreadKind kind) throws Exception {
        CompletableFuture<Connection> served = new CompletableFuture<>();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch disconnected = new CountDownLatch(1);
        // The handler never reads: only the sends can find out that the peer reset.
        try (TcpServer server = TcpServer.create(loopback()
                .handler(connection -> {
                    served.complete(connection);
                    release.await(30, TimeUnit.SECONDS);
                })
                .onDisconnect((connection, reason) -> disconnected.countDown())
                .build())) {
            server.start();
            try {
                Connection connection;
                try (Socket peer = connect(server.localAddress().orElseThrow())) {
                    connection = served.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    peer.setSoLinger(true, 0); // closing now resets the connection
                }
                Outcome<Void> outcome = sendUntilItFails(kind, () -> server.send(connection, KIB), disconnected,
                        () -> null);
                assertNotNull(outcome.thrown(), "no server send failed in " + TRIES + " tries after the peer reset");
                assertJdkOrApiType(outcome.thrown());
            } finally {
                release.countDown();
            }
        }
    }

    // ---- c) an interrupt while a send waits for room (SendOverflow.WAIT) ----

    @ParameterizedTest(name = "{0} thread")
    @EnumSource(ThreadKind.class)
    void anInterruptedSendThatWaitsForRoomThrowsInterruptedIoExceptionAndKeepsTheConnection(ThreadKind kind)
            throws Exception {
        int piece = 64 * 1024;
        byte[] marker = Peers.bytes("-- the last send, after the interrupt --");
        try (ServerSocket listener = Peers.narrowListener()) {
            try (TcpClient client = TcpClient.create(ClientOptions.builder()
                    .address((InetSocketAddress) listener.getLocalSocketAddress())
                    .maxPendingSendBytes(piece)
                    .build())) {
                assertEquals(SendOverflow.WAIT, client.options().sendOverflow(), "WAIT is the client's default");
                client.connect();
                try (Socket accepted = listener.accept()) {
                    accepted.setSoTimeout((int) Peers.WAIT.toMillis());
                    // The server does not read yet: the sender fills the kernel's buffers, then the
                    // pending bytes, then waits for room.
                    AtomicInteger attempted = new AtomicInteger();
                    AtomicInteger returned = new AtomicInteger();
                    CompletableFuture<Interrupted> outcome = new CompletableFuture<>();
                    Thread sender = kind.builder().name("sender-" + kind).start(() -> {
                        try {
                            for (int k = 0; k < 4096; k++) {
                                attempted.set(k + 1);
                                try {
                                    client.send(Peers.pattern(k, piece));
                                } catch (IOException e) {
                                    outcome.complete(new Interrupted(e, k, Thread.currentThread().isInterrupted()));
                                    return;
                                }
                                returned.set(k + 1);
                            }
                            outcome.complete(new Interrupted(null, 4096, Thread.currentThread().isInterrupted()));
                        } catch (Throwable t) {
                            outcome.completeExceptionally(t);
                        }
                    });

                    boolean sawItWait = awaitBlockedInSend(sender, attempted, returned, outcome);
                    assertFalse(outcome.isDone(), () -> "the sender ended before any send waited: "
                            + (outcome.isCompletedExceptionally() ? outcome.exceptionNow() : outcome.resultNow()));
                    sender.interrupt();
                    Interrupted result;
                    try {
                        result = outcome.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (TimeoutException e) {
                        throw new AssertionError("the interrupted send did not return within " + Peers.WAIT
                                + " (thread " + sender.getState() + ", seen waiting: " + sawItWait
                                + "): it is stuck writing to a peer that does not read");
                    }
                    assertNotNull(result.thrown(), "no send waited in 4096 pieces of 64 KiB");
                    assertInstanceOf(InterruptedIOException.class, result.thrown(),
                            "an interrupted send throws InterruptedIOException");
                    assertFalse(result.thrown() instanceof SocketTimeoutException, "not a timeout: " + result.thrown());
                    assertTrue(result.interruptFlagAfter(), "the interrupt flag is set again after the catch");
                    assertEquals(ClientState.CONNECTED, client.state(), "an interrupt leaves the connection open");

                    // Nothing of the interrupted send was queued, and the connection still works: the
                    // server reads every piece that returned, then the marker sent now.
                    int before = result.piece();
                    CompletableFuture<byte[]> read = Peers.startOn(Thread.ofPlatform().daemon(), "drain",
                            () -> Peers.readExactly(accepted, before * piece + marker.length));
                    Peers.startOn(Thread.ofPlatform().daemon(), "marker", () -> {
                        client.send(marker);
                        return null;
                    }).get(30, TimeUnit.SECONDS);
                    byte[] got = read.get(30, TimeUnit.SECONDS);
                    for (int k = 0; k < before; k++) {
                        assertArrayEquals(Peers.pattern(k, piece), Arrays.copyOfRange(got, k * piece, (k + 1) * piece),
                                "piece " + k + " arrived whole and in order");
                    }
                    assertArrayEquals(marker, Arrays.copyOfRange(got, before * piece, got.length),
                            "the interrupted send queued nothing: the marker follows the last piece that returned");
                    assertEquals(ClientState.CONNECTED, client.state());
                    assertTrue(sender.join(Peers.WAIT), "the sender ended");
                }
            }
        }
    }

    /**
     * Waits (at most {@link Peers#WAIT}) until the sender is inside a send that has not returned and is
     * parked, twice in a row. A platform thread blocked in a socket write shows RUNNABLE; then this
     * gives up and the caller interrupts anyway.
     */
    private static boolean awaitBlockedInSend(Thread sender, AtomicInteger attempted, AtomicInteger returned,
            CompletableFuture<?> outcome) {
        long deadline = System.nanoTime() + Peers.WAIT.toNanos();
        int streak = 0;
        int sendSeen = -1;
        while (System.nanoTime() - deadline < 0 && !outcome.isDone()) {
            int inSend = attempted.get();
            Thread.State state = sender.getState();
            boolean parked = state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
            if (inSend > returned.get() && parked && (streak == 0 || inSend == sendSeen)) {
                sendSeen = inSend;
                if (++streak >= 2) {
                    return true;
                }
            } else {
                streak = 0;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        return false;
    }

    // ---- helpers ----

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    /** What a sending loop saw: the exception that ended it (or null), how many sends succeeded, and a state observed right after. */
    private record Outcome<T>(IOException thrown, int sent, T rightAfter) {
    }

    private record Interrupted(IOException thrown, int piece, boolean interruptFlagAfter) {
    }

    /**
     * Sends on a new thread of the given kind until a send throws, at most {@link #TRIES} times,
     * waiting between sends at most {@link #BETWEEN_SENDS} for the disconnect to be reported.
     */
    private static <T> Outcome<T> sendUntilItFails(ThreadKind kind, IoAction send, CountDownLatch disconnected,
            Supplier<T> rightAfter) throws Exception {
        CompletableFuture<Outcome<T>> run = Peers.startOn(kind.builder(), "sender-" + kind, () -> {
            for (int i = 0; i < TRIES; i++) {
                try {
                    send.run();
                } catch (IOException e) {
                    return new Outcome<>(e, i, rightAfter.get());
                }
                disconnected.await(BETWEEN_SENDS.toMillis(), TimeUnit.MILLISECONDS);
            }
            return new Outcome<>(null, TRIES, rightAfter.get());
        });
        try {
            return run.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** Takes the server's events until a connect, for at most 10 s in all and 1,000 events. */
    private static void awaitConnectedEvent(TcpServer server) throws InterruptedException {
        long deadline = System.nanoTime() + 2 * Peers.WAIT.toNanos();
        for (int i = 0; i < 1_000 && System.nanoTime() - deadline < 0; i++) {
            ServerEvent event = server.awaitEvent(Peers.WAIT)
                    .orElseThrow(() -> new AssertionError("the server did not report the client within " + Peers.WAIT));
            if (event instanceof ServerEvent.Connected) {
                return;
            }
        }
        throw new AssertionError("the server reported other events, and no connect, for 10 s or 1,000 events");
    }

    private static void assertJdkOrApiType(Throwable thrown) {
        Class<?> type = thrown.getClass();
        assertTrue(Peers.isJdkOrApiType(type), () -> "a send threw " + type.getName() + " (module "
                + type.getModule() + "), which no application can catch by type; want a JDK or API type: " + thrown);
    }
}
