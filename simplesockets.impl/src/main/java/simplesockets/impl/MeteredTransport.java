package simplesockets.impl;

import java.io.IOException;
import simplesockets.impl.transport.Transport;

/**
 * A connection's transport as its reader and write path see it: the same, with every byte that crosses
 * it counted in the connection's {@link Meter}, where it crosses (after TLS decryption, before TLS
 * encryption). Reads are counted by the one reading thread ({@link Reader}'s lock), writes by whichever
 * thread holds the write path's lock ({@link Outbound} writes only under it), so each count has one
 * writer at a time and needs no atomic add.
 */
final class MeteredTransport extends ForwardingTransport {

    private final Meter meter;

    MeteredTransport(Transport transport, Meter meter) {
        super(transport);
        this.meter = meter;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = inner.read(buffer, offset, length);
        if (n > 0) {
            meter.read(n);
        }
        return n;
    }

    @Override
    public void write(byte[] buffer, int offset, int length) throws IOException {
        inner.write(buffer, offset, length);
        meter.wrote(length);
    }
}
