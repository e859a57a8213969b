package simplesockets.impl;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.api.Failure;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Acceptor;
import simplesockets.impl.transport.Network;

/**
 * The server's listening socket across {@code start}, {@code exitAccept} and {@code restart}: at most
 * one {@link AcceptLoop} at a time, and the address bound first, kept for a restart. The server calls
 * it under its lifecycle's lock, so that binding and closing never interleave.
 */
final class Listener {

    private static final Logger LOG = LoggerFactory.getLogger(Listener.class);
    /**
     * The least a new bind waits for the previous accept thread, whatever the close timeout (zero, say):
     * the thread ends microseconds after its socket closes, and the port is not free before.
     */
    private static final Duration LET_GO_AT_LEAST = Duration.ofSeconds(1);
    /** How many times {@link #afterStopped} waits for an accept loop that is still there before it gives up. */
    static final int BIND_TRIES = 3;

    private final Network network;
    private final int backlog;
    private final Scope scope;
    private final Clock clock;
    private final AcceptLoop.Admit admit;
    private final Consumer<Failure> record;
    private final Duration letGo;
    /** Written under the lifecycle's lock; read by {@link #nudge()} without it. */
    private volatile AcceptLoop loop;
    /** The loop closed last: its thread may still hold the port until it wakes. Written under the lock. */
    private volatile AcceptLoop stopped;
    private volatile InetSocketAddress bound;
    /** What was bound, as the network took it: a TCP restart binds {@link #bound} (the real port). */
    private SocketAddress bindAddress;

    /**
     * @param letGo how long a new bind waits for the previous accept thread to let go of the port (the
     *              close timeout), and at least a second
     */
    Listener(Network network, int backlog, Duration letGo, Scope scope, Clock clock, AcceptLoop.Admit admit,
            Consumer<Failure> record) {
        this.network = network;
        this.backlog = backlog;
        this.letGo = letGo.compareTo(LET_GO_AT_LEAST) < 0 ? LET_GO_AT_LEAST : letGo;
        this.scope = scope;
        this.clock = clock;
        this.admit = admit;
        this.record = record;
    }

    /**
     * Binds {@code address} (or, given {@code null}, the address bound before) and starts accepting.
     * A thread blocked in accept keeps the listening socket alive until it wakes, even after the socket
     * is closed, so a bind after {@link #close} needs that thread ended, which {@link #awaitStopped} waits
     * for first, outside the lifecycle's lock (a matter of microseconds; bounded by the close timeout, and
     * at least a second, so a zero close timeout too): a restart never races the exit before it. Called
     * under the lifecycle's lock, this never waits: a thread still there fails the bind.
     *
     * @throws IOException if the accept thread of the listener closed before has not ended (for
     *                     {@link #afterStopped}, which waits for it again), or the bind failed
     */
    void listen(SocketAddress address) throws IOException {
        if (stopped != null) {
            if (!stopped.ended()) {
                throw new OldLoopStillThere();
            }
            stopped = null;
        }
        SocketAddress target = address != null ? address : bindAddress instanceof InetSocketAddress ? bound : bindAddress;
        Acceptor acceptor = network.bind(target, backlog);
        try {
            loop = new AcceptLoop(acceptor, scope, clock, admit, record);
        } catch (RuntimeException e) {
            acceptor.close();
            throw e;
        }
        bound = acceptor.localAddress();
        bindAddress = target;
        LOG.debug("Server listening on {}", bound);
    }

    /** A Unix socket's stale file goes before binding; outside the lifecycle's lock, as it connects to find out. */
    static void prepare(Endpoint endpoint) throws IOException {
        if (endpoint.unixPath().isPresent()) {
            UnixSocketFile.prepare(endpoint.unixPath().get());
        }
    }

    /**
     * {@link #listen(SocketAddress)}, then gives a Unix socket's file its permissions; if that fails, the
     * listener is closed again (its file removed), so that the state, which does not move, is the truth.
     *
     * @param permissions the Unix socket file's, or {@code null} to leave them as created
     */
    void listen(SocketAddress address, Endpoint endpoint, Set<PosixFilePermission> permissions) throws IOException {
        listen(address);
        try {
            if (endpoint.unixPath().isPresent()) {
                UnixSocketFile.permit(endpoint.unixPath().get(), permissions);
            }
        } catch (IOException | RuntimeException e) {
            close(Duration.ZERO); // the next listen joins its loop
            throw e;
        }
    }

    /**
     * Waits, without the lifecycle's lock, for the loop closed last to end (bounded as in
     * {@link #listen}): its thread may need that lock to finish admitting a connection, so a restart
     * waits for it here first, and its {@code listen} then finds it ended.
     */
    void awaitStopped() {
        AcceptLoop last = stopped;
        if (last != null) {
            last.join(letGo);
        }
    }

    /** A bind that may throw. */
    interface Bind {
        void run() throws IOException;
    }

    /** {@link #listen} found the accept loop closed before still there; never seen outside this class. */
    private static final class OldLoopStillThere extends IOException {
        OldLoopStillThere() {
            super("the accept loop closed before is still there");
        }
    }

    /**
     * Runs {@code bind} (a restart's move to listening) once the accept loop closed last has ended,
     * waiting for it with {@link #awaitStopped}, outside the lifecycle's lock. If {@code bind} fails
     * because a loop is still there (an {@code exitAccept()} on another thread closed the listener after
     * the wait), it waits for that one too, up to {@link #BIND_TRIES} times in all.
     */
    void afterStopped(Bind bind) throws IOException {
        for (int attempt = 1; ; attempt++) {
            awaitStopped();
            try {
                bind.run();
                return;
            } catch (OldLoopStillThere e) {
                if (attempt >= BIND_TRIES) {
                    throw new java.net.BindException("the accept thread of the listener closed before did not end"
                            + " within " + BIND_TRIES + " waits of " + letGo + ", so it may still hold the address;"
                            + " try again later");
                }
            }
        }
    }

    /**
     * Closes the listening socket, if there is one; never blocks.
     *
     * @param join how long the caller then waits, outside the lock, for the loop to end
     * @return what the caller runs outside the lock to join the loop
     */
    Runnable close(Duration join) {
        AcceptLoop ended = loop;
        loop = null;
        if (ended == null) { // closed before: the caller still waits for that loop's end, as its closer does
            AcceptLoop last = stopped;
            return last == null ? () -> { } : () -> last.join(join);
        }
        ended.close();
        stopped = ended;
        return () -> ended.join(join);
    }

    /** A connection ended: an accept loop that is backing off tries again now. */
    void nudge() {
        AcceptLoop current = loop;
        if (current != null) {
            current.nudge();
        }
    }

    /** The address bound, with the real port, or {@code null} before the first bind. */
    InetSocketAddress bound() {
        return bound;
    }
}
