package simplesockets.impl;

import java.time.Duration;
import simplesockets.api.ClientOptions;
import simplesockets.api.Framing;
import simplesockets.api.SendOverflow;
import simplesockets.api.ServerOptions;

/**
 * What every connection of one server or client is set up with, taken from its options once.
 *
 * @param framing             the framing; each connection gets a fresh {@link Codec} of it
 * @param pieceSize           the largest raw piece handed out
 * @param creditLimit         received bytes of one connection that may wait for polling
 * @param halfCloseGrace      how long a half-closed polling connection stays open for replies after its data was
 *                            drained; {@code null} for a client, which ends as soon as it reads the peer's end
 *                            (its queued data stays to be polled), so that its state is true at once
 * @param linger              how long sends made before a disconnect may take to be written
 * @param maxPendingSendBytes the bound on sends queued by other threads
 * @param sendOverflow        what a send past that bound does
 * @param budget              the bytes in flight of the whole server or client, shared by its connections
 * @param tally               the figures of the whole server or client, which its connections add to
 */
record LinkSettings(Framing framing, int pieceSize, int creditLimit, Duration halfCloseGrace, Duration linger,
        int maxPendingSendBytes, SendOverflow sendOverflow, Budget budget, Tally tally) {

    static LinkSettings of(ServerOptions o, Budget budget) {
        return new LinkSettings(o.framing(), o.receiveBufferSize(), o.maxQueuedBytesPerConnection(), o.halfCloseGrace(),
                o.closeTimeout(), o.maxPendingSendBytes(), o.sendOverflow(), budget, new Tally("server"));
    }

    static LinkSettings of(ClientOptions o, Budget budget) {
        return new LinkSettings(o.framing(), o.receiveBufferSize(), o.maxQueuedBytes(), null, o.closeTimeout(),
                o.maxPendingSendBytes(), o.sendOverflow(), budget, new Tally("client"));
    }

    /**
     * Whether a half-closed peer is served: its polled data waits to be drained and answered, and the
     * replies go on while it reads them ({@link Linger}). A server's is; a client ends at once, and keeps
     * the linger bound, which its next connect waits for.
     */
    boolean servesHalfClosed() {
        return halfCloseGrace != null;
    }

    /** A fresh codec for one connection. */
    Codec codec() {
        return Codec.of(framing, pieceSize, budget);
    }
}
