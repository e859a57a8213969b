/**
 * An in-memory loopback network for testing code written against {@code simplesockets.api}, with
 * no ports and no sockets.
 *
 * <p>{@link simplesockets.testkit.LoopbackNetwork} makes {@link simplesockets.api.TcpServer}s and
 * {@link simplesockets.api.TcpClient}s that run the real engine of {@code simplesockets.impl} over
 * in-memory pipes, so that a test that passes here says something about the real thing.
 *
 * {@snippet :
 * try (LoopbackNetwork network = new LoopbackNetwork()) {
 *     TcpServer server = network.server(ServerOptions.builder().port(0)
 *             .onReceive((connection, data) -> connection.send(data)).build());
 *     server.start();
 *     TcpClient client = network.client(ClientOptions.builder().address(server.localAddress()).build());
 *     client.connect();
 *     client.send("ping".getBytes());
 *     byte[] echo = client.receive(Duration.ofSeconds(1)).orElseThrow();
 * }
 * }
 *
 * @provides simplesockets.api.spi.SocketsProvider the in-memory provider, named {@code "loopback"}
 */
module simplesockets.testkit {
    requires transitive simplesockets.api;
    requires simplesockets.impl;
    requires org.slf4j;

    exports simplesockets.testkit;

    provides simplesockets.api.spi.SocketsProvider with simplesockets.testkit.LoopbackProvider;
}
