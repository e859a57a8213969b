package simplesockets.impl;

import java.io.IOException;
import java.net.InetSocketAddress;
import simplesockets.api.KeepAlive;
import simplesockets.api.TlsOptions;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Transport;

/**
 * A transport that hands every call to another: the base of the wrappers that change one or two of
 * them ({@link ProxiedTransport} shows the client a PROXY header named). A wrapper that forwarded by hand could miss a method and fall back to the seam's
 * default without anyone noticing, as {@code endInput} once did behind a PROXY header (a drain then shut
 * the input at once).
 */
abstract class ForwardingTransport implements Transport {

    /** The transport every call goes to. */
    final Transport inner;

    ForwardingTransport(Transport inner) {
        this.inner = inner;
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
        return inner.startTls(tls, clientMode, peerHost, clock);
    }

    @Override
    public void beforeClose(Runnable first) {
        inner.beforeClose(first);
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }

    @Override
    public boolean closeMayWait() {
        return inner.closeMayWait();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return inner.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return inner.localAddress();
    }
}
