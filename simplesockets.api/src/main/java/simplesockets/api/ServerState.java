package simplesockets.api;

/**
 * The lifecycle of a {@link TcpServer}:
 * {@code CREATED -> ACCEPTING <-> PAUSED -> KILLED -> CLOSED}, with {@code KILLED -> ACCEPTING} by
 * {@link TcpServer#restart()} and {@code CLOSED} reachable from every state by
 * {@link TcpServer#close()}.
 */
public enum ServerState {
    /** Made, not started: nothing is bound yet. */
    CREATED,
    /** Bound and accepting new connections. */
    ACCEPTING,
    /** Bound, but refusing new connections at once ({@link TcpServer#stop()}); existing ones are served. */
    PAUSED,
    /** The accept loop has ended and the listening socket is closed; existing connections are served. */
    KILLED,
    /**
     * Closed for good, from the moment {@link TcpServer#close()} decides it. Final: no call reopens it.
     * Every {@code close()} returns only once everything is closed and every thread joined.
     */
    CLOSED
}
