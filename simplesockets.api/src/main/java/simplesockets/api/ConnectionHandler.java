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
 * goes on. With a handler, the server does not read the connection itself, so {@code onReceive} and
 * the received-data queue see nothing for it.
 */
@FunctionalInterface
public interface ConnectionHandler {

    /**
     * Serves the connection until it ends or there is nothing more to do.
     *
     * @param connection the connection to serve; {@link Connection#read()} works here
     * @throws Exception anything; it is recorded, and only this connection ends
     */
    void handle(Connection connection) throws Exception;
}
