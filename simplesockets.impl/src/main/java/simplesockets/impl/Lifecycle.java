package simplesockets.impl;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One small state machine, shared by the server ({@code ServerState}) and the client
 * ({@code ClientState}). A move and its effect happen under one lock, so no other move can
 * interleave with them. A state query reads the state as the last move left it, without the lock, so
 * it never waits for a move in progress: until the move's effect (a bind, say) is done, the state is
 * still the one before it, which is the truth.
 *
 * @param <S> the states
 */
final class Lifecycle<S extends Enum<S>> {

    /**
     * The effect of a move, given the state it moves from; runs under the lock, so it must be short
     * and never wait on a peer.
     */
    @FunctionalInterface
    interface Effect<S, X extends Exception> {
        void run(S from) throws X;
    }

    private final String what;
    private final ReentrantLock lock = new ReentrantLock();
    /** Written under the lock, read without it. */
    private volatile S state;

    /**
     * @param what    what this is the life of, for messages: {@code "server"} or {@code "client"}
     * @param initial the first state
     */
    Lifecycle(String what, S initial) {
        this.what = what;
        this.state = initial;
    }

    S state() {
        return state;
    }

    boolean is(S expected) {
        return state() == expected;
    }

    /**
     * Runs {@code effect} and moves to {@code target}, if the state is one of {@code from}; nothing
     * changes if the effect throws.
     *
     * @return the state before the move
     * @throws IllegalStateException if the state is not one of {@code from}; it names the state and
     *                               what {@code action} needs
     */
    <X extends Exception> S move(String action, Set<S> from, S target, Effect<S, X> effect) throws X {
        lock.lock();
        try {
            if (!from.contains(state)) {
                throw illegal(action, from, target);
            }
            S before = state;
            effect.run(before);
            state = target;
            return before;
        } finally {
            lock.unlock();
        }
    }

    /** {@link #move} without an effect. */
    S move(String action, Set<S> from, S target) {
        return move(action, from, target, before -> { });
    }

    /**
     * Runs {@code effect} and moves to {@code target}, if the state is one of {@code from}.
     *
     * @return whether it moved
     */
    boolean moveIf(Set<S> from, S target, Runnable effect) {
        lock.lock();
        try {
            if (!from.contains(state)) {
                return false;
            }
            effect.run();
            state = target;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code body} under the lock, so that no move happens meanwhile; the body may
     * {@link #set} the state.
     *
     * @return what the body returned
     */
    <T> T locked(Supplier<T> body) {
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    /** Sets the state; only inside {@link #locked}. */
    void set(S next) {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("set outside locked()");
        }
        state = next;
    }

    /**
     * The exception for a call that the state does not allow: it names the call, what the call
     * needs, the state now, and what to do instead where that is not plain.
     *
     * @param action what was called, such as {@code "restart"}
     * @param from   the states it needs
     * @param target where it would have moved (unused in the message: what it needs says more)
     */
    IllegalStateException illegal(String action, Set<S> from, S target) {
        String needs = from.size() == 1 ? from.iterator().next().toString()
                : "one of " + EnumSet.copyOf(from);
        return new IllegalStateException(action + "() needs a " + what + " in state " + needs + ", and this one is "
                + state + hint(action));
    }

    /** What to do instead, for the mistakes that are easy to make. */
    private String hint(String action) {
        return switch (state.name() + " " + action) {
            case "CLOSED start", "CLOSED stop", "CLOSED exitAccept", "CLOSED restart", "CLOSED connect" ->
                    ": a closed " + what + " stays closed; create a new one";
            case "KILLED start" -> ": its accepting was ended by exitAccept(); call restart() to accept again";
            case "ACCEPTING restart", "PAUSED restart" -> ": restart() follows exitAccept(); to resume a paused server,"
                    + " call start()";
            case "CREATED stop", "CREATED exitAccept", "CREATED restart" -> ": call start() first";
            case "CONNECTED connect" -> ": it is connected already; call reconnect() for a new connection";
            default -> "";
        };
    }

    @Override
    public String toString() {
        return state().toString();
    }
}
