package simplesockets.api;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * A server's figures at one moment, from {@link TcpServer#stats()}: its connections (open, accepted,
 * refused, closed), the bytes and messages of all of them, what waits in their queues now, its readers
 * held back by backpressure, slow consumers cut off, dropped events and failures by kind.
 *
 * <p>The counts start at zero when the server is created and only grow: figures of connections that
 * ended are kept. {@link #connectionsOpen()}, {@link #queuedBytes()}, {@link #pendingBytes()} and
 * {@link #readersStalled()} are "now". Taking a snapshot takes no lock the connections' data path uses:
 * each connection's counters, which only its own threads write, are added up on request.
 *
 * <p>Made by the library; applications read it (tests may build one with {@link #builder()}). It is a
 * final class rather than a record so that a figure added later breaks no caller: nothing constructs
 * or deconstructs it by its components. Immutable and thread-safe.
 */
public final class ServerStats {

    private static final String[] NAMES = {
        "connectionsOpen", "connectionsAccepted", "connectionsRefused", "connectionsClosed", "bytesIn",
        "bytesOut", "messagesIn", "messagesOut", "queuedBytes", "pendingBytes",
        "readersStalled", "readerStalls", "readerStallTime", "slowConsumers", "droppedEvents",
        "droppedExceptions"};
    private static final int OPEN = 0;
    private static final int ACCEPTED = 1;
    private static final int REFUSED = 2;
    private static final int CLOSED = 3;
    private static final int BYTES_IN = 4;
    private static final int BYTES_OUT = 5;
    private static final int MESSAGES_IN = 6;
    private static final int MESSAGES_OUT = 7;
    private static final int QUEUED = 8;
    private static final int PENDING = 9;
    private static final int STALLED = 10;
    private static final int STALLS = 11;
    private static final int STALL_NANOS = 12;
    private static final int SLOW_CONSUMERS = 13;
    private static final int DROPPED_EVENTS = 14;
    private static final int DROPPED_EXCEPTIONS = 15;

    private final long[] figures;
    private final Map<Class<? extends Failure>, Long> failures;

    private ServerStats(long[] figures, Map<Class<? extends Failure>, Long> failures) {
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
     * Connections open now: the size of {@link TcpServer#clients()}.
     *
     * @return the count now
     */
    public long connectionsOpen() {
        return figures[OPEN];
    }

    /**
     * Connections accepted and given a slot and a thread, those whose PROXY protocol header or TLS
     * handshake then failed (or never began: a balancer's health check) included. Those never count as
     * open or closed, so accepted minus open minus closed is how many of them there were, plus the
     * connections still in their header or handshake, or ended but still writing their last sends.
     *
     * @return the count since the server was created
     */
    public long connectionsAccepted() {
        return figures[ACCEPTED];
    }

    /**
     * Connections closed at once because the server was paused, killed, closing, or full
     * ({@link ServerOptions#maxConnections()}).
     *
     * @return the count since the server was created
     */
    public long connectionsRefused() {
        return figures[REFUSED];
    }

    /**
     * Connections that ended, whatever the reason (each was reported disconnected).
     *
     * @return the count since the server was created
     */
    public long connectionsClosed() {
        return figures[CLOSED];
    }

    /**
     * Bytes received on every connection: read from the sockets, framing included (after TLS
     * decryption). See {@link ConnectionStats#bytesIn()}.
     *
     * @return the count since the server was created
     */
    public long bytesIn() {
        return figures[BYTES_IN];
    }

    /**
     * Bytes sent on every connection: written to the sockets, framing included (before TLS
     * encryption). See {@link ConnectionStats#bytesOut()}.
     *
     * @return the count since the server was created
     */
    public long bytesOut() {
        return figures[BYTES_OUT];
    }

    /**
     * Messages received on every connection: the pieces handed to the application.
     *
     * @return the count since the server was created
     */
    public long messagesIn() {
        return figures[MESSAGES_IN];
    }

    /**
     * Messages sent on every connection: sends that wrote or queued their bytes.
     *
     * @return the count since the server was created
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
     * Connections whose reader is held back by backpressure now (see
     * {@link ConnectionStats#isReaderStalled()}).
     *
     * @return the count now
     */
    public long readersStalled() {
        return figures[STALLED];
    }

    /**
     * How many times a reader waited for received bytes to be taken: backpressure (see
     * {@link ConnectionStats#readerStalls()}).
     *
     * @return the count since the server was created, waits in progress included
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
     * @return the count since the server was created
     */
    public long slowConsumers() {
        return figures[SLOW_CONSUMERS];
    }

    /**
     * Events waiting for polling that were dropped because their queue was full: the same as
     * {@link TcpServer#droppedEvents()}.
     *
     * @return the count since the server was created
     */
    public long droppedEvents() {
        return figures[DROPPED_EVENTS];
    }

    /**
     * Recorded failures dropped from the exception list because it was full: the same as
     * {@link TcpServer#droppedExceptions()}.
     *
     * @return the count since the server was created
     */
    public long droppedExceptions() {
        return figures[DROPPED_EXCEPTIONS];
    }

    /**
     * Recorded failures by kind: every {@link Failure} recorded since the server was created,
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
     * @return whether {@code other} is a {@code ServerStats} with the same figures
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof ServerStats that && Arrays.equals(figures, that.figures) && failures.equals(that.failures);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(figures) + failures.hashCode();
    }

    /**
     * One line of {@code name=value} pairs, named as the accessors, with the stall time in
     * milliseconds and the failures by kind last: {@code ServerStats[connectionsOpen=1 ... failures={Io=2}]}.
     *
     * @return the line
     */
    @Override
    public String toString() {
        return Figures.line("ServerStats", NAMES, figures, STALL_NANOS, failures);
    }

    /** Builds a {@link ServerStats}; not thread-safe. Every figure must not be negative. */
    public static final class Builder {

        private final long[] figures = new long[NAMES.length];
        private Map<Class<? extends Failure>, Long> failures = Map.of();

        private Builder() {
        }

        /**
         * Sets {@link ServerStats#connectionsOpen()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder connectionsOpen(long value) {
            figures[OPEN] = Figures.count("connectionsOpen", value);
            return this;
        }

        /**
         * Sets {@link ServerStats#connectionsAccepted()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder connectionsAccepted(long value) {
            figures[ACCEPTED] = Figures.count("connectionsAccepted", value);
            return this;
        }

        /**
         * Sets {@link ServerStats#connectionsRefused()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder connectionsRefused(long value) {
            figures[REFUSED] = Figures.count("connectionsRefused", value);
            return this;
        }

        /**
         * Sets {@link ServerStats#connectionsClosed()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder connectionsClosed(long value) {
            figures[CLOSED] = Figures.count("connectionsClosed", value);
            return this;
        }

        /**
         * Sets {@link ServerStats#bytesIn()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder bytesIn(long value) {
            figures[BYTES_IN] = Figures.count("bytesIn", value);
            return this;
        }

        /**
         * Sets {@link ServerStats#bytesOut()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder bytesOut(long value) {
            figures[BYTES_OUT] = Figures.count("bytesOut", value);
            return this;
        }

        /**
         * Sets {@link ServerStats#messagesIn()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder messagesIn(long value) {
            figures[MESSAGES_IN] = Figures.count("messagesIn", value);
            return this;
        }

        /**
         * Sets {@link ServerStats#messagesOut()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder messagesOut(long value) {
            figures[MESSAGES_OUT] = Figures.count("messagesOut", value);
            return this;
        }

        /**
         * Sets {@link ServerStats#queuedBytes()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder queuedBytes(long value) {
            figures[QUEUED] = Figures.count("queuedBytes", value);
            return this;
        }

        /**
         * Sets {@link ServerStats#pendingBytes()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder pendingBytes(long value) {
            figures[PENDING] = Figures.count("pendingBytes", value);
            return this;
        }

        /**
         * Sets {@link ServerStats#readersStalled()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder readersStalled(long value) {
            figures[STALLED] = Figures.count("readersStalled", value);
            return this;
        }

        /**
         * Sets {@link ServerStats#readerStalls()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder readerStalls(long value) {
            figures[STALLS] = Figures.count("readerStalls", value);
            return this;
        }

        /**
         * Sets {@link ServerStats#readerStallTime()}.
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
         * Sets {@link ServerStats#slowConsumers()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder slowConsumers(long value) {
            figures[SLOW_CONSUMERS] = Figures.count("slowConsumers", value);
            return this;
        }

        /**
         * Sets {@link ServerStats#droppedEvents()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder droppedEvents(long value) {
            figures[DROPPED_EVENTS] = Figures.count("droppedEvents", value);
            return this;
        }

        /**
         * Sets {@link ServerStats#droppedExceptions()}.
         *
         * @param value the figure
         * @return this builder
         */
        public Builder droppedExceptions(long value) {
            figures[DROPPED_EXCEPTIONS] = Figures.count("droppedExceptions", value);
            return this;
        }

        /**
         * Sets {@link ServerStats#failures()}.
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
         * @return a new {@link ServerStats} with the figures set so far
         */
        public ServerStats build() {
            return new ServerStats(figures.clone(), failures);
        }
    }
}
