package simplesockets.impl;

import java.io.IOException;
import java.util.Optional;
import simplesockets.api.DisconnectReason;
import simplesockets.impl.time.Clock;

/**
 * The engine's read loop of one connection, for {@link ReadMode#CALLBACK} and {@link ReadMode#QUEUE},
 * on the connection's own thread: reads until end of stream or failure, handing each piece to
 * {@link Delivery}.
 *
 * <ul>
 *   <li>Callbacks: while a callback handles the pieces of one read, its sends are gathered and written
 *       once after the last piece ({@link Outbound#cork}).</li>
 *   <li>Polling: the pieces of one read are queued together as far as the connection's credit allows,
 *       with the time of the read, and pollers are woken once. The reader waits for its credit, and
 *       while replies pile up ({@link Outbound#awaitRoomToRead}); on a server, a half-closed peer's data is
 *       left time to be drained and answered before the connection closes (a client ends at once).</li>
 * </ul>
 */
final class ReadLoop {

    private final Link link;
    private final ReadMode mode;
    private final Reader reader;
    private final Outbound out;
    private final Delivery<?> delivery;
    private final Credit credit;
    private final LinkSettings settings;
    private final Clock clock;

    ReadLoop(Link link, ReadMode mode, Reader reader, Outbound out, Delivery<?> delivery, Credit credit,
            LinkSettings settings, Clock clock) {
        this.link = link;
        this.mode = mode;
        this.reader = reader;
        this.out = out;
        this.delivery = delivery;
        this.credit = credit;
        this.settings = settings;
        this.clock = clock;
    }

    /** @return the reason the loop ended */
    DisconnectReason run() {
        EventState<?> events = delivery.events();
        try {
            while (mode == ReadMode.CALLBACK ? events.awaitPushed(link::isOpen)
                    : events.awaitReadPermit(credit, out.readCredit(settings.creditLimit()))
                            && out.awaitRoomToRead(credit::queued, () -> credit.stalled(Meter.Bound.PENDING_SENDS))) {
                if (!link.isOpen()) {
                    return DisconnectReason.CLOSED_BY_US;
                }
                Optional<byte[]> piece = reader.next();
                if (!link.isOpen()) {
                    return DisconnectReason.CLOSED_BY_US; // ended while it read (a disconnect waits for its sends to go out first)
                }
                if (piece.isEmpty()) {
                    if (mode == ReadMode.QUEUE && settings.servesHalfClosed()) { // a server's, for replies
                        credit.awaitDrainedThenGrace(settings.halfCloseGrace(), clock);
                    }
                    return link.drainEndedIt() ? DisconnectReason.CLOSED_BY_US : DisconnectReason.PEER_CLOSED;
                }
                if (mode == ReadMode.QUEUE) {
                    queue(piece.get());
                    continue;
                }
                boolean more = reader.hasMore();
                if (more) {
                    out.cork();
                }
                delivery.received(link, piece.get());
                if (!more && out.corked()) {
                    out.uncork(reader.readSize() > settings.pieceSize());
                }
            }
            return DisconnectReason.CLOSED_BY_US;
        } catch (InterruptedException e) {
            return DisconnectReason.CLOSED_BY_US;
        } catch (IOException e) {
            return link.readFailed(e);
        }
    }

    /**
     * Polling: a piece, then the others already decoded from its read, as long as the credit lets
     * each one be queued at once (as the loop's wait would: the bound is kept piece by piece), under
     * one lock and with one wake-up of the pollers.
     */
    private void queue(byte[] first) {
        delivery.queued(link, credit, first, reader::nextDecoded, delivery.now(), out.readCredit(settings.creditLimit()));
    }
}
