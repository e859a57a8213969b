package simplesockets.impl;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;
import simplesockets.impl.transport.PeerResetException;

/**
 * What a connection's write path ends it with, as {@link ReadFailures} does for reads: a failed write
 * ends it (a reset is an ordinary disconnect; anything else is recorded as a {@link Failure.Io}), an
 * overflow of its pending sends cuts off a slow consumer (recorded, and counted by its {@link Meter}),
 * and a send on a closed connection throws what says why. Whoever decides the end reports it; the
 * others only learn that it is closed.
 */
final class SendFailures {

    private static final Logger LOG = LoggerFactory.getLogger(SendFailures.class);

    private SendFailures() {
    }

    /** A write failed, on whichever thread wrote: the connection ends now, and the failure is recorded. */
    static void writeFailed(Link link, IOException e, Delivery<?> delivery) {
        if (!link.isOpen()) {
            return;
        }
        IOException seen = Transports.shown(e);
        DisconnectReason why = e instanceof PeerResetException ? DisconnectReason.RESET : new DisconnectReason.Failed(seen);
        link.end(why, () -> { // recorded before its disconnect is reported
            LOG.debug("Writing to connection {} at {} failed: {}", link.id(), link.remoteAddress(), seen.toString());
            if (why != DisconnectReason.RESET) { // a reset is an ordinary disconnect, as on a read (ReadFailures)
                delivery.recordQuietly(new Failure.Io(link.remoteAddress(), seen, delivery.now()));
            }
        });
    }

    /** The pending sends passed {@code limit}: the connection is cut off as a slow consumer; returns what the send throws. */
    static IOException overflowed(Link link, int limit, Delivery<?> delivery, Meter meter) {
        SocketException e = new SocketException("connection " + link.id() + " to " + link.remoteAddress() + " did not"
                + " read what was sent: its pending sends passed maxPendingSendBytes (" + limit + " bytes), so it was"
                + " disconnected");
        link.end(DisconnectReason.SLOW_CONSUMER, () -> { // recorded before its disconnect is reported
            meter.cutOff(limit);
            LOG.debug("Disconnected slow consumer {}", link);
            delivery.recordQuietly(new Failure.SlowConsumer(link.remoteAddress(), limit, e, delivery.now()));
        });
        return e;
    }

    /** What a send on a connection that ended with {@code why} throws. */
    static IOException closed(Link link, DisconnectReason why) {
        if (why instanceof DisconnectReason.TimedOut) {
            return new SocketTimeoutException("connection " + link.id() + " to " + link.remoteAddress()
                    + " timed out: the peer stopped reading, or sent nothing for too long");
        }
        String because = why instanceof DisconnectReason.SlowConsumer ? " (it did not read what was sent)" : "";
        return new SocketException("connection " + link.id() + " to " + link.remoteAddress() + " is closed" + because);
    }
}
