package simplesockets.impl;

import simplesockets.api.ClientEvent;

/**
 * How a client's connection reports its end: the state moves at once, on the thread that decided it
 * (so that {@code onFailure} for the failure that ended it sees the client disconnected), and waits for
 * this connection's data end once that failure is recorded.
 */
record ClientEnds(ClientLife life, EventState<ClientEvent> events) implements LinkOwner {

    @Override
    public void ending(Link link) {
        life.ended(link);
    }

    @Override
    public void ended(Link link) {
        events.ended();
    }
}
