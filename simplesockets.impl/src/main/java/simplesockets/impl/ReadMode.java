package simplesockets.impl;

/** How a connection is read: by the engine for callbacks or for polling, or by the user's handler. */
enum ReadMode {
    /** The engine reads and hands data to callbacks. */
    CALLBACK,
    /** The engine reads and queues data for polling, bounded by credit. */
    QUEUE,
    /** A user handler reads with {@code Connection.read()}. */
    HANDLER
}
