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
 *     TcpClient client = network.client(ClientOptions.builder().address(server.localAddress().orElseThrow()).build());
 *     client.connect();
 *     client.send("ping".getBytes());
 *     byte[] echo = client.receive(Duration.ofSeconds(1)).orElseThrow();
 * }
 * }
 *
 * <p>The core ({@code simplesockets.testkit}) depends on no test framework. The JUnit 5 glue,
 * {@link simplesockets.testkit.junit.LoopbackExtension}, sits in its own package and needs JUnit
 * Jupiter only when it is used: the module reads {@code org.junit.jupiter.api} with
 * {@code requires static}, and the Maven dependency is optional, so it never drags JUnit onto a
 * user's path.
 *
 * <p>The main types:
 * <ul>
 *   <li>{@link simplesockets.testkit.LoopbackNetwork}: makes servers, clients and raw peers;</li>
 *   <li>{@link simplesockets.testkit.Wire}: one connection, with faults and recorded traffic, and a
 *       wait for its far end to be reading ({@code awaitReading}, for idle timeouts on a manual clock);</li>
 *   <li>{@link simplesockets.testkit.Fault}: the sealed faults (reset, close, half-close, stall,
 *       fragment, delay);</li>
 *   <li>{@link simplesockets.testkit.RawPeer}: a hand-driven client end, like a plain socket;</li>
 *   <li>{@link simplesockets.testkit.PinningRecorder}: fails when a virtual thread was pinned (but for
 *       the pinning the JDK does on its own, while it loads a class, commits a JFR event or starts a
 *       virtual thread);</li>
 *   <li>{@link simplesockets.testkit.ManualClock}: time that moves only when the test advances it, for
 *       the timeouts, graces and back-offs of every server and client on a network made with it.</li>
 * </ul>
 *
 * <p>The testkit's own waits (for a wire, a write, a read, a waiter on the clock) take the longest
 * wait in real time, and zero looks once without waiting, as a JDK queue's {@code poll} does: unlike
 * the API's polling waits, where zero means no limit, a test never waits for good by mistake.
 *
 * @provides simplesockets.api.spi.SocketsProvider the in-memory provider, named {@code "loopback"}
 */
module simplesockets.testkit {
    requires transitive simplesockets.api;
    requires simplesockets.impl;
    requires jdk.jfr;
    requires static org.junit.jupiter.api;

    exports simplesockets.testkit;
    exports simplesockets.testkit.junit;

    provides simplesockets.api.spi.SocketsProvider with simplesockets.testkit.LoopbackProvider;
}
