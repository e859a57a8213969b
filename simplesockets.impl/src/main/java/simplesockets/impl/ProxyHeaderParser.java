package simplesockets.impl;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.util.Optional;

/**
 * Reads one PROXY protocol header from the start of a connection, version 1 or 2 (told apart by
 * their signatures), and not one byte after it: what follows stays in the transport for the
 * connection's reader, or for a TLS handshake.
 *
 * <p>How it keeps to the header: the first 12 bytes are read at once (no version 1 line is shorter
 * than 15 bytes, and no version 2 header than 16); a version 1 line is then read a byte at a time up to
 * its {@code \r\n} (at most 95 more reads, of bytes a balancer sends in one packet); a version 2
 * header's length field says exactly how much follows. Its one buffer is {@value #V1_MAX} bytes, the
 * longest version 1 line: version 2 addresses (at most 36 bytes for IPv6) are read into it, and the
 * rest of a version 2 header (Unix addresses, extensions) is read through it and dropped.
 *
 * <p>Every loop is bounded by the bytes it may read, and each read returns at least one byte or
 * fails. Time is the caller's to bound ({@link ProxyGate}). One thread; not thread-safe.
 */
final class ProxyHeaderParser {

    /** Where the header comes from: a transport's blocking read. */
    @FunctionalInterface
    interface Source {
        /**
         * Reads at least one byte, blocking until some arrive.
         *
         * @return the bytes read, or -1 at end of stream
         * @throws IOException if reading fails
         */
        int read(byte[] buffer, int offset, int length) throws IOException;
    }

    /**
     * What a header said.
     *
     * @param version     1 or 2
     * @param source      the client, or empty for a header that names none (v1 {@code UNKNOWN}, v2
     *                    {@code LOCAL}, or a v2 family other than IPv4 and IPv6)
     * @param destination the address the client connected to, present with {@code source}
     */
    record Header(int version, Optional<InetSocketAddress> source, Optional<InetSocketAddress> destination) {
        static Header unnamed(int version) {
            return new Header(version, Optional.empty(), Optional.empty());
        }
    }

    /** The longest version 1 line, {@code \r\n} included, as the protocol sets it. */
    static final int V1_MAX = 107;
    private static final byte[] V1_START = {'P', 'R', 'O', 'X', 'Y', ' '};
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final int SIGNATURE = 12;

    private final Source source;
    private final byte[] buffer = new byte[V1_MAX];
    private int received;

    ProxyHeaderParser(Source source) {
        this.source = source;
    }

    /** How many bytes were read so far, for messages. */
    int received() {
        return received;
    }

    /**
     * Reads the header.
     *
     * @return what it said
     * @throws EOFException      if the stream ended before its first byte
     * @throws ProtocolException if the bytes are not a valid header, or the stream ended inside one
     * @throws IOException       if reading fails
     */
    Header read() throws IOException {
        int have = 0;
        while (have < SIGNATURE) {
            int n = source.read(buffer, have, SIGNATURE - have);
            if (n < 0) {
                throw ended(have);
            }
            have += n;
            received = have;
            if (!startsLike(V1_START, have) && !startsLike(V2_SIGNATURE, have)) {
                throw new ProtocolException("no PROXY protocol header: the connection began with "
                        + ProxyV1.quoted(buffer, have));
            }
        }
        return startsLike(V1_START, SIGNATURE) ? readV1() : readV2();
    }

    /** Whether the first {@code have} bytes (at most the pattern's length) are the pattern's. */
    private boolean startsLike(byte[] pattern, int have) {
        for (int i = 0; i < Math.min(have, pattern.length); i++) {
            if (buffer[i] != pattern[i]) {
                return false;
            }
        }
        return true;
    }

    private Header readV1() throws IOException {
        for (int i = V1_START.length; i < SIGNATURE; i++) {
            checkLineByte(i);
            if (buffer[i] == '\n' && i < SIGNATURE - 1) {
                throw new ProtocolException("PROXY protocol v1 line too short to be one: "
                        + ProxyV1.quoted(buffer, i + 1));
            }
        }
        int have = SIGNATURE;
        while (buffer[have - 1] != '\n') {
            if (have == V1_MAX) {
                throw new ProtocolException("PROXY protocol v1 line longer than " + V1_MAX
                        + " bytes (the protocol's most, \\r\\n included): " + ProxyV1.quoted(buffer, have));
            }
            fill(have, 1);
            checkLineByte(have);
            have++;
        }
        return ProxyV1.parse(buffer, have - 2);
    }

    /** A {@code \r} only just before the {@code \n}, and a {@code \n} only just after a {@code \r}. */
    private void checkLineByte(int at) throws ProtocolException {
        byte b = buffer[at];
        byte before = buffer[at - 1];
        if (before == '\r' && b != '\n' || b == '\n' && before != '\r') {
            throw new ProtocolException("PROXY protocol v1 line with a stray \\r or \\n: "
                    + ProxyV1.quoted(buffer, at + 1) + " (it must end with \\r\\n and hold neither before)");
        }
    }

    private Header readV2() throws IOException {
        fill(SIGNATURE, 4);
        int version = (buffer[12] & 0xff) >>> 4;
        int command = buffer[12] & 0x0f;
        int family = (buffer[13] & 0xff) >>> 4;
        int protocol = buffer[13] & 0x0f;
        int length = (buffer[14] & 0xff) << 8 | buffer[15] & 0xff;
        if (version != 2) {
            throw new ProtocolException("PROXY protocol v2 header with version " + version + "; only 2 exists");
        }
        if (command > 1) {
            throw new ProtocolException("PROXY protocol v2 header with command " + command
                    + "; only 0 (LOCAL) and 1 (PROXY) exist");
        }
        if (command == 0) { // LOCAL (a balancer's own connection, a health check): its family is ignored, as the spec says
            skip(length);
            return Header.unnamed(2);
        }
        if (family > 3 || protocol > 2 || (family == 0) != (protocol == 0)) {
            throw new ProtocolException(String.format("PROXY protocol v2 header with address family and transport"
                    + " 0x%02x; the family must be 0 to 3 and the transport 0 to 2, both 0 or neither", buffer[13] & 0xff));
        }
        int addresses = switch (family) {
            case 1 -> 12;  // IPv4: two addresses of 4 bytes, two ports
            case 2 -> 36;  // IPv6: two of 16, two ports
            case 3 -> 216; // Unix: two paths of 108
            default -> 0;
        };
        if (command == 1 && length < addresses) {
            throw new ProtocolException("PROXY protocol v2 header of " + length + " bytes after its first 16, too"
                    + " short for the " + addresses + " bytes of its family's addresses");
        }
        if (family == 0 || family == 3) {
            skip(length); // unspecified or Unix: no client to name; the connection keeps its real peer
            return Header.unnamed(2);
        }
        fill(0, addresses);
        int size = addresses == 12 ? 4 : 16;
        InetSocketAddress from = new InetSocketAddress(address(0, size), port(2 * size));
        InetSocketAddress to = new InetSocketAddress(address(size, size), port(2 * size + 2));
        skip(length - addresses); // extensions (TLVs): read past, not kept
        return new Header(2, Optional.of(from), Optional.of(to));
    }

    private InetAddress address(int offset, int size) throws ProtocolException {
        byte[] bytes = new byte[size];
        System.arraycopy(buffer, offset, bytes, 0, size);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            throw new ProtocolException("PROXY protocol v2 address of " + size + " bytes"); // 4 or 16: cannot happen
        }
    }

    private int port(int offset) {
        return (buffer[offset] & 0xff) << 8 | buffer[offset + 1] & 0xff;
    }

    /** Reads exactly {@code n} bytes into the buffer at {@code offset}. */
    private void fill(int offset, int n) throws IOException {
        int end = offset + n;
        for (int at = offset; at < end; ) {
            int read = source.read(buffer, at, end - at);
            if (read < 0) {
                throw ended(received);
            }
            at += read;
            received += read;
        }
    }

    /** Reads exactly {@code n} bytes and drops them, through the buffer. */
    private void skip(int n) throws IOException {
        for (int left = n; left > 0; ) {
            int read = source.read(buffer, 0, Math.min(left, buffer.length));
            if (read < 0) {
                throw ended(received);
            }
            left -= read;
            received += read;
        }
    }

    private static IOException ended(int have) {
        if (have == 0) {
            return new EOFException("the connection ended before sending anything");
        }
        return new ProtocolException("the connection ended after " + have
                + " bytes, inside its PROXY protocol header");
    }
}
