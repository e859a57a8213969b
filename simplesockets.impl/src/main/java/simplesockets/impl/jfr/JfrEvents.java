package simplesockets.impl.jfr;

import java.net.InetSocketAddress;
import simplesockets.api.ConnectionStats;
import simplesockets.api.DisconnectReason;
import simplesockets.api.Failure;

/**
 * Emits the library's flight recorder events. Each method first asks whether its event would be
 * recorded ({@link jdk.jfr.Event#shouldCommit()}): when no recording is running or the event is
 * disabled, it does nothing more, and the event object it made does not escape, so the JIT can drop
 * it. None is called per message.
 */
public final class JfrEvents {

    private JfrEvents() {
    }

    /** A connection opened; on its own thread. */
    public static void opened(String side, long id, InetSocketAddress remote, InetSocketAddress local) {
        ConnectionOpenedEvent event = new ConnectionOpenedEvent();
        if (event.shouldCommit()) {
            event.side = side;
            event.connectionId = id;
            event.remoteAddress = text(remote);
            event.localAddress = text(local);
            event.commit();
        }
    }

    /** A connection closed, with its final figures; on its own thread. */
    public static void closed(String side, long id, InetSocketAddress remote, DisconnectReason reason, long openNanos,
            ConnectionStats stats) {
        ConnectionClosedEvent event = new ConnectionClosedEvent();
        if (event.shouldCommit()) {
            event.side = side;
            event.connectionId = id;
            event.remoteAddress = text(remote);
            event.reason = reason.getClass().getSimpleName();
            event.cause = reason instanceof DisconnectReason.Failed failed ? failed.cause().toString() : null;
            event.openFor = openNanos;
            event.bytesIn = stats.bytesIn();
            event.bytesOut = stats.bytesOut();
            event.messagesIn = stats.messagesIn();
            event.messagesOut = stats.messagesOut();
            event.readerStalls = stats.readerStalls();
            event.readerStallTime = stats.readerStallTime().toNanos();
            event.commit();
        }
    }

    /**
     * A reader begins to wait: the start of a stall event, or {@code null} when it would not be recorded.
     * The caller ends it with {@link #stallEnded}.
     */
    public static ReaderStalledEvent stallBegan() {
        ReaderStalledEvent event = new ReaderStalledEvent();
        if (!event.isEnabled()) {
            return null;
        }
        event.begin();
        return event;
    }

    /** The reader reads on: commits the stall event if it lasted past its threshold. */
    public static void stallEnded(ReaderStalledEvent event, String side, long id, InetSocketAddress remote,
            String bound, long queuedBytes) {
        event.end();
        if (event.shouldCommit()) {
            event.side = side;
            event.connectionId = id;
            event.remoteAddress = text(remote);
            event.bound = bound;
            event.queuedBytes = queuedBytes;
            event.commit();
        }
    }

    /** A slow consumer was cut off, on the thread whose send overflowed its pending bytes. */
    public static void slowConsumer(String side, long id, InetSocketAddress remote, int limit, long bytesOut) {
        SlowConsumerEvent event = new SlowConsumerEvent();
        if (event.shouldCommit()) {
            event.side = side;
            event.connectionId = id;
            event.remoteAddress = text(remote);
            event.limit = limit;
            event.bytesOut = bytesOut;
            event.commit();
        }
    }

    /** A failure was recorded. */
    public static void failure(String side, Failure failure) {
        FailureRecordedEvent event = new FailureRecordedEvent();
        if (event.shouldCommit()) {
            event.side = side;
            event.kind = failure.getClass().getSimpleName();
            event.peer = failure.peer().map(JfrEvents::text).orElse(null);
            event.thrownClass = failure.cause().getClass();
            event.message = failure.cause().getMessage();
            event.commit();
        }
    }

    private static String text(InetSocketAddress address) {
        return address == null ? null : address.getHostString() + ":" + address.getPort();
    }
}
