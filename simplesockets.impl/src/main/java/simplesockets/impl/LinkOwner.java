package simplesockets.impl;

/**
 * The one way a connection ({@link Link}) reports back to whoever made it: a server's admission or a
 * client's connector. Called in this order, each once.
 */
interface LinkOwner {

    /**
     * The end was just decided, on the thread that decided it, before its failure is recorded: only what
     * must be true for the failure's {@code onFailure} and for a poller that takes its event (a client's
     * state, a server's list of connections), as the connection's reader may already see the end and report it.
     */
    void ending(Link link);

    /** Then, once the failure (if any) is recorded, before the reader is woken to report the end. */
    default void ended(Link link) {
    }

    /** The link finished on its own thread: its last sends written or dropped, its socket closed. */
    default void finished(Link link) {
    }
}
