package simplesockets.impl;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import simplesockets.api.ProxyProtocol;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.PeerResetException;
import simplesockets.impl.transport.Transport;

/**
 * The PROXY protocol's door on a server: a connection from a trusted proxy passes once its header has
 * been read, within the header timeout on the {@link Clock}; any other is refused. Runs on the
 * connection's own thread, before the connection is announced (and before a TLS handshake).
 */
final class ProxyGate {

    private final ProxyProtocol settings;
    private final Clock clock;

    ProxyGate(ProxyProtocol settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Reads the header of a new connection. The caller closes {@code accepted} if this throws.
     *
     * @return the transport to serve: {@code accepted} itself, or, when the header named a client, a
     *         {@link ProxiedTransport} whose remote address is that client's
     * @throws EOFException      if the peer closed (or reset) the connection before sending a byte, as a
     *                           bare TCP health check does
     * @throws ProtocolException if the peer is not a trusted proxy, or its header is missing, malformed,
     *                           cut short or late (the deadline closes {@code accepted})
     * @throws IOException       if reading failed otherwise
     */
    Transport pass(Transport accepted) throws IOException {
        InetSocketAddress peer = accepted.remoteAddress();
        // A Unix peer has no address (it shows the socket's path, unresolved): the file's permissions
        // decided who could connect, so its header is taken.
        if (!peer.isUnresolved() && !settings.trusts(peer.getAddress())) {
            throw new ProtocolException(peer.getAddress().getHostAddress() + " is not a trusted proxy; PROXY"
                    + " protocol headers are taken only from " + settings.trustedProxies());
        }
        ProxyHeaderParser parser = new ProxyHeaderParser(accepted::read);
        StepDeadline deadline = new StepDeadline(clock, settings.headerTimeout(), accepted);
        ProxyHeaderParser.Header header;
        try {
            header = parser.read();
        } catch (IOException e) {
            if (!deadline.finish()) {
                throw late(parser, e);
            }
            if (e instanceof PeerResetException && parser.received() == 0) {
                EOFException quiet = new EOFException("the connection was reset before sending anything");
                quiet.initCause(e);
                throw quiet;
            }
            throw e;
        } catch (RuntimeException e) {
            deadline.finish();
            throw e;
        }
        if (!deadline.finish()) { // the deadline closed the transport just as the header was complete
            throw late(parser, null);
        }
        return header.source().<Transport>map(client -> new ProxiedTransport(accepted, client)).orElse(accepted);
    }

    private ProtocolException late(ProxyHeaderParser parser, IOException cause) {
        ProtocolException late = new ProtocolException("no complete PROXY protocol header within "
                + settings.headerTimeout() + " (" + parser.received() + " bytes of it had arrived)");
        if (cause != null) {
            late.initCause(cause);
        }
        return late;
    }
}
