package simplesockets.impl.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A failure was recorded: what {@code exceptions()} and {@code onFailure} see. */
@Name("simplesockets.FailureRecorded")
@Label("Failure Recorded")
@Category("simplesockets")
@Description("A failure was recorded, as exceptions() and onFailure see it")
@StackTrace(false)
final class FailureRecordedEvent extends jdk.jfr.Event {

    @Label("Side")
    @Description("server or client")
    String side;

    @Label("Kind")
    @Description("The kind of Failure: Accept, Connect, Io, Protocol, Callback, Tls or SlowConsumer")
    String kind;

    @Label("Peer")
    @Description("The remote address the failure concerns, if any")
    String peer;

    @Label("Thrown Class")
    Class<?> thrownClass;

    @Label("Message")
    String message;
}
