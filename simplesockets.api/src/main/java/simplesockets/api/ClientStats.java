package simplesockets.api;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * A client's figures at one moment, from {@link TcpClient#stats()}: its connections over its life
 * (made, ended), their bytes and messages, what waits in its queues now, how often its reader was held
 * back by backpressure, slow-consumer cut-offs, dropped events and failures by kind.
 *
 * <p>The counts start at zero when the client is created and only grow, across reconnects.
 * {@link #queuedBytes()}, {@link #pendingBytes()} and {@link #isReaderStalled()} are "now". Taking a
 * snapshot takes no lock the connection's data path uses.
 *
 * <p>Made by the library; applications read it (tests may build one with {@link #builder()}). It is a
 * final class rather than a record so that a figure added later breaks no caller: nothing constructs
 * or deconstructs it by its components. Immutable and thread-safe.
 */
public final class ClientStats {

    private static final String[] NAMES = {
        "connects", "disconnects", "bytesIn", "bytesOut", "messagesIn",
        "messagesOut", "queuedBytes", "pendingBytes", "readerStalled", "readerStalls",
        "readerStallTime", "slowConsumers", "droppedEvents", "droppedExceptions"};
    private static final int CONNECTS = 0;
    private static final int DISCONNECTS = 1;
    private static final int BYTES_IN = 2;
    private static final int BYTES_OUT = 3;
    private static final int MESSAGES_IN = 4;
    private static final int MESSAGES_OUT = 5;
    private static final int QUEUED = 6;
    private static final int PENDING = 7;
    private static final int STALLED = 8;
    private static final int STALLS = 9;
    private static final int STALL_NANOS = 10;
    private static final int SLOW_CONSUMERS = 11;
    private static final int DROPPED_EVENTS = 12;
    private static final int DROPPED_EXCEPTIONS = 13;

    private final long[] figures;
    private final Map<Class<? extends Failure>, Long> failures;

    private ClientStats(long[] figures, Map<Class<? extends Failure>, Long> failures) {
        this.figures = figures;
        this.failures = failures;
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
     * Connections made: every successful connect, by {@code connect()}, {@code reconnect()} or the
     * reconnect policy.
     *
     * @return the count since the client was created
     */
    public long connects() {
        return figures[CONNECTS];
    }

    /**
     * Connections that ended, whatever the reason.
     *
     * @return the count since the client was created
     */
    public long disconnects() {
        return figures[DISCONNECTS];
    }

    /**
     * Bytes received on every connection: read from the sockets, framing included (after TLS
     * decryption). See {@link ConnectionStats#bytesIn()}.
     *
     * @return the count since the client was created
     */
    public long bytesIn() {
        return figures[BYTES_IN];
    }

    /**
     * Bytes sent on every connection: written to the sockets, framing included (before TLS
     * encryption). See {@link ConnectionStats#bytesOut()}.
     *
     * @return the count since the client was created
     */
    public long bytesOut() {
        return figures[BYTES_OUT];
    }

    /**
     * Messages received on every connection: the pieces handed to the application.
     *
     * @return the count since the client was created
     */
    public long messagesIn() {
        return figures[MESSAGES_IN];
    }

    /**
     * Messages sent on every connection: sends that wrote or queued their bytes.
     *
     * @return the count since the client was created
     */
    public long messagesOut() {
        return figures[MESSAGES_OUT];
    }

    /**
     * Received bytes waiting for polling now, of every connection (those of connections that
     * ended included, until taken).
     *
     * @return bytes, without framing
     */
    public long queuedBytes() {
        return figures[QUEUED];
    }

    /**
     * Bytes of sends from other threads waiting for the connections' writers now.
     *
     * @return bytes, framing included
     */
    public long pendingBytes() {
        return figures[PENDING];
    }

    /**
     * Whether the reader of the current connection is held back by backpressure now (see
     * {@link ConnectionStats#isReaderStalled()}).
     *
     * @return {@code true} while it waits
     */
    public boolean isReaderStalled() {
        return figures[STALLED] != 0;
    }

    /**
     * How many times a reader waited for received bytes to be taken: backpressure (see
     * {@link ConnectionStats#readerStalls()}).
     *
     * @return the count since the client was created, waits in progress included
     */
    public long readerStalls() {
        return figures[STALLS];
    }

    /**
     * How long readers waited in all, as counted by {@link #readerStalls()}.
     *
     * @return the total, waits in progress included
     */
    public Duration readerStallTime() {
        return Duration.ofNanos(figures[STALL_NANOS]);
    }

    /**
     * How many connections were cut off as slow consumers: their pending sends passed
     * {@code maxPendingSendBytes} (see {@link DisconnectReason.SlowConsumer}).
     *
     * @return the count since the client was created
     */
    public long slowConsumers() {
        return figures[SLOW_CONSUMERS];
    }

    /**
     * Events waiting for polling that were dropped because their queue was full: the same as
     * {@link TcpClient#droppedEvents()}.
     *
     * @return the count since the client was created
     */
    public long droppedEvents() {
        return figures[DROPPED_EVENTS];
    }

    /**
     * Recorded failures dropped from the exception list because it was full: the same as
     * {@link TcpClient#droppedExceptions()}.
     *
     * @return the count since the client was created
     */
    public long droppedExceptions() {
        return figures[DROPPED_EXCEPTIONS];
    }

    /**
     * Recorded failures by kind: every {@link Failure} recorded since the client was created,
     * those dropped from the exception list included.
     *
     * @return the counts by kind ({@link Failure.Io}, {@link Failure.Tls}, ...), in the order of
     *         {@link Failure}'s kinds; kinds that never happened are left out; unmodifiable
     */
    public Map<Class<? extends Failure>, Long> failures() {
        return failures;
    }

    /**
     * How many failures of one kind were recorded (see {@link #failures()}).
     *
     * @param kind the kind, such as {@code Failure.Io.class}
     * @return the count, 0 if none
     * @throws NullPointerException if {@code kind} is {@code null}
     */
    public long failures(Class<? extends Failure> kind) {
        return failures.getOrDefault(java.util.Objects.requireNonNull(kind, "kind"), 0L);
    }

    /**
     * Equal when every figure is.
     *
     * @param other the other object
     * @return whether {@code other} is a {@code ClientStats} with the same figures
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof ClientStats that && Arrays.equals(figures, that.figures) && failures.equals(that.failures);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(figures) + failures.hashCode();
    }

    /**
     * One line of {@code name=value} pairs, named as the accessors, with the stall time in
     * milliseconds and the failures by kind last: {@code ClientStats[connects=1 ... failures={Io=2}]}.
     *
     * @return the line
     */
    @Override
    public String toString() {
        return Figures.line("ClientStats", NAMES, figures, STALL_NANOS, failures);
    }

    /** Builds a {@link ClientStats}; not thread-safe. Every figure must not be negative. */
    public static final class Builder {

        private final long[] figures = new long[NAMES.length];
        private Map<Class<? extends Failure>, Long> failures = Map.of();

        private Builder() {
        }

        /**
         * Sets {@link ClientStats#connects()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder connects(long value) {
            figures[CONNECTS] = Figures.count("connects", value);
            return this;
        }

        /**
         * Sets {@link ClientStats#disconnects()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder disconnects(long value) {
            figures[DISCONNECTS] = Figures.count("disconnects", value);
            return this;
        }

        /**
         * Sets {@link ClientStats#bytesIn()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder bytesIn(long value) {
            figures[BYTES_IN] = Figures.count("bytesIn", value);
            return this;
        }

        /**
         * Sets {@link ClientStats#bytesOut()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder bytesOut(long value) {
            figures[BYTES_OUT] = Figures.count("bytesOut", value);
            return this;
        }

        /**
         * Sets {@link ClientStats#messagesIn()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder messagesIn(long value) {
            figures[MESSAGES_IN] = Figures.count("messagesIn", value);
            return this;
        }

        /**
         * Sets {@link ClientStats#messagesOut()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder messagesOut(long value) {
            figures[MESSAGES_OUT] = Figures.count("messagesOut", value);
            return this;
        }

        /**
         * Sets {@link ClientStats#queuedBytes()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder queuedBytes(long value) {
            figures[QUEUED] = Figures.count("queuedBytes", value);
            return this;
        }

        /**
         * Sets {@link ClientStats#pendingBytes()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder pendingBytes(long value) {
            figures[PENDING] = Figures.count("pendingBytes", value);
            return this;
        }

        /**
         * Sets {@link ClientStats#isReaderStalled()}.
         *
         * @param readerStalled the figure
         * @return this builder
         */
        public Builder readerStalled(boolean readerStalled) {
            figures[STALLED] = readerStalled ? 1 : 0;
            return this;
        }

        /**
         * Sets {@link ClientStats#readerStalls()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder readerStalls(long value) {
            figures[STALLS] = Figures.count("readerStalls", value);
            return this;
        }

        /**
         * Sets {@link ClientStats#readerStallTime()}.
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
         * Sets {@link ClientStats#slowConsumers()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder slowConsumers(long value) {
            figures[SLOW_CONSUMERS] = Figures.count("slowConsumers", value);
            return this;
        }

        /**
         * Sets {@link ClientStats#droppedEvents()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder droppedEvents(long value) {
            figures[DROPPED_EVENTS] = Figures.count("droppedEvents", value);
            return this;
        }

        /**
         * Sets {@link ClientStats#droppedExceptions()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder droppedExceptions(long value) {
            figures[DROPPED_EXCEPTIONS] = Figures.count("droppedExceptions", value);
            return this;
        }

        /**
         * Sets {@link ClientStats#failures()}.
         *
         * @param counts the counts by kind; zero counts are left out
         * @return this builder
         * @throws NullPointerException     if {@code counts}, a kind or a count is {@code null}
         * @throws IllegalArgumentException if a count is negative, or a key is not a kind of {@link Failure}
         */
        public Builder failures(Map<Class<? extends Failure>, Long> counts) {
            this.failures = Figures.failures(counts);
            return this;
        }

        /**
         * The snapshot.
         *
         * @return a new {@link ClientStats} with the figures set so far
         */
        public ClientStats build() {
            return new ClientStats(figures.clone(), failures);
        }
    }
}
