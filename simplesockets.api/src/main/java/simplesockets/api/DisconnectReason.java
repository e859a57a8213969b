package simplesockets.api;

import java.util.Objects;

/**
 * Why a connection ended. Every connection that was reported connected is reported disconnected
 * exactly once, with one of these reasons.
 *
 * {@snippet :
 * String text = switch (reason) {
 *     case DisconnectReason.ClosedByUs c -> "we closed it";
 *     case DisconnectReason.PeerClosed p -> "the peer closed it";
 *     case DisconnectReason.Reset r -> "the peer reset it";
 *     case DisconnectReason.TimedOut t -> "it was idle, or did not read, too long";
 *     case DisconnectReason.SlowConsumer s -> "it did not read what we sent";
 *     case DisconnectReason.Failed f -> "it failed: " + f.cause();
 * };
 * }
 */
public sealed interface DisconnectReason {

    /**
     * This side closed the connection: {@code disconnect}, {@code close}, or a handler that returned
     * before the peer closed.
     */
    DisconnectReason CLOSED_BY_US = new ClosedByUs();
    /** The peer shut down its output (end of stream) and the connection was then closed. */
    DisconnectReason PEER_CLOSED = new PeerClosed();
    /** The peer reset the connection (TCP RST). */
    DisconnectReason RESET = new Reset();
    /** Nothing was received within the idle timeout, or a write was blocked past the write timeout. */
    DisconnectReason TIMED_OUT = new TimedOut();
    /** The peer did not read, and sends from other threads filled the connection's pending bytes. */
    DisconnectReason SLOW_CONSUMER = new SlowConsumer();

    /** This side closed the connection. */
    record ClosedByUs() implements DisconnectReason {
    }

    /** The peer closed its side: a read returned end of stream. */
    record PeerClosed() implements DisconnectReason {
    }

    /** The peer reset the connection. */
    record Reset() implements DisconnectReason {
    }

    /**
     * A timeout passed: the idle timeout with nothing received, or the write timeout with a write
     * blocked because the peer did not read.
     */
    record TimedOut() implements DisconnectReason {
    }

    /**
     * The peer did not read what was sent to it: sends from other threads filled the connection's
     * pending bytes ({@code maxPendingSendBytes}) under {@link SendOverflow#DISCONNECT}. A
     * {@link Failure.SlowConsumer} is recorded too.
     */
    record SlowConsumer() implements DisconnectReason {
    }

    /**
     * The connection failed: an I/O error other than end of stream or reset, a framing violation, or
     * an exception thrown by a connection handler. The same cause is also recorded as a
     * {@link Failure}.
     *
     * @param cause what went wrong
     */
    record Failed(Throwable cause) implements DisconnectReason {
        /** Checks the cause. */
        public Failed {
            Objects.requireNonNull(cause, "cause");
        }
    }
}
