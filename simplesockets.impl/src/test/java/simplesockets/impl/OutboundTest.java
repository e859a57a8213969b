package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertSame;
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

/** A connection's write path when its writer fails. */
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
        Outbound.Ends ends = new Outbound.Ends() {
            @Override
            public void writeFailed(IOException e) {
                seenByWriter[0] = e;
                reporting.countDown();
                try {
                    reported.await(10, TimeUnit.SECONDS); // the own thread's send comes now
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public IOException overflowed(int limit) {
                return new IOException("overflow");
            }

            @Override
            public IOException closed() {
                return new IOException("closed");
            }
        };
        Scope scope = new Scope("simplesockets-outboundtest-");
        Clock clock = new SteppedClock();
        Outbound out = new Outbound(new TimedWrites(new Failing(reset), clock, new Meter(null, null)), clock, scope, ends,
                1 << 20, SendOverflow.WAIT, new Budget(Long.MAX_VALUE));
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

    /** A transport whose writes fail with {@code failure}. */
    private record Failing(IOException failure) implements Transport {
        @Override
        public int read(byte[] buffer, int offset, int length) {
            return -1;
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            throw failure;
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
