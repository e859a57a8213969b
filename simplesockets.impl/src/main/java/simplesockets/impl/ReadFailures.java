package simplesockets.impl;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.impl.transport.PeerResetException;

/**
 * Sorts a failed read, or a handler's return, into a disconnect reason. A peer that resets is an ordinary disconnect, logged at
 * debug and not recorded; a framing violation (a stream that ends inside a length-prefixed frame is one)
 * is to be recorded as a {@link Failure.Protocol}, and any other I/O failure as a {@link Failure.Io}, by
 * the link once it decided its end.
 */
final class ReadFailures {

    private static final Logger LOG = LoggerFactory.getLogger(ReadFailures.class);

    private ReadFailures() {
    }

    /**
     * Why a connection ends after a failed read, and the failure to record for it, if any.
     *
     * @param reason  the disconnect reason
     * @param failure what to record once the end is decided (so that state queries in {@code onFailure} are
     *                true), or {@code null}
     */
    record Sorted(DisconnectReason reason, Failure failure) {
    }

    /**
     * Why a connection ends after its read failed.
     *
     * @param ours whether the end was already decided, or a graceful close is draining the connection:
     *             then the failure is the close's own doing, not the peer's
     */
    static Sorted readFailed(IOException e, boolean ours, Reader reader, Link link, Delivery<?> delivery) {
        if (ours || e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)) {
            return new Sorted(DisconnectReason.CLOSED_BY_US, null);
        }
        PeerResetException reset = reader.resetSeen(); // what a handler passed on is that reset, shown as a JDK type
        return classify(reset != null ? reset : e, link.remoteAddress(), link.toString(), delivery);
    }

    /** Why a connection ends when its handler returned: the peer's reset or end of stream, unless a drain caused it. */
    static DisconnectReason handlerReturned(Reader reader, boolean draining) {
        if (draining) {
            return DisconnectReason.CLOSED_BY_US;
        }
        if (reader.resetSeen() != null) {
            return DisconnectReason.RESET;
        }
        return reader.sawEndOfStream() ? DisconnectReason.PEER_CLOSED : DisconnectReason.CLOSED_BY_US;
    }

    private static Sorted classify(IOException e, InetSocketAddress peer, String connection, Delivery<?> delivery) {
        return switch (e) {
            case PeerResetException reset -> {
                LOG.debug("{} was reset by the peer", connection);
                yield new Sorted(DisconnectReason.RESET, null);
            }
            case SocketTimeoutException timeout -> new Sorted(DisconnectReason.TIMED_OUT, null);
            case ProtocolException protocol ->
                    new Sorted(new DisconnectReason.Failed(protocol), new Failure.Protocol(peer, protocol, delivery.now()));
            case EOFException eof -> { // the peer broke the framing: a frame's part is no message
                LOG.debug("{} ended inside a frame", connection);
                ProtocolException cut = new ProtocolException(eof.getMessage());
                cut.initCause(eof);
                yield new Sorted(new DisconnectReason.Failed(cut), new Failure.Protocol(peer, cut, delivery.now()));
            }
            default -> {
                IOException shown = Transports.shown(e);
                yield new Sorted(new DisconnectReason.Failed(shown), new Failure.Io(peer, shown, delivery.now()));
            }
        };
    }
}
