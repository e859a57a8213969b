package simplesockets.impl;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.PeerResetException;
import simplesockets.impl.transport.Transport;

/** Closing what may already be closed, and what users see of a transport's exceptions. */
final class Transports {

    private static final Logger LOG = LoggerFactory.getLogger(Transports.class);

    /**
     * How long a read under way when a graceful close began is left to take what had arrived before
     * it is woken, if it still waits. A read with bytes to take returns in microseconds; this leaves
     * room for a busy machine to schedule it.
     */
    static final Duration INPUT_SETTLE = Duration.ofMillis(100);

    private Transports() {
    }

    /**
     * Ends a connection's input for a graceful close, keeping what has already arrived
     * ({@link Transport#endInput(Clock)}). A read that was under way is woken after {@link #INPUT_SETTLE}
     * if it still waits then, by {@code wake}, which shuts the input down.
     */
    static void endInput(Transport transport, Clock clock, Runnable wake) {
        try {
            if (transport.endInput(clock)) {
                clock.schedule(INPUT_SETTLE, wake);
            }
        } catch (IOException e) {
            LOG.debug("Ending the input of {} failed", transport, e);
            wake.run();
        }
    }

    static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            LOG.debug("Closing {} failed", closeable, e);
        }
    }

    /** What users see of a transport's exception: a JDK type, never one of the transport seam's. */
    static IOException shown(IOException e) {
        if (!(e instanceof PeerResetException reset)) {
            return e;
        }
        SocketException shown = new SocketException(reset.getMessage());
        if (reset.getCause() != null) {
            shown.initCause(reset.getCause());
        }
        return shown;
    }

    /** A failure's cause as an exception a caller can be thrown: JDK types, I/O ones as they are. */
    static IOException asIoException(Throwable cause, String what) {
        if (cause instanceof IOException io) {
            return shown(io);
        }
        IOException wrapped = cause instanceof java.nio.channels.UnresolvedAddressException
                ? new java.net.UnknownHostException(what + ": the host name does not resolve")
                : new IOException(what + ": " + cause, cause);
        if (wrapped.getCause() == null) {
            wrapped.initCause(cause);
        }
        return wrapped;
    }

    /** Whether the exception's message tells of a reset, a broken pipe or a dead peer (the JDK's only sign). */
    static boolean saysPeerFailed(IOException e) {
        String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
        return message.contains("reset") || message.contains("broken pipe") || message.contains("timed out");
    }

    /**
     * The JDK reports a reset or a broken pipe as a plain I/O exception; only its message tells. On a
     * transport we did not close ourselves, that is the peer's doing.
     */
    static IOException resetByPeer(IOException e, boolean stillOpen) {
        String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
        if (stillOpen && (message.contains("reset") || message.contains("broken pipe"))) {
            PeerResetException reset = new PeerResetException(e.getMessage());
            reset.initCause(e);
            return reset;
        }
        return e;
    }
}
