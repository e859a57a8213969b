package simplesockets.api;

/**
 * Which user callback a {@link Failure.Callback} is about. A throwing {@code onFailure} is logged and
 * never recorded (recording it would call it again), so it has no name here.
 */
public enum CallbackName {
    /** {@code onConnect} of a server or a client. */
    ON_CONNECT("onConnect"),
    /** {@code onReceive} of a server or a client. */
    ON_RECEIVE("onReceive"),
    /** {@code onDisconnect} of a server or a client. */
    ON_DISCONNECT("onDisconnect"),
    /** A server's {@link ConnectionHandler}; one that throws ends only its own connection. */
    HANDLER("handler");

    private final String builderMethod;

    CallbackName(String builderMethod) {
        this.builderMethod = builderMethod;
    }

    /**
     * The name of the builder method that sets this callback, such as {@code "onReceive"}.
     *
     * @return the name as written in code
     */
    public String builderMethod() {
        return builderMethod;
    }
}
