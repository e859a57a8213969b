package simplesockets.api;

/**
 * The lifecycle of a {@link TcpClient}:
 * {@code CREATED -> CONNECTED <-> DISCONNECTED -> CLOSED}, with {@code CLOSED} reachable from every
 * state by {@link TcpClient#close()}.
 */
public enum ClientState {
    /** Made, never connected. */
    CREATED,
    /** Connected to the server. */
    CONNECTED,
    /** Was connected (or tried), and is not now; {@link TcpClient#connect()} may be called again. */
    DISCONNECTED,
    /** Closed for good. Final. */
    CLOSED
}
