package simplesockets.impl.transport;

import java.io.Serial;
import java.net.SocketException;

/** The peer reset the connection (TCP RST): an ordinary disconnect, not a bug. */
public final class PeerResetException extends SocketException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened
     */
    public PeerResetException(String message) {
        super(message);
    }
}
