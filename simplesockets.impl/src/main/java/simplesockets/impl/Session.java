package simplesockets.impl;

import java.io.IOException;
import simplesockets.api.CallbackName;
import simplesockets.api.ConnectionHandler;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;

/**
 * The body of a connection's own thread, the same for server and client: announce it, serve it (the
 * engine's read loop, or the user's handler), then close it and report its end exactly once, even
 * when an {@link Error} escapes a callback.
 *
 * <p>A plain server connection's thread runs an instance of this class itself, with nothing of its
 * scope's beneath it ({@link Scope#forkLeaving}): a class rather than a lambda or a call through one, so
 * the thread's stack, which an idle connection keeps while it waits for data, holds one frame for it.
 * (A connection with a PROXY header or a TLS handshake to go through first, and a client's, run it
 * through {@link #run(Link, Delivery, boolean, ConnectionHandler)}.)
 */
final class Session implements Runnable {

    private final Link link;
    private final Delivery<?> delivery;
    private final boolean announce;
    private final ConnectionHandler handler;
    /** The scope to leave at the end, when the thread runs this with nothing beneath ({@link Scope#forkLeaving}), or null. */
    private final Scope leaving;
    /** The reason it ended, as reported; set by {@link #run()} on the thread that ran it. */
    private DisconnectReason reason;

    /**
     * @param announce whether to report the connect here (the client reports it on the connecting thread)
     * @param handler  the user's handler, or {@code null} for the engine's read loop
     */
    Session(Link link, Delivery<?> delivery, boolean announce, ConnectionHandler handler) {
        this(link, delivery, announce, handler, null);
    }

    /**
     * One that leaves the scope {@code leaving} at its end: for a thread started by
     * {@link Scope#forkLeaving}, which runs it with no frame beneath it.
     */
    Session(Link link, Delivery<?> delivery, boolean announce, ConnectionHandler handler, Scope leaving) {
        this.link = link;
        this.delivery = delivery;
        this.announce = announce;
        this.handler = handler;
        this.leaving = leaving;
    }

    /**
     * Serves one connection on the calling thread, which becomes its own thread.
     *
     * @param announce whether to report the connect here (the client reports it on the connecting thread)
     * @param handler  the user's handler, or {@code null} for the engine's read loop
     * @return the reason it ended, as reported
     */
    static DisconnectReason run(Link link, Delivery<?> delivery, boolean announce, ConnectionHandler handler) {
        Session session = new Session(link, delivery, announce, handler);
        session.run();
        return session.reason;
    }

    /** Serves the connection on the calling thread, which becomes its own thread. */
    @Override
    public void run() {
        try { // one method, however nested: a parked connection's stack keeps a frame per call
            link.own();
            DisconnectReason why = DisconnectReason.CLOSED_BY_US;
            try {
                if (announce) {
                    delivery.connected(link);
                }
                why = handler == null ? link.loop().run() : handle(link, delivery, handler);
            } catch (Error e) { // out of a callback (they record exceptions, not errors): the connection ends with it
                why = new DisconnectReason.Failed(e);
                throw e;
            } finally {
                reason = link.finish(why);
                delivery.disconnected(link, reason);
            }
        } finally {
            if (leaving != null) {
                leaving.leave();
            }
        }
    }

    private static DisconnectReason handle(Link link, Delivery<?> delivery, ConnectionHandler handler) {
        try {
            handler.handle(link);
            return link.handlerReturned();
        } catch (IOException e) {
            if (e instanceof java.net.ProtocolException && !link.reader().framingBroken()) {
                // Not the peer's: the handler's own send, which the framing refused (a line too long, say).
                delivery.failed(new Failure.Callback(CallbackName.HANDLER, link.remoteAddress(), e, delivery.now()));
                return new DisconnectReason.Failed(e);
            }
            return link.readFailed(e);
        } catch (Exception | Error e) { // an Error too (a stack overflow on hostile input, say): recorded, and the end
            if (e instanceof InterruptedException) {
                return DisconnectReason.CLOSED_BY_US;
            }
            delivery.failed(new Failure.Callback(CallbackName.HANDLER, link.remoteAddress(), e, delivery.now()));
            return new DisconnectReason.Failed(e);
        }
    }
}
