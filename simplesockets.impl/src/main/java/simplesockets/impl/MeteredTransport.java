package simplesockets.impl;

import java.io.IOException;
import java.net.InetSocketAddress;
import simplesockets.api.KeepAlive;
import simplesockets.api.TlsOptions;
import simplesockets.impl.time.Clock;
import simplesockets.impl.transport.Transport;

/**
 * A connection's transport as its reader and write path see it: the same, with every byte that crosses
 * it counted in the connection's {@link Meter}, where it crosses (after TLS decryption, before TLS
 * encryption). Reads are counted by the one reading thread ({@link Reader}'s lock), writes by whichever
 * thread holds the write path's lock ({@link Outbound} writes only under it), so each count has one
 * writer at a time and needs no atomic add.
 */
final class MeteredTransport implements Transport {

    private final Transport transport;
    private final Meter meter;

    MeteredTransport(Transport transport, Meter meter) {
        this.transport = transport;
        this.meter = meter;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = transport.read(buffer, offset, length);
        if (n > 0) {
            meter.read(n);
        }
        return n;
    }

    @Override
    public void write(byte[] buffer, int offset, int length) throws IOException {
        transport.write(buffer, offset, length);
        meter.wrote(length);
    }

    @Override
    public void shutdownOutput() throws IOException {
        transport.shutdownOutput();
    }

    @Override
    public void shutdownInput() throws IOException {
        transport.shutdownInput();
    }

    @Override
    public boolean endInput(Clock clock) throws IOException {
        return transport.endInput(clock);
    }

    @Override
    public boolean awaitRest() {
        return transport.awaitRest();
    }

    @Override
    public void configure(boolean tcpNoDelay, boolean keepAlive, KeepAlive tuning) throws IOException {
        transport.configure(tcpNoDelay, keepAlive, tuning);
    }

    @Override
    public Transport startTls(TlsOptions tls, boolean clientMode, String peerHost, Clock clock) throws IOException {
        return transport.startTls(tls, clientMode, peerHost, clock);
    }

    @Override
    public void close() throws IOException {
        transport.close();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return transport.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return transport.localAddress();
    }
}
