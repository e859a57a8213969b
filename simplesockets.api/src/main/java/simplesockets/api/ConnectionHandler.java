package simplesockets.api;

/**
 * Serves one connection in blocking style, on that connection's own virtual thread: the seed's
 * {@code handle_client}. This is the natural style on virtual threads; blocking is cheap.
 *
 * {@snippet :
 * ConnectionHandler echo = connection -> {
 *     for (var data = connection.read(); data.isPresent(); data = connection.read()) {
 *         connection.send(data.get());
 *     }
 * };
 * }
 *
 * <p>When the handler returns, the connection is closed. If it throws, the exception is recorded as
 * a {@link Failure.Callback} and the connection ends with {@link DisconnectReason.Failed}; the server
 * goes on. An {@link java.io.IOException} is instead a failure of the connection, sorted as a failed
 * read is: a {@link java.net.SocketTimeoutException} ends it with {@link DisconnectReason.TimedOut}
 * and is not recorded; any other ends it with {@link DisconnectReason.Failed} and is recorded as a
 * {@link Failure.Io} (a {@link java.net.ProtocolException} as a {@link Failure.Protocol}). If the
 * connection was already ending (a disconnect, a timeout, a graceful close), or the exception is
 * another {@link java.io.InterruptedIOException}, nothing is recorded, and the connection ends with the
 * reason already decided, or else with {@link DisconnectReason.ClosedByUs}. With a handler, the
 * server does not read the connection itself, so {@code onReceive} and the received-data queue see
 * nothing for it.
 */
@FunctionalInterface
public interface ConnectionHandler {

    /**
     * Serves the connection until it ends or there is nothing more to do.
     *
     * @param connection the connection to serve; {@link Connection#read()} works here
     * @throws Exception anything; only this connection ends, as told above
     */
    void handle(Connection connection) throws Exception;
}
