package simplesockets.impl.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A connection opened: accepted by a server (after its TLS handshake, if any) or made by a client. */
@Name("simplesockets.ConnectionOpened")
@Label("Connection Opened")
@Category("simplesockets")
@Description("A connection opened: accepted by a server, after its TLS handshake if any, or made by a client")
@StackTrace(false)
final class ConnectionOpenedEvent extends jdk.jfr.Event {

    @Label("Side")
    @Description("server or client")
    String side;

    @Label("Connection Id")
    @Description("The connection's id, unique within its server or client")
    long connectionId;

    @Label("Remote Address")
    String remoteAddress;

    @Label("Local Address")
    String localAddress;
}
