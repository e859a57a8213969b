/**
 * The implementation of simplesockets over real TCP sockets: one virtual thread per connection,
 * bounded queues, and structured shutdown.
 *
 * <p>Applications do not use this module directly. They {@code requires simplesockets.api}; this
 * module arrives through {@link java.util.ServiceLoader} as the provider named {@code "socket"}. It
 * exports nothing to everyone. Its engines ({@code ServerEngine}, {@code ClientEngine}), its
 * transport seam and its clock seam are exported to {@code simplesockets.testkit} only, which runs
 * these same engines over in-memory pipes and on a manual clock. It reads {@code jdk.net} for the
 * keep-alive settings of {@code jdk.net.ExtendedSocketOptions}, and {@code jdk.jfr} for its flight
 * recorder events ({@code simplesockets.ConnectionOpened}, {@code simplesockets.ConnectionClosed},
 * {@code simplesockets.ReaderStalled}, {@code simplesockets.SlowConsumer},
 * {@code simplesockets.FailureRecorded}, all in category {@code simplesockets}).
 *
 * <p>Logging goes through SLF4J: anything a peer does is logged at debug, a bug (a throwing callback,
 * rate-limited per callback) or a failing accept (the first of a burst) at warn, and nothing is logged
 * per byte.
 *
 * @provides simplesockets.api.spi.SocketsProvider the real-socket provider, named {@code "socket"}
 */
module simplesockets.impl {
    requires transitive simplesockets.api;
    requires org.slf4j;
    requires jdk.net;
    requires jdk.jfr;

    // The testkit runs these same engines over its in-memory transport: qualified exports only.
    exports simplesockets.impl to simplesockets.testkit;
    exports simplesockets.impl.transport to simplesockets.testkit;
    exports simplesockets.impl.time to simplesockets.testkit;

    provides simplesockets.api.spi.SocketsProvider with simplesockets.impl.SocketProvider;
}
