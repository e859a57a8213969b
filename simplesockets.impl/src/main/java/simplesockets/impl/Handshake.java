package simplesockets.impl;

import java.io.IOException;
import java.net.SocketTimeoutException;
import simplesockets.api.TlsOptions;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Transport;

/**
 * A TLS handshake with a real deadline on the {@link Clock}: a peer that trickles a byte now and then
 * cannot hold its connection open past the handshake timeout. Runs on the connection's own thread.
 */
final class Handshake {

    private Handshake() {
    }

    /**
     * Secures {@code plain}. On a failure the caller closes {@code plain} (a server first gives back the
     * connection's slot, so that a peer that sees the close and comes back finds it free), unless the
     * TLS engine closed it already, after its alert; a deadline that ran out closes it here, to end the
     * handshake.
     *
     * @param peerHost the host name for a client, {@code null} on a server
     * @return the secured transport
     * @throws IOException if the handshake fails; a {@link SocketTimeoutException} if it ran out of time
     */
    static Transport secure(Transport plain, TlsOptions tls, boolean clientMode, String peerHost, Clock clock)
            throws IOException {
        StepDeadline deadline = new StepDeadline(clock, tls.handshakeTimeout(), plain);
        Transport secured;
        try {
            secured = plain.startTls(tls, clientMode, peerHost, clock);
        } catch (IOException | RuntimeException e) {
            if (!deadline.finish() && !(e instanceof SocketTimeoutException)) {
                SocketTimeoutException timeout = new SocketTimeoutException("TLS handshake took longer than "
                        + tls.handshakeTimeout());
                timeout.initCause(e);
                throw timeout;
            }
            throw e;
        }
        if (!deadline.finish()) { // it finished just as the deadline closed its socket: a timeout, as it is
            Transports.closeQuietly(secured);
            throw new SocketTimeoutException("TLS handshake took longer than " + tls.handshakeTimeout());
        }
        return secured;
    }
}
