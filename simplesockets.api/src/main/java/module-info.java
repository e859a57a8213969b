/**
 * A TCP server and a TCP client that take minutes to learn: set them up, start them, react to
 * connects, data and disconnects by callback or by polling, read every caught exception in one
 * place, and shut them down.
 *
 * <p>The main types:
 * <ul>
 *   <li>{@link simplesockets.api.TcpServer} and {@link simplesockets.api.TcpClient}: the server and
 *       the client, both {@link java.lang.AutoCloseable}, created by static factories;</li>
 *   <li>{@link simplesockets.api.ServerOptions} and {@link simplesockets.api.ClientOptions}:
 *       immutable settings with builders and the defaults of the Python original;</li>
 *   <li>{@link simplesockets.api.Connection}: the handle to one peer of a server;</li>
 *   <li>{@link simplesockets.api.ServerStats}, {@link simplesockets.api.ClientStats} and
 *       {@link simplesockets.api.ConnectionStats}: what a server, a client or one connection is
 *       doing, for operators ({@code stats()});</li>
 *   <li>{@link simplesockets.api.ServerEvent}, {@link simplesockets.api.ClientEvent},
 *       {@link simplesockets.api.DisconnectReason}, {@link simplesockets.api.Failure} and
 *       {@link simplesockets.api.Framing}: sealed types to {@code switch} over.</li>
 * </ul>
 *
 * <p>An echo server:
 * {@snippet :
 * try (TcpServer server = TcpServer.create(ServerOptions.builder()
 *         .port(9999)
 *         .onReceive((connection, data) -> connection.send(data))
 *         .build())) {
 *     server.start();
 *     // ... serve until it is time to stop
 * }
 * }
 *
 * <p>This module holds no implementation. Add {@code simplesockets.impl} (real sockets) to the module
 * path; the factories find it through {@link java.util.ServiceLoader}. The testkit
 * ({@code simplesockets.testkit}) brings the implementation with it, so {@code TcpServer.create(options)}
 * still serves real sockets where it is present; in-memory pipes come from its {@code LoopbackNetwork},
 * from {@code TcpServer.create(options, "loopback")}, or with {@code -Dsimplesockets.provider=loopback}.
 *
 * @uses simplesockets.api.spi.SocketsProvider
 */
module simplesockets.api {
    exports simplesockets.api;
    exports simplesockets.api.spi;

    uses simplesockets.api.spi.SocketsProvider;
}
