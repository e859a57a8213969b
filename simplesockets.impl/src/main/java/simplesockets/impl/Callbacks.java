package simplesockets.impl;

import java.net.InetSocketAddress;
import java.util.function.Consumer;
import simplesockets.api.CallbackName;
import simplesockets.api.Failure;
import simplesockets.impl.time.Clock;

/** Runs user callbacks so that a throwing one is recorded and never kills an engine thread. */
final class Callbacks {

    /** A callback body that may throw anything. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    private Callbacks() {
    }

    /**
     * Runs {@code body}; if it throws, records a {@link Failure.Callback}, stamped with {@code clock}'s time
     * as every other failure is, through {@code failed}.
     *
     * @return whether the body finished normally
     */
    static boolean run(CallbackName name, InetSocketAddress peer, Clock clock, Consumer<Failure> failed, Body body) {
        try {
            body.run();
            return true;
        } catch (Exception | AssertionError e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            failed.accept(new Failure.Callback(name, peer, e, clock.now()));
            return false;
        }
    }
}
