/**
 * Runnable examples of simplesockets, each readable top to bottom as a tutorial:
 * <ul>
 *   <li>{@link simplesockets.examples.EchoServer}: the tutorial's echo server, polling for data;</li>
 *   <li>{@link simplesockets.examples.EchoClient}: the tutorial's client;</li>
 *   <li>{@link simplesockets.examples.ChatServer}: relays each line to every other client (line framing);</li>
 *   <li>{@link simplesockets.examples.Demo}: a server and clients in one process, with a transcript.</li>
 * </ul>
 *
 * <p>Like any application, this module requires only {@code simplesockets.api}. The implementation,
 * {@code simplesockets.impl}, is found at run time through {@link java.util.ServiceLoader}.
 */
module simplesockets.examples {
    requires simplesockets.api;

    exports simplesockets.examples;
}
