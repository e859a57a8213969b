package simplesockets.api;

/**
 * Called on the thread that caught an exception, right after it was recorded in the exception list;
 * a server's accept failures (out of descriptors, say) are the exception: their callback runs on a
 * virtual thread of the server's own, so a callback that blocks never holds up accepting, and one at
 * a time: an accept failure that comes while that callback still runs is recorded only.
 * Used by both {@link ServerOptions} and {@link ClientOptions}.
 */
@FunctionalInterface
public interface OnFailure {
    /**
     * Handles a caught exception.
     *
     * @param failure what failed
     * @throws Exception anything; it is logged, never recorded again (that could loop)
     */
    void failed(Failure failure) throws Exception;
}
