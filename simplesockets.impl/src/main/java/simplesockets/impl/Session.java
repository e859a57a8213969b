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
 */
final class Session {

    private Session() {
    }

    /**
     * A server connection's thread body: {@link #run} with the connect reported. A class rather than a
     * lambda, so the thread's stack, which an idle connection keeps while it waits for data, holds one
     * frame for it instead of three.
     */
    record Serving(Link link, Delivery<?> delivery, ConnectionHandler handler) implements Runnable {
        @Override
        public void run() {
            Session.run(link, delivery, true, handler);
        }
    }

    /**
     * Serves one connection on the calling thread, which becomes its own thread.
     *
     * @param announce whether to report the connect here (the client reports it on the connecting thread)
     * @param handler  the user's handler, or {@code null} for the engine's read loop
     * @return the reason it ended, as reported
     */
    static DisconnectReason run(Link link, Delivery<?> delivery, boolean announce, ConnectionHandler handler) {
        link.own();
        DisconnectReason why = DisconnectReason.CLOSED_BY_US;
        DisconnectReason reason = why;
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
        return reason;
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
