package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Which threads are a scope's own: a second close from one of them must not wait for the first close,
 * which waits for it. A connection's writer is a child thread the scope does not track, and it runs
 * callbacks too (a failed write's onFailure); it waited like a stranger.
 */
@Timeout(30)
class ScopeTest {

    @Test
    void forkedAndChildThreadsAreTheScopesOwnAndNoOtherIs() throws Exception {
        Scope scope = new Scope("simplesockets-scopetest-");
        Scope other = new Scope("simplesockets-other-");
        try {
            CompletableFuture<List<Boolean>> forked = new CompletableFuture<>();
            scope.fork("conn", () -> forked.complete(List.of(scope.owns(Thread.currentThread()),
                    other.owns(Thread.currentThread()))));
            CompletableFuture<List<Boolean>> child = new CompletableFuture<>();
            scope.child("writer", () -> child.complete(List.of(scope.owns(Thread.currentThread()),
                    other.owns(Thread.currentThread())))).start();
            assertEquals(List.of(true, false), forked.get(5, TimeUnit.SECONDS), "a forked thread");
            assertEquals(List.of(true, false), child.get(5, TimeUnit.SECONDS), "a child thread, not tracked");
            assertFalse(scope.owns(Thread.currentThread()), "the test's own thread is no one's");
            CompletableFuture<Boolean> stranger = new CompletableFuture<>();
            Thread.ofVirtual().name("simplesockets-scopetes").start(() -> stranger.complete(scope.owns(Thread.currentThread())));
            assertFalse(stranger.get(5, TimeUnit.SECONDS), "a name that is not the scope's prefix");
        } finally {
            assertTrue(scope.close(Duration.ofSeconds(5)).isEmpty());
            other.close(Duration.ofSeconds(5));
        }
    }

    /**
     * A connection's thread runs its task with no frame of the scope's beneath it and leaves the scope
     * itself: it is still the scope's to join and, once late, to interrupt.
     */
    @Test
    void aThreadThatLeavesItselfIsJoinedAndInterruptedByClose() throws Exception {
        Scope scope = new Scope("simplesockets-scopetest-", Peers.WAIT); // time to end once interrupted, on a loaded machine
        CountDownLatch running = new CountDownLatch(1);
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        Thread leaving = scope.forkLeaving("conn", () -> {
            try {
                running.countDown();
                new CountDownLatch(1).await(); // until the close, late, interrupts it
                interrupted.complete(false);
            } catch (InterruptedException e) {
                interrupted.complete(true);
            } finally {
                scope.leave();
            }
        });
        assertTrue(running.await(5, TimeUnit.SECONDS));
        assertEquals(1, scope.tracked(), "tracked while it runs");
        assertTrue(scope.close(Duration.ofMillis(50)).isEmpty(), "it ended once interrupted");
        assertTrue(interrupted.get(5, TimeUnit.SECONDS), "the close knew it and interrupted it");
        assertFalse(leaving.isAlive(), "the close joined it");
        assertEquals(0, scope.tracked(), "it left");
    }

    /**
     * A child thread whose owner gave up waiting for it (a connection's writer still in a user's
     * {@code onFailure} when the connection's thread ends) is the scope's to join: a close that is under
     * way when the owner hands it over joins it within the same deadline, and names it if it outlives the
     * close. Before, such a writer ran on after close() returned, and nothing named it.
     */
    @Test
    void aChildItsOwnerGaveUpOnIsJoinedAndNamedByAClose() throws Exception {
        Scope scope = new Scope("simplesockets-scopetest-");
        CountDownLatch handOver = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch childStarted = new CountDownLatch(1);
        Thread[] child = {null};
        scope.fork("conn", () -> {
            child[0] = scope.child("writer", () -> Peers.holdIgnoringInterrupts(release, Duration.ofSeconds(10)));
            child[0].start();
            childStarted.countDown();
            try {
                handOver.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            scope.adopt(child[0]); // as a connection's thread does once its wait for the writer is over
        });
        // the owner makes its child before the close begins: a closed scope makes none (and the owner ends)
        assertTrue(childStarted.await(5, TimeUnit.SECONDS), "the owner started its child");
        CompletableFuture<List<Thread>> closed = new CompletableFuture<>();
        Thread closer = Thread.ofPlatform().start(() -> closed.complete(scope.close(Duration.ofSeconds(3))));
        try {
            Peers.awaitCondition(() -> closer.getState() == Thread.State.TIMED_WAITING, Duration.ofSeconds(5),
                    () -> "the close did not begin to join");
            handOver.countDown(); // the close is joining the owner now: the child is handed over after it looked
            List<Thread> alive = closed.get(10, TimeUnit.SECONDS);
            assertEquals(List.of(child[0]), alive, "the child, late and ignoring its interrupt, is named");
        } finally {
            release.countDown();
        }
        child[0].join(Duration.ofSeconds(5));
        assertFalse(child[0].isAlive());
    }
}
