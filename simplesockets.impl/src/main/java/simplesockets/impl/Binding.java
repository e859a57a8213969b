package simplesockets.impl;

import java.io.IOException;
import java.util.EnumSet;
import simplesockets.api.Failure;
import simplesockets.api.ServerOptions;
import simplesockets.api.ServerState;
import simplesockets.impl.time.Clock;

/**
 * A server's listening periods: {@link #start()} and {@link #restart()} begin one by binding its
 * {@link Listener}, {@link #exitAccept()} ends one by closing it, each a move of the {@link Lifecycle}.
 * A start or restart holds its own lock from its look at a Unix socket file to its bind, so that a
 * second one never probes the first's live listener; a failed bind is thrown and recorded once that
 * lock is let go (recording it runs the user's {@code onFailure}). Any thread may call; the waits for an
 * old accept loop hold neither that lock nor the lifecycle's.
 */
final class Binding {

    private final ServerOptions options;
    private final Lifecycle<ServerState> lifecycle;
    private final Listener listener;
    private final CloseOnce closing;
    private final Delivery<?> delivery;
    private final Clock clock;
    /** Taken only by a start or restart; the probe it covers is a local connect. */
    private final java.util.concurrent.locks.ReentrantLock binding = new java.util.concurrent.locks.ReentrantLock();

    Binding(ServerOptions options, Lifecycle<ServerState> lifecycle, Listener listener, CloseOnce closing,
            Delivery<?> delivery, Clock clock) {
        this.options = options;
        this.lifecycle = lifecycle;
        this.listener = listener;
        this.closing = closing;
        this.delivery = delivery;
        this.clock = clock;
    }

    /**
     * Starts accepting: binds the first time, resumes a paused server, and does nothing to one already
     * accepting.
     *
     * @return the state before the move
     * @throws IOException           if the bind failed (also recorded)
     * @throws IllegalStateException if the server is killed, closing or closed
     */
    ServerState start() throws IOException {
        Endpoint endpoint = endpoint(); // resolved before the lock
        IOException failed;
        binding.lock(); // a second start waits, then finds the first's listener: no probe of its socket file
        try {
            refuseWhileClosing("start");
            if (lifecycle.is(ServerState.CREATED)) {
                Listener.prepare(endpoint);
            }
            return lifecycle.move("start", EnumSet.of(ServerState.CREATED, ServerState.PAUSED,
                    ServerState.ACCEPTING), ServerState.ACCEPTING, from -> {
                        if (from == ServerState.CREATED) {
                            listener.listen(endpoint.address(), endpoint, options.unixSocketPermissions().orElse(null));
                        }
                    });
        } catch (IOException e) {
            failed = e;
        } finally {
            binding.unlock();
        }
        throw bindFailed(failed); // outside the lock: recording it runs the user's onFailure
    }

    /**
     * Binds again after {@link #exitAccept()}, once the old accept loop is gone.
     *
     * @throws IOException           if the bind failed, or the old loop outlived its waits (also recorded)
     * @throws IllegalStateException unless the server is killed, or if it is closing
     */
    void restart() throws IOException {
        Endpoint endpoint = endpoint();
        try {
            // Each try outside the lifecycle's lock, which the old loop may need to end, and outside the
            // binding lock: the wait for the old loop holds neither.
            listener.afterStopped(() -> {
                binding.lock();
                try {
                    refuseWhileClosing("restart"); // before the socket file's probe, which a closing server has no use for
                    if (lifecycle.is(ServerState.KILLED)) {
                        Listener.prepare(endpoint);
                    }
                    lifecycle.move("restart", EnumSet.of(ServerState.KILLED), ServerState.ACCEPTING, from -> {
                        refuseWhileClosing("restart"); // again under the lifecycle's lock: a close may have begun since
                        listener.listen(null, endpoint, options.unixSocketPermissions().orElse(null));
                    });
                } finally {
                    binding.unlock();
                }
            });
        } catch (IOException e) {
            throw bindFailed(e); // outside the lock: recording it runs the user's onFailure
        }
    }

    /**
     * Closes the listening socket and waits, outside the lifecycle's lock, for its accept loop to end.
     *
     * @throws IllegalStateException if the server was never started, or is closed
     */
    void exitAccept() {
        Runnable[] join = {() -> { }};
        lifecycle.move("exitAccept", EnumSet.of(ServerState.ACCEPTING, ServerState.PAUSED, ServerState.KILLED),
                ServerState.KILLED, from -> join[0] = listener.close(options.closeTimeout()));
        join[0].run();
    }

    private Endpoint endpoint() {
        return Endpoint.of(options.unixSocket(), options.host(), options.port());
    }

    /**
     * A graceful close is waiting for the last connections (the state is {@link ServerState#KILLED} until
     * it is over): the server accepts no more, whatever the state alone would allow.
     */
    private void refuseWhileClosing(String action) {
        if (closing.begun() && lifecycle.is(ServerState.KILLED)) {
            throw new IllegalStateException(action + "() needs a server that is not closing, and this one is"
                    + " closing: close(grace) was called");
        }
    }

    /** A failed bind is thrown to the caller and recorded, like every failure. */
    private IOException bindFailed(IOException e) {
        IOException shown = Transports.shown(e);
        delivery.recordQuietly(new Failure.Accept(shown, clock.now()));
        return shown;
    }
}
