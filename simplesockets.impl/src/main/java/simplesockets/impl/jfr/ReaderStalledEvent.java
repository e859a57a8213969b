package simplesockets.impl.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * A connection's reader waited, its duration, because received data was not taken: backpressure. The
 * default threshold (20 ms, as the JDK's socket events in its default settings) keeps the short waits
 * of a busy polling server out of a recording.
 */
@Name("simplesockets.ReaderStalled")
@Label("Reader Stalled")
@Category("simplesockets")
@Description("A connection's reader waited for received data to be taken (backpressure); TCP flow control slowed the peer meanwhile")
@StackTrace(false)
@Threshold("20 ms")
public final class ReaderStalledEvent extends jdk.jfr.Event {

    @Label("Side")
    @Description("server or client")
    String side;

    @Label("Connection Id")
    @Description("The connection's id, unique within its server or client")
    long connectionId;

    @Label("Remote Address")
    String remoteAddress;

    @Label("Bound")
    @Description("What was full: CONNECTION_QUEUE (its own queued bytes), ALL_QUEUES (every connection's), BYTES_IN_FLIGHT (a frame arriving while all bytes in flight were at their bound), or PENDING_SENDS (the replies waiting for its writer)")
    String bound;

    @Label("Queued Bytes")
    @Description("The connection's received bytes waiting for polling when it stalled")
    @DataAmount
    long queuedBytes;

    ReaderStalledEvent() {
    }
}
