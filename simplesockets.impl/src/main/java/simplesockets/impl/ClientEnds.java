package simplesockets.impl;

import java.util.function.Consumer;
import simplesockets.api.ClientEvent;
import simplesockets.api.DisconnectReason;

/**
 * How a client's connection reports its end: the state moves at once, on the thread that decided it
 * (so that {@code onFailure} for the failure that ended it sees the client disconnected), and waits for
 * this connection's data end once that failure is recorded. A current connection lost otherwise than
 * by the user is told to {@code lost} (the reconnect loop), before the failure is recorded too.
 */
record ClientEnds(ClientLife life, EventState<ClientEvent> events, Consumer<Link> lost) implements LinkOwner {

    @Override
    public void ending(Link link) {
        if (life.ended(link) && !(link.decidedReason() instanceof DisconnectReason.ClosedByUs)) {
            lost.accept(link);
        }
    }

    @Override
    public void ended(Link link) {
        events.ended();
    }
}
