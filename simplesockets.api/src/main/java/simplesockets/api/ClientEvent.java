package simplesockets.api;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Something that happened on a client, in the order it happened.
 *
 * <p>Each event goes to its callback when one is set in {@link ClientOptions}; otherwise it is kept
 * for polling ({@link TcpClient#drainReceived()}, {@link TcpClient#awaitEvent(java.time.Duration)}).
 * Unlike the Python original, polling returns events in the order they happened, not by kind.
 */
public sealed interface ClientEvent {

    /**
     * When it happened.
     *
     * @return the instant
     */
    Instant at();

    /**
     * The client connected.
     *
     * @param server the server's address
     * @param at     when
     */
    record Connected(InetSocketAddress server, Instant at) implements ClientEvent {
        /** Checks the components. */
        public Connected {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * A piece of data arrived: in raw framing, what one read brought, in pieces of at most the receive
     * buffer size; one message in length-prefixed or line framing.
     *
     * @param data the bytes: a fresh array that belongs to whoever took this event (each event is
     *             handed to one taker, and the engine keeps no reference to it), so {@code data()}
     *             returns it without a copy
     * @param at   when
     */
    record Received(byte[] data, Instant at) implements ClientEvent {
        /** Checks the components; the array is taken over, not copied. */
        public Received {
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(at, "at");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Received r && Arrays.equals(data, r.data) && at.equals(r.at);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(data) + at.hashCode();
        }

        @Override
        public String toString() {
            return "Received[" + data.length + " bytes: " + HexFormat.of().formatHex(data, 0, Math.min(data.length, 32))
                    + (data.length > 32 ? "..." : "") + ", at=" + at + "]";
        }
    }

    /**
     * The connection ended. Fired exactly once per successful connect.
     *
     * @param reason why it ended
     * @param at     when
     */
    record Disconnected(DisconnectReason reason, Instant at) implements ClientEvent {
        /** Checks the components. */
        public Disconnected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * The client is about to try to reconnect, by its {@link ReconnectPolicy}, after waiting
     * {@code delay}. The attempt ends in a {@link Connected} event or in a failure: a
     * {@link Failure.Connect}, or a {@link Failure.Tls} when the handshake failed, queued as a
     * {@link Failed} event unless an {@code onFailure} callback takes it. Nothing follows when the user
     * takes over during the wait or the attempt ({@code connect()}, {@code disconnect()},
     * {@code close()}): that attempt is cut short, and not recorded.
     *
     * @param attempt the attempt, from 1
     * @param delay   the wait before it
     * @param at      when the wait began
     */
    record Reconnecting(int attempt, java.time.Duration delay, Instant at) implements ClientEvent {
        /** Checks the components. */
        public Reconnecting {
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * An exception was caught. It is also in the client's exception list.
     *
     * @param failure what failed
     */
    record Failed(Failure failure) implements ClientEvent {
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
