package simplesockets.api;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Something that happened on a server, in the order it happened.
 *
 * <p>Each event goes to its callback when one is set in {@link ServerOptions}; otherwise it is kept
 * for polling ({@link TcpServer#drainReceived()}, {@link TcpServer#awaitEvent(java.time.Duration)}).
 *
 * {@snippet :
 * switch (server.awaitEvent(Duration.ofSeconds(1)).orElse(null)) {
 *     case ServerEvent.Connected c -> System.out.println("hello " + c.connection().remoteAddress());
 *     case ServerEvent.Received r -> server.send(r.connection(), r.data());
 *     case ServerEvent.Disconnected d -> System.out.println("bye: " + d.reason());
 *     case ServerEvent.Failed f -> f.failure().cause().printStackTrace();
 *     case null -> { } // nothing happened within the second
 * }
 * }
 */
public sealed interface ServerEvent {

    /**
     * When it happened.
     *
     * @return the instant
     */
    Instant at();

    /**
     * A client connected and was accepted.
     *
     * @param connection the new connection
     * @param at         when
     */
    record Connected(Connection connection, Instant at) implements ServerEvent {
        /** Checks the components. */
        public Connected {
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * A piece of data arrived: in raw framing, what one read brought, in pieces of at most the receive
     * buffer size; one message in length-prefixed or line framing.
     * This is the seed's {@code (client_socket, address, data)} tuple.
     *
     * @param connection who sent it
     * @param data       the bytes: a fresh array that belongs to whoever took this event (each
     *                   event is handed to one taker, and the engine keeps no reference to it), so
     *                   {@code data()} returns it without a copy
     * @param at         when
     */
    record Received(Connection connection, byte[] data, Instant at) implements ServerEvent {
        /** Checks the components; the array is taken over, not copied. */
        public Received {
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(at, "at");
        }

        /**
         * The sender's address, as the seed's tuple had it.
         *
         * @return the remote address of the connection
         */
        public InetSocketAddress address() {
            return connection.remoteAddress();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Received r && connection.equals(r.connection) && Arrays.equals(data, r.data)
                    && at.equals(r.at);
        }

        @Override
        public int hashCode() {
            return Objects.hash(connection, Arrays.hashCode(data), at);
        }

        @Override
        public String toString() {
            return "Received[connection=" + connection + ", " + data.length + " bytes: "
                    + HexFormat.of().formatHex(data, 0, Math.min(data.length, 32))
                    + (data.length > 32 ? "..." : "") + ", at=" + at + "]";
        }
    }

    /**
     * A connection ended. Fired exactly once per connection that was reported connected.
     *
     * @param connection the connection, now closed
     * @param reason     why it ended
     * @param at         when
     */
    record Disconnected(Connection connection, DisconnectReason reason, Instant at) implements ServerEvent {
        /** Checks the components. */
        public Disconnected {
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * An exception was caught. It is also in the server's exception list.
     *
     * @param failure what failed
     */
    record Failed(Failure failure) implements ServerEvent {
        /** Checks the failure. */
        public Failed {
            Objects.requireNonNull(failure, "failure");
        }

        @Override
        public Instant at() {
            return failure.at();
        }
    }
}
