package simplesockets.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.impl.time.SteppedClock;
import simplesockets.impl.transport.PeerResetException;

/**
 * One direction of an in-memory connection against what TCP does, where the difference would let a
 * user's test pass that fails over real sockets.
 */
@Timeout(30)
class PipeTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String read(Pipe pipe) throws IOException {
        byte[] buffer = new byte[1024];
        int n = pipe.read(buffer, 0, buffer.length, WAIT.toNanos());
        return n < 0 ? null : new String(buffer, 0, n, StandardCharsets.US_ASCII);
    }

    /** A read takes every write that has arrived, as a socket's does: two quick sends can be one piece. */
    @Test
    void aReadTakesWhatSeveralWritesPutIn() throws IOException {
        Pipe pipe = new Pipe(1024);
        pipe.write(bytes("one "), 0, 4);
        pipe.write(bytes("two "), 0, 4);
        pipe.write(bytes("three"), 0, 5);
        assertEquals("one two three", read(pipe));
    }

    /** ... up to the reader's buffer, and the rest stays for the next read. */
    @Test
    void aReadTakesNoMoreThanItsBuffer() throws IOException {
        Pipe pipe = new Pipe(1024);
        pipe.write(bytes("abc"), 0, 3);
        pipe.write(bytes("def"), 0, 3);
        byte[] small = new byte[4];
        assertEquals(4, pipe.read(small, 0, 4, WAIT.toNanos()));
        assertEquals("abcd", new String(small, StandardCharsets.US_ASCII));
        assertEquals("ef", read(pipe));
    }

    /** A fragmenting fault still splits reads, across writes too. */
    @Test
    void aFragmentLimitsAReadAcrossWrites() throws IOException {
        Pipe pipe = new Pipe(1024);
        pipe.fragment(3);
        pipe.write(bytes("ab"), 0, 2);
        pipe.write(bytes("cd"), 0, 2);
        assertEquals("abc", read(pipe));
        assertEquals("d", read(pipe));
    }

    /**
     * After the connection closed under both ends, the first write is taken and dropped, as TCP takes
     * it; the next fails as a broken pipe, since the peer's reset answered the first. (Writes were
     * dropped for ever: a sender never learned the peer was gone.)
     */
    @Test
    void afterACloseTheFirstWriteIsTakenAndTheNextFails() throws IOException {
        Pipe out = new Pipe(1024);
        Pipe in = new Pipe(1024);
        Pipe.endBoth(out, in);
        out.write(bytes("late"), 0, 4);
        IOException second = assertThrows(IOException.class, () -> out.write(bytes("later"), 0, 5));
        assertTrue(second instanceof PeerResetException, second.toString());
        assertEquals(null, read(in), "the other direction ends after what was in flight");
    }

    /**
     * Writes from two threads never mix, as on a socket, whose write holds its lock to the last byte:
     * each waits for room in a small pipe while the other could go on. (They interleaved.)
     */
    @Test
    void writesFromTwoThreadsStayWhole() throws Exception {
        for (int round = 0; round < 20; round++) {
            Pipe pipe = new Pipe(16);
            byte[] a = new byte[256];
            byte[] b = new byte[256];
            Arrays.fill(a, (byte) 'a');
            Arrays.fill(b, (byte) 'b');
            CompletableFuture<Void> first = CompletableFuture.runAsync(() -> write(pipe, a), Thread::startVirtualThread);
            CompletableFuture<Void> second = CompletableFuture.runAsync(() -> write(pipe, b), Thread::startVirtualThread);
            byte[] got = new byte[512];
            int n = 0;
            while (n < got.length) {
                int r = pipe.read(got, n, Math.min(7, got.length - n), WAIT.toNanos());
                assertTrue(r > 0, "the writes ended early");
                n += r;
            }
            first.get(5, TimeUnit.SECONDS);
            second.get(5, TimeUnit.SECONDS);
            byte lead = got[0];
            for (int i = 0; i < got.length; i++) {
                assertEquals(i < 256 ? lead : (byte) ('a' + 'b' - lead), got[i], "round " + round + ": byte " + i + " of one write came amid the other's");
            }
        }
    }

    /** A read of {@code pipe} on a thread of its own. */
    private static CompletableFuture<String> readingOn(Pipe pipe) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return read(pipe);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
    }

    private static void write(Pipe pipe, byte[] data) {
        try {
            pipe.write(data, 0, data.length);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A read that data has woken is no longer counted as waiting, even before it runs again: a test
     * that waits for the server's next read must not take the read that is about to return for it.
     */
    @Test
    void aReadWokenByDataNoLongerCountsAsWaiting() throws Exception {
        Pipe pipe = new Pipe(1024);
        CompletableFuture<String> reading = readingOn(pipe);
        assertTrue(pipe.awaitReaderWaiting(WAIT), "the read waits");
        pipe.write(bytes("x"), 0, 1);
        assertFalse(pipe.awaitReaderWaiting(Duration.ZERO), "the read that the write woke still counted as waiting");
        assertEquals("x", reading.get(5, TimeUnit.SECONDS));
        assertFalse(pipe.awaitReaderWaiting(Duration.ZERO), "no read waits now");
    }

    /**
     * Shutting down the input ends a read that waits for delayed bytes, on a manual clock too: they have
     * not arrived. (The read waited until the test moved the clock.)
     */
    @Test
    void shuttingDownTheInputEndsAReadThatWaitsForDelayedBytes() throws Exception {
        SteppedClock clock = new SteppedClock();
        Pipe pipe = new Pipe(1024, clock);
        pipe.delay(Duration.ofSeconds(1));
        pipe.write(bytes("later"), 0, 5);
        CompletableFuture<String> reading = readingOn(pipe);
        assertTrue(pipe.awaitReaderWaiting(WAIT), "the read waits for the delayed bytes");
        pipe.shutdownReader();
        assertEquals(null, reading.get(5, TimeUnit.SECONDS), "end of stream at once");
    }

    /** Every write is recorded whole, in order, whatever the reads made of them. */
    @Test
    void theRecordKeepsEachWrite() throws Exception {
        Pipe pipe = new Pipe(1024);
        pipe.write(bytes("ab"), 0, 2);
        pipe.write(bytes("cd"), 0, 2);
        assertEquals("abcd", read(pipe));
        assertArrayEquals(bytes("ab"), pipe.take(WAIT).orElseThrow());
        assertArrayEquals(bytes("cd"), pipe.take(WAIT).orElseThrow());
    }

    /**
     * A delayed write on a manual clock wakes its reader once the clock reaches the bytes' time, even when
     * the clock moves on while the write sets its timer (another thread's step): the timer was set from the
     * later time, so a step to the bytes' time left the reader asleep until its read timed out.
     */
    @Test
    void aDelayedWriteWakesItsReaderAtItsTimeThoughTheClockMovedMeanwhile() throws Exception {
        SteppedClock stepped = new SteppedClock();
        simplesockets.impl.time.Clock movesWhileATimerIsSet = new simplesockets.impl.time.Clock() {
            @Override
            public long nanoTime() {
                return stepped.nanoTime();
            }

            @Override
            public java.time.Instant now() {
                return stepped.now();
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                stepped.sleep(duration);
            }

            @Override
            public Timer schedule(Duration delay, Runnable task) {
                stepped.advance(Duration.ofMillis(500)); // another thread's step, just before
                return stepped.schedule(delay, task);
            }

            @Override
            public Timer scheduleAt(long atNanos, Runnable task) {
                stepped.advance(Duration.ofMillis(500));
                return stepped.scheduleAt(atNanos, task);
            }
        };
        Pipe pipe = new Pipe(1024, movesWhileATimerIsSet);
        pipe.delay(Duration.ofSeconds(1));
        CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
            try { // a read's own timeout would find the bytes there, late: it is far longer than the test waits
                return pipe.read(new byte[16], 0, 16, TimeUnit.SECONDS.toNanos(20));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertTrue(pipe.awaitReaderWaiting(WAIT));
        pipe.write(bytes("late"), 0, 4); // at 0 s, due at 1 s; the clock is at 0.5 s once the timer is set
        assertTrue(pipe.awaitReaderWaiting(WAIT), "the reader looked again, and waits for the bytes' time");
        stepped.advance(Duration.ofMillis(500)); // 1 s: the bytes' time
        assertEquals(4, read.get(WAIT.toMillis(), TimeUnit.MILLISECONDS), "woken at the bytes' time");
    }
}
