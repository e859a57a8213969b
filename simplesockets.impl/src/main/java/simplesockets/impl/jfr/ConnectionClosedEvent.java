package simplesockets.impl.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** A connection closed, with why and what it carried. */
@Name("simplesockets.ConnectionClosed")
@Label("Connection Closed")
@Category("simplesockets")
@Description("A connection closed: why, how long it was open, and the bytes and messages it carried")
@StackTrace(false)
final class ConnectionClosedEvent extends jdk.jfr.Event {

    @Label("Side")
    @Description("server or client")
    String side;

    @Label("Connection Id")
    @Description("The connection's id, unique within its server or client")
    long connectionId;

    @Label("Remote Address")
    String remoteAddress;

    @Label("Reason")
    @Description("ClosedByUs, PeerClosed, Reset, TimedOut, SlowConsumer or Failed")
    String reason;

    @Label("Cause")
    @Description("What failed, for reason Failed")
    String cause;

    @Label("Open For")
    @Timespan
    long openFor;

    @Label("Bytes In")
    @Description("Bytes read from the socket, framing included")
    @DataAmount
    long bytesIn;

    @Label("Bytes Out")
    @Description("Bytes written to the socket, framing included")
    @DataAmount
    long bytesOut;

    @Label("Messages In")
    long messagesIn;

    @Label("Messages Out")
    long messagesOut;

    @Label("Reader Stalls")
    @Description("How many times its reader waited for received data to be taken (backpressure)")
    long readerStalls;

    @Label("Reader Stall Time")
    @Timespan
    long readerStallTime;
}
