package simplesockets.impl;

import java.io.IOException;
import java.net.InetSocketAddress;
import simplesockets.api.KeepAlive;
import simplesockets.api.TlsOptions;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Transport;

/**
 * A connection that came through a proxy which named its client in a PROXY protocol header: the
 * same transport, whose {@link #remoteAddress()} is the client's, and whose real peer (the proxy) is
 * {@link #proxy()}. A TLS handshake over it keeps both.
 */
final class ProxiedTransport implements Transport {

    private final Transport inner;
    private final InetSocketAddress client;

    ProxiedTransport(Transport inner, InetSocketAddress client) {
        this.inner = inner;
        this.client = client;
    }

    /** The socket's real peer: the proxy. */
    InetSocketAddress proxy() {
        return inner.remoteAddress();
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        return inner.read(buffer, offset, length);
    }

    @Override
    public void write(byte[] buffer, int offset, int length) throws IOException {
        inner.write(buffer, offset, length);
    }

    @Override
    public void shutdownOutput() throws IOException {
        inner.shutdownOutput();
    }

    @Override
    public void shutdownInput() throws IOException {
        inner.shutdownInput();
    }

    @Override
    public boolean endInput(Clock clock) throws IOException {
        return inner.endInput(clock);
    }

    @Override
    public boolean awaitRest() {
        return inner.awaitRest();
    }

    @Override
    public void configure(boolean tcpNoDelay, boolean keepAlive, KeepAlive tuning) throws IOException {
        inner.configure(tcpNoDelay, keepAlive, tuning);
    }

    @Override
    public Transport startTls(TlsOptions tls, boolean clientMode, String peerHost, Clock clock) throws IOException {
        return new ProxiedTransport(inner.startTls(tls, clientMode, peerHost, clock), client);
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return client;
    }

    @Override
    public InetSocketAddress localAddress() {
        return inner.localAddress();
    }

    @Override
    public String toString() {
        return "Proxied[" + client + " via " + inner + "]";
    }
}
