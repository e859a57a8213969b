package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static simplesockets.impl.Peers.loopback;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import simplesockets.api.Failure;
import simplesockets.api.TcpServer;

/**
 * What a start or restart holds while it binds ({@link Binding}'s lock) is held for the probe and the bind
 * only: neither the user's {@code onFailure} for a failed bind nor a restart's wait for the old accept
 * thread runs under it, so a start or restart on another thread is never held up behind them.
 */
class BindLockTest {

    /**
     * A failed bind's {@code onFailure} may start the server again from another thread and wait for it.
     * Before, the callback ran under the lock its own start still held, so that other start waited for
     * the callback, which waited for it: the wait below ran out.
     */
    @Test
    void aFailedBindsOnFailureMayStartTheServerFromAnotherThread() throws Exception {
        AtomicInteger failures = new AtomicInteger();
        AtomicReference<TcpServer> made = new AtomicReference<>();
        CompletableFuture<Throwable> other = new CompletableFuture<>();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TcpServer server = new ServerEngine(SocketNetwork.INSTANCE, loopback().port(taken.getLocalPort())
                        .onReceive((c, d) -> { }).onFailure(f -> {
                            if (f instanceof Failure.Accept && failures.incrementAndGet() == 1) {
                                Thread again = Thread.ofPlatform().start(() -> {
                                    try {
                                        made.get().start();
                                        other.complete(null);
                                    } catch (Throwable e) {
                                        other.complete(e);
                                    }
                                });
                                try {
                                    again.join(Duration.ofSeconds(10));
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                        }).build(), null)) {
            made.set(server);
            assertThrows(BindException.class, server::start);
            assertTrue(other.isDone(), "the start on another thread was not held up by the callback's start");
            assertInstanceOf(BindException.class, other.get(), "the other start failed to bind too");
            assertTrue(failures.get() >= 2, "both failed binds were recorded: " + failures.get());
        }
    }

    /**
     * A start on another thread while a restart waits for the old accept thread is told at once that the
     * server is not startable ({@code KILLED}): before, it waited behind the restart's waits, up to three of
     * a second each.
     */
    @Test
    void aStartWhileARestartWaitsForTheOldAcceptThreadIsAnsweredAtOnce() throws Exception {
        CountDownLatch lingering = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch accepting = new CountDownLatch(1);
        simplesockets.impl.transport.Network network = AcceptHook.lingeringOnceClosed(accepting, lingering, release);
        try (TcpServer server = new ServerEngine(network, loopback().closeTimeout(Duration.ofMillis(200)).build(), null)) {
            server.start();
            assertTrue(accepting.await(5, TimeUnit.SECONDS), "the accept thread accepts");
            server.exitAccept();
            assertTrue(lingering.await(5, TimeUnit.SECONDS), "the accept thread lingers");
            CompletableFuture<Throwable> restarted = new CompletableFuture<>();
            Thread restarter = Thread.ofPlatform().start(() -> {
                try {
                    server.restart();
                    restarted.complete(null);
                } catch (Throwable e) {
                    restarted.complete(e);
                }
            });
            Peers.awaitCondition(() -> restarter.getState() == Thread.State.TIMED_WAITING, Duration.ofSeconds(5),
                    () -> "the restart did not begin to wait for the old accept thread");
            assertThrows(IllegalStateException.class, server::start, "a killed server is restarted, not started");
            assertFalse(restarted.isDone(), "the start was answered while the restart still waited");
            release.countDown();
            Throwable outcome = restarted.get(10, TimeUnit.SECONDS);
            if (outcome != null) {
                assertInstanceOf(BindException.class, outcome, "a restart that gave up says so");
            }
        } finally {
            release.countDown();
        }
    }
}
