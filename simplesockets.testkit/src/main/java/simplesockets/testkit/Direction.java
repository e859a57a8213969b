package simplesockets.testkit;

/** One direction of an in-memory connection. */
public enum Direction {
    /** Bytes the client sends and the server reads. */
    CLIENT_TO_SERVER,
    /** Bytes the server sends and the client reads. */
    SERVER_TO_CLIENT
}
