package simplesockets.impl.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A peer that did not read was cut off: the sends waiting for it passed their bound. */
@Name("simplesockets.SlowConsumer")
@Label("Slow Consumer Cut Off")
@Category("simplesockets")
@Description("A peer that did not read was disconnected: the sends waiting for it passed maxPendingSendBytes")
@StackTrace(false)
final class SlowConsumerEvent extends jdk.jfr.Event {

    @Label("Side")
    @Description("server or client")
    String side;

    @Label("Connection Id")
    @Description("The connection's id, unique within its server or client")
    long connectionId;

    @Label("Remote Address")
    String remoteAddress;

    @Label("Pending Bound")
    @Description("maxPendingSendBytes, the bound that was passed")
    @DataAmount
    long limit;

    @Label("Bytes Out")
    @Description("Bytes written to the peer before it was cut off")
    @DataAmount
    long bytesOut;
}
