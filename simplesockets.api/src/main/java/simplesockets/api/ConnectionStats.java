package simplesockets.api;

import java.time.Duration;
import java.util.Arrays;

/**
 * One connection's figures at one moment, from {@link Connection#stats()}: what it received and sent,
 * what waits in its queues now, and how often its reader was held back by backpressure.
 *
 * <p>The counts start at zero when the connection opens and only grow; after it ended they keep their
 * final values. {@link #queuedBytes()}, {@link #pendingBytes()} and {@link #isReaderStalled()} are
 * "now". Taking a snapshot takes no lock the connection's data path uses: each figure is read on its
 * own, so two figures of one snapshot may be a few bytes apart.
 *
 * <p>Made by the library; applications read it (tests may build one with {@link #builder()}). It is a
 * final class rather than a record so that a figure added later breaks no caller: nothing constructs
 * or deconstructs it by its components. Immutable and thread-safe.
 */
public final class ConnectionStats {

    private static final String[] NAMES = {"bytesIn", "bytesOut", "messagesIn", "messagesOut", "queuedBytes",
        "pendingBytes", "readerStalled", "readerStalls", "readerStallTime"};
    private static final int BYTES_IN = 0;
    private static final int BYTES_OUT = 1;
    private static final int MESSAGES_IN = 2;
    private static final int MESSAGES_OUT = 3;
    private static final int QUEUED = 4;
    private static final int PENDING = 5;
    private static final int STALLED = 6;
    private static final int STALLS = 7;
    private static final int STALL_NANOS = 8;

    private final long[] figures;

    private ConnectionStats(long[] figures) {
        this.figures = figures;
    }

    /**
     * A builder, for the library and for tests; every figure starts at zero.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Bytes received: read from the socket, framing included (after TLS decryption).
     *
     * @return the count since the connection opened
     */
    public long bytesIn() {
        return figures[BYTES_IN];
    }

    /**
     * Bytes sent: written to the socket, framing included (before TLS encryption). Bytes still pending
     * are counted once they are written.
     *
     * @return the count since the connection opened
     */
    public long bytesOut() {
        return figures[BYTES_OUT];
    }

    /**
     * Messages received: the pieces handed to the application (a frame, a line, or a raw piece).
     *
     * @return the count since the connection opened
     */
    public long messagesIn() {
        return figures[MESSAGES_IN];
    }

    /**
     * Messages sent: calls to {@link Connection#send(byte[])} that wrote or queued their bytes.
     *
     * @return the count since the connection opened
     */
    public long messagesOut() {
        return figures[MESSAGES_OUT];
    }

    /**
     * Received bytes waiting for polling now (polling style only), bounded by
     * {@link ServerOptions#maxQueuedBytesPerConnection()} or {@link ClientOptions#maxQueuedBytes()}.
     * Bytes of a connection that ended stay queued, and counted, until they are taken.
     *
     * @return bytes, without framing
     */
    public long queuedBytes() {
        return figures[QUEUED];
    }

    /**
     * Bytes of sends from other threads waiting for the connection's writer now, bounded by
     * {@link ServerOptions#maxPendingSendBytes()}; 0 once the connection ended.
     *
     * @return bytes, framing included
     */
    public long pendingBytes() {
        return figures[PENDING];
    }

    /**
     * Whether the connection's reader is held back now: it waits for received bytes to be taken
     * (backpressure; see {@link #readerStalls()}), so TCP flow control is slowing the peer.
     *
     * @return {@code true} while it waits
     */
    public boolean isReaderStalled() {
        return figures[STALLED] != 0;
    }

    /**
     * How many times the connection's reader waited for received bytes to be taken before it read on:
     * its own queued bytes at their bound, all connections' queued bytes at
     * {@link ServerOptions#maxQueuedBytesTotal()}, or the bytes in flight at that total while a frame
     * was arriving.
     *
     * @return the count since the connection opened, a wait in progress included
     */
    public long readerStalls() {
        return figures[STALLS];
    }

    /**
     * How long the connection's reader waited in all, as counted by {@link #readerStalls()}.
     *
     * @return the total, a wait in progress included
     */
    public Duration readerStallTime() {
        return Duration.ofNanos(figures[STALL_NANOS]);
    }

    /**
     * Equal when every figure is.
     *
     * @param other the other object
     * @return whether {@code other} is a {@code ConnectionStats} with the same figures
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof ConnectionStats that && Arrays.equals(figures, that.figures);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(figures);
    }

    /**
     * One line of {@code name=value} pairs, named as the accessors, with the stall time in
     * milliseconds: {@code ConnectionStats[bytesIn=64 bytesOut=64 messagesIn=1 ...]}.
     *
     * @return the line
     */
    @Override
    public String toString() {
        return Figures.line("ConnectionStats", NAMES, figures, STALL_NANOS, null);
    }

    /** Builds a {@link ConnectionStats}; not thread-safe. Every figure must not be negative. */
    public static final class Builder {

        private final long[] figures = new long[NAMES.length];

        private Builder() {
        }

        /**
         * Sets {@link ConnectionStats#bytesIn()}.
         *
         * @param bytes the figure
         * @return this builder
         */
        public Builder bytesIn(long bytes) {
            figures[BYTES_IN] = Figures.count("bytesIn", bytes);
            return this;
        }

        /**
         * Sets {@link ConnectionStats#bytesOut()}.
         *
         * @param bytes the figure
         * @return this builder
         */
        public Builder bytesOut(long bytes) {
            figures[BYTES_OUT] = Figures.count("bytesOut", bytes);
            return this;
        }

        /**
         * Sets {@link ConnectionStats#messagesIn()}.
         *
         * @param messages the figure
         * @return this builder
         */
        public Builder messagesIn(long messages) {
            figures[MESSAGES_IN] = Figures.count("messagesIn", messages);
            return this;
        }

        /**
         * Sets {@link ConnectionStats#messagesOut()}.
         *
         * @param messages the figure
         * @return this builder
         */
        public Builder messagesOut(long messages) {
            figures[MESSAGES_OUT] = Figures.count("messagesOut", messages);
            return this;
        }

        /**
         * Sets {@link ConnectionStats#queuedBytes()}.
         *
         * @param bytes the figure
         * @return this builder
         */
        public Builder queuedBytes(long bytes) {
            figures[QUEUED] = Figures.count("queuedBytes", bytes);
            return this;
        }

        /**
         * Sets {@link ConnectionStats#pendingBytes()}.
         *
         * @param bytes the figure
         * @return this builder
         */
        public Builder pendingBytes(long bytes) {
            figures[PENDING] = Figures.count("pendingBytes", bytes);
            return this;
        }

        /**
         * Sets {@link ConnectionStats#isReaderStalled()}.
         *
         * @param stalled the figure
         * @return this builder
         */
        public Builder readerStalled(boolean stalled) {
            figures[STALLED] = stalled ? 1 : 0;
            return this;
        }

        /**
         * Sets {@link ConnectionStats#readerStalls()}.
         *
         * @param stalls the figure
         * @return this builder
         */
        public Builder readerStalls(long stalls) {
            figures[STALLS] = Figures.count("readerStalls", stalls);
            return this;
        }

        /**
         * Sets {@link ConnectionStats#readerStallTime()}.
         *
         * @param time the figure
         * @return this builder
         * @throws NullPointerException if {@code time} is {@code null}
         * @throws IllegalArgumentException if {@code time} is negative, or too long to count in nanoseconds
         */
        public Builder readerStallTime(Duration time) {
            figures[STALL_NANOS] = Figures.nanos("readerStallTime", time);
            return this;
        }

        /**
         * The snapshot.
         *
         * @return a new {@link ConnectionStats} with the figures set so far
         */
        public ConnectionStats build() {
            return new ConnectionStats(figures.clone());
        }
    }
}
