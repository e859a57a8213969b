/**
 * The library's JDK Flight Recorder events, all in category {@code simplesockets}:
 * {@code simplesockets.ConnectionOpened}, {@code simplesockets.ConnectionClosed} (its reason and byte
 * counts), {@code simplesockets.ReaderStalled} (a reader held back by backpressure, for how long),
 * {@code simplesockets.SlowConsumer} (a peer cut off because it did not read) and
 * {@code simplesockets.FailureRecorded}.
 *
 * <p>They follow the JDK's conventions: each can be enabled and disabled on its own, like any JDK
 * event ({@code -XX:StartFlightRecording:simplesockets.ReaderStalled#threshold=0ms}), none records a
 * stack trace, and none is emitted on the data path: they mark a connection's life and its rare
 * troubles. When no recording is running, or the event is disabled, an emitter does nothing but ask
 * ({@link jdk.jfr.Event#shouldCommit()}). {@link simplesockets.impl.jfr.JfrEvents} is the engine's only
 * way in.
 */
package simplesockets.impl.jfr;
