package simplesockets.impl;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.ClientEvent;
import simplesockets.api.ClientOptions;
import simplesockets.api.ClientState;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;

/**
 * A client's connections, one at a time: opens one ({@link Connector}), commits it as the current one
 * ({@link ClientLife}), lets the one before report its end first, announces it, and starts its reader,
 * which reports its end and starts the {@link Reconnector}'s loop for a connection lost. Used by the
 * user's connect and by the loop's attempts alike.
 */
final class Connecting {

    private static final Logger LOG = LoggerFactory.getLogger(Connecting.class);

    private final ClientOptions options;
    private final ClientLife life;
    private final Connector connector;
    private final Reconnector reconnector;
    private final Delivery<ClientEvent> delivery;
    private final Scope scope;
    /** The address connected to, or to connect to: the host name looked up once a connect made it. */
    private volatile InetSocketAddress address;

    Connecting(ClientOptions options, ClientLife life, Connector connector, Reconnector reconnector,
            Delivery<ClientEvent> delivery, Scope scope, InetSocketAddress address) {
        this.options = options;
        this.life = life;
        this.connector = connector;
        this.reconnector = reconnector;
        this.delivery = delivery;
        this.scope = scope;
        this.address = address;
    }

    /** The address connected to, or to connect to. */
    InetSocketAddress address() {
        return address;
    }

    /** One attempt of the reconnect loop; it throws if the user took over. */
    boolean attempt(long generation) {
        if (!reconnector.current(generation) || !life.disconnected()) {
            throw new IllegalStateException("the user took over");
        }
        return connect(generation) == null;
    }

    /**
     * Connects; a reconnect attempt's link is dropped if the user took over meanwhile.
     *
     * @return {@code null} once connected, else why not (also recorded)
     */
    IOException connect(long generation) {
        Endpoint endpoint = Endpoint.toReach(options.unixSocket(), options.host(), options.port()); // looked up in open()
        InetSocketAddress target = endpoint.shown();
        life.beginConnect(generation == Reconnector.ANY);
        address = target;
        Failure[] failed = {null};
        Optional<Link> opened = connector.open(endpoint, () -> reconnector.current(generation), failure -> {
            failed[0] = failure;
            life.connectFailed();
            // Not an attempt the user's connect cut short, nor a connect the client's close cut short.
            if (reconnector.current(generation) && life.state() != ClientState.CLOSED) {
                delivery.failed(failure);
            }
        });
        if (opened.isEmpty()) {
            return Transports.asIoException(failed[0].cause(), "could not connect to " + target);
        }
        Link link = opened.get();
        address = link.remoteAddress(); // the host name looked up
        if (!life.commit(link, () -> reconnector.current(generation))) {
            link.end(DisconnectReason.CLOSED_BY_US);
            return new SocketException("the client was closed, or connected elsewhere, while connecting to " + target);
        }
        LOG.debug("Connected to {}", target);
        long made = reconnector.generation(); // a disconnect() from now on stops any loop this link's loss starts
        connector.tally().admitted();
        reconnector.connected(generation == Reconnector.ANY);
        awaitLastEndReported();
        if (life.current().orElse(null) != link) {
            // Closed, disconnected or lost while the last connection reported its end (a close, disconnect
            // or reconnect from its onDisconnect, which did not wait for this connect): never announced,
            // so its end is not reported either, and a newer connection's events keep their order.
            finishUnread(link, DisconnectReason.CLOSED_BY_US);
            reconnector.settled(link);
            return new SocketException("the client was closed or disconnected while connecting to " + target);
        }
        try {
            delivery.connected(link); // a callback's exception is recorded there; an Error escapes
        } catch (Error e) {
            endUnread(link, new DisconnectReason.Failed(e)); // as a handler's Error ends its connection
            throw e;
        }
        try {
            life.reader(link, scope.fork("reader", () -> read(link, made)));
        } catch (RejectedExecutionException e) {
            endUnread(link, DisconnectReason.CLOSED_BY_US);
            return new SocketException("the client was closed while connecting to " + target);
        }
        return null;
    }

    /** A connection that ends before its reader ran: closed and reported here, as its reader would have. */
    private void endUnread(Link link, DisconnectReason why) {
        delivery.disconnected(link, finishUnread(link, why));
        reconnector.settled(link); // no loop starts for it: waits for data kept going since its loss end
        delivery.events().ended();
    }

    /** Closes a connection no reader will serve, on this thread, as its reader would have; returns the reason. */
    private DisconnectReason finishUnread(Link link, DisconnectReason why) {
        link.own(); // counted as open, as its reader would have: its end is counted as a close
        life.reader(link, null); // no reader: a disconnect waiting for one goes on
        return link.finish(why);
    }

    /**
     * Lets the connection that ended last report its end first (its reader may still be writing its last
     * sends, within the close timeout, then closing and waiting for its writer), for at most the close
     * timeout and {@link Link#WRITER_JOIN}, so that its {@code Disconnected} comes before the new
     * {@code Connected}; skipped on that reader's own thread (a callback that connects again). A reader
     * that lingered its whole close timeout on a writer blocked by a peer that does not read needs
     * moments more: a margin of 100 ms was too thin for a loaded machine.
     */
    private void awaitLastEndReported() {
        Optional<Thread> last = life.lastReader();
        if (last.isEmpty()) {
            return;
        }
        try {
            Scope.join(last.get(), options.closeTimeout().plus(Link.WRITER_JOIN));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The body of the reader thread; a lost connection (not one the user ended) starts the reconnect
     * loop, unless the user took over since the connection was made ({@code generation}).
     */
    private void read(Link link, long generation) {
        DisconnectReason reason = DisconnectReason.CLOSED_BY_US;
        try {
            reason = Session.run(link, delivery, false, null);
        } catch (Error e) { // out of a callback: the connection ended with it (reported), and is lost as any other
            reason = new DisconnectReason.Failed(e);
            throw e;
        } finally {
            boolean looping = !(reason instanceof DisconnectReason.ClosedByUs) && life.disconnected()
                    && reconnector.start(generation);
            reconnector.settled(link);
            if (!looping) {
                delivery.events().ended(); // waits for data kept going since the loss end: no loop will connect
            }
        }
    }
}
