package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import simplesockets.api.KeepAlive;
import simplesockets.api.SendOverflow;
import simplesockets.api.TlsOptions;
import simplesockets.impl.time.Clock;
import simplesockets.impl.time.SteppedClock;
import simplesockets.impl.transport.PeerResetException;
import simplesockets.impl.transport.Transport;

/** A connection's write path: when its writer fails, when it stops, and after a disconnect. */
@Timeout(30)
class OutboundTest {

    /**
     * A send of the connection's own thread that comes while the failed writer is still reporting its
     * failure fails with the writer's own exception, so the connection ends for that reason (a reset
     * stays a reset, not recorded) whichever thread decides it. It failed with an exception of its own
     * ("the connection's writer failed"), which could decide the end as a recorded failure.
     */
    @Test
    void aSendWhileTheFailedWriterReportsFailsWithTheWritersException() throws Exception {
        PeerResetException reset = new PeerResetException("Connection reset, for the test");
        CountDownLatch reporting = new CountDownLatch(1);
        CountDownLatch reported = new CountDownLatch(1);
        IOException[] seenByWriter = {null};
        Outbound.Ends ends = new Ends(e -> {
            seenByWriter[0] = e;
            reporting.countDown();
            try {
                reported.await(10, TimeUnit.SECONDS); // the own thread's send comes now
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        });
        Scope scope = new Scope("simplesockets-outboundtest-");
        Clock clock = new SteppedClock();
        Outbound out = outbound(() -> {
            throw reset;
        }, ends, scope, clock);
        try {
            out.sendQueued(new byte[10]); // another thread's send: the writer writes it, and fails
            assertTrue(reporting.await(10, TimeUnit.SECONDS), "the writer reports its failure");
            IOException own = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> out.sendOwn(new byte[10]));
            assertSame(reset, own, "the writer's own exception");
            assertSame(reset, seenByWriter[0]);
        } finally {
            reported.countDown();
            out.close();
            scope.close(java.time.Duration.ofSeconds(5));
        }
    }

    /**
     * What waits for the writer to stop (a disconnect's wake-up of the reader, which may close a TLS
     * transport) runs once, on the writer, after the writer let go of the write lock: another thread can
     * take that lock meanwhile. It ran inside the queue's last step, under the lock.
     */
    @Test
    void whatWaitsForTheWriterRunsOnceItLetGoOfTheWriteLock() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch writeRelease = new CountDownLatch(1);
        Scope scope = new Scope("simplesockets-outboundtest-");
        Clock clock = new SteppedClock();
        Outbound out = outbound(() -> {
            writing.countDown();
            try {
                writeRelease.await(10, TimeUnit.SECONDS); // a peer that reads late
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, ENDS, scope, clock);
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CompletableFuture<String> seen = new java.util.concurrent.CompletableFuture<>();
        try {
            out.sendQueued(new byte[10]);
            assertTrue(writing.await(10, TimeUnit.SECONDS), "the writer writes");
            out.whenWritten(() -> {
                runs.incrementAndGet();
                java.util.concurrent.CompletableFuture<Boolean> tookLock = new java.util.concurrent.CompletableFuture<>();
                Thread probe = Thread.ofPlatform().start(() -> {
                    try {
                        tookLock.complete(out.flushGathered(java.time.Duration.ZERO)); // a tryLock, from another thread
                    } catch (Exception e) {
                        tookLock.completeExceptionally(e);
                    }
                });
                try {
                    probe.join(java.time.Duration.ofSeconds(10));
                    seen.complete(Thread.currentThread().getName() + ", lock free: " + tookLock.getNow(null));
                } catch (InterruptedException e) {
                    seen.completeExceptionally(e);
                }
            });
            assertFalse(seen.isDone(), "it waits while the writer writes");
            writeRelease.countDown();
            String where = seen.get(10, TimeUnit.SECONDS);
            assertTrue(where.contains("writer") && where.endsWith("lock free: true"), where);
            assertTrue(out.awaitFlushed(java.time.Duration.ofSeconds(10)), "written");
            assertEquals(1, runs.get(), "run once");
        } finally {
            writeRelease.countDown();
            out.close();
            scope.close(java.time.Duration.ofSeconds(5));
        }
    }

    /**
     * A disconnect that came before any send was queued refuses the queued sends that come after it, as
     * one that came after the first queued send does: the queue made later refused nothing, and its
     * sends went out after the disconnect had been decided.
     */
    @Test
    void aQueuedSendAfterADisconnectIsRefusedEvenIfItsQueueIsNew() {
        Scope scope = new Scope("simplesockets-outboundtest-");
        Clock clock = new SteppedClock();
        Outbound out = outbound(() -> { }, ENDS, scope, clock);
        try {
            out.refuseNew(); // a user's disconnect, with no queue yet
            IOException refused = assertThrows(IOException.class, () -> out.sendQueued(new byte[10]));
            assertEquals("closed", refused.getMessage());
        } finally {
            out.close();
            scope.close(java.time.Duration.ofSeconds(5));
        }
    }

    /** Ends whose exceptions say which they are; a failed write is not expected. */
    private static final Outbound.Ends ENDS = new Ends(e -> {
        throw new AssertionError("no write fails here", e);
    });

    /** Ends that hand a failed write to {@code writeFailed}, and whose exceptions say which they are. */
    private record Ends(java.util.function.Consumer<IOException> writeFailed) implements Outbound.Ends {
        @Override
        public void writeFailed(IOException e) {
            writeFailed.accept(e);
        }

        @Override
        public IOException overflowed(int limit) {
            return new IOException("overflow");
        }

        @Override
        public IOException closed() {
            return new IOException("closed");
        }
    }

    /** A write path over a {@link Scripted} transport, with a bound of 1 MiB that senders wait for. */
    private static Outbound outbound(Write write, Outbound.Ends ends, Scope scope, Clock clock) {
        return new Outbound(new TimedWrites(new Scripted(write), clock, new Meter(null, null)), clock, scope, ends,
                1 << 20, SendOverflow.WAIT, new Budget(Long.MAX_VALUE));
    }

    /** What a {@link Scripted} transport's write does. */
    private interface Write {
        void run() throws IOException;
    }

    /** A transport whose writes do what the test says (fail, or wait), and whose reads see the end. */
    private record Scripted(Write write) implements Transport {
        @Override
        public int read(byte[] buffer, int offset, int length) {
            return -1;
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            write.run();
        }

        @Override
        public void shutdownOutput() {
        }

        @Override
        public void shutdownInput() {
        }

        @Override
        public void configure(boolean tcpNoDelay, boolean keepAlive, KeepAlive tuning) {
        }

        @Override
        public Transport startTls(TlsOptions tls, boolean clientMode, String peerHost, Clock clock) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return new InetSocketAddress("127.0.0.1", 1);
        }

        @Override
        public InetSocketAddress localAddress() {
            return new InetSocketAddress("127.0.0.1", 2);
        }
    }
}
