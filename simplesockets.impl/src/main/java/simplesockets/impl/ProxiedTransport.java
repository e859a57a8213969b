package simplesockets.impl;

import java.io.IOException;
import java.net.InetSocketAddress;
import simplesockets.api.TlsOptions;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Transport;

/**
 * A connection that came through a proxy which named its client in a PROXY protocol header: the
 * same transport, whose {@link #remoteAddress()} is the client's, and whose real peer (the proxy) is
 * {@link #proxy()}. A TLS handshake over it keeps both.
 */
final class ProxiedTransport extends ForwardingTransport {

    private final InetSocketAddress client;

    ProxiedTransport(Transport inner, InetSocketAddress client) {
        super(inner);
        this.client = client;
    }

    /** The socket's real peer: the proxy. */
    InetSocketAddress proxy() {
        return inner.remoteAddress();
    }

    @Override
    public Transport startTls(TlsOptions tls, boolean clientMode, String peerHost, Clock clock) throws IOException {
        return new ProxiedTransport(inner.startTls(tls, clientMode, peerHost, clock), client);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return client;
    }

    @Override
    public String toString() {
        return "Proxied[" + client + " via " + inner + "]";
    }
}
