package simplesockets.api;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A PROXY protocol header a {@link TcpClient} sends first on each connection, before anything else
 * (and before a TLS handshake): for tests of a server behind a balancer, and for chaining, where a
 * server that relays its clients' connections tells the next server who they are. Set it with
 * {@link ClientOptions.Builder#proxyHeader(ProxyHeader)}; the server reads it when it has
 * {@link ProxyProtocol} on.
 *
 * {@snippet :
 * // A relay: the connection it serves is the client the next server should see.
 * ProxyHeader header = ProxyHeader.v2(connection.remoteAddress(), connection.localAddress());
 * TcpClient onward = TcpClient.create(ClientOptions.builder().host("10.0.0.7").port(9999)
 *         .proxyHeader(header).build());
 * }
 *
 * <p>Immutable and thread-safe; made only by its factories.
 */
public final class ProxyHeader {

    /** The protocol's version. */
    public enum Version {
        /** Version 1: one line of text, such as {@code PROXY TCP4 203.0.113.7 10.0.0.1 5555 80\r\n}. */
        V1,
        /** Version 2: binary, a 16-byte header and the addresses. */
        V2
    }

    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private final Version version;
    private final InetSocketAddress source;
    private final InetSocketAddress destination;
    private final byte[] bytes;

    private ProxyHeader(Version version, InetSocketAddress source, InetSocketAddress destination) {
        this.version = version;
        this.source = source;
        this.destination = destination;
        this.bytes = version == Version.V1 ? v1Bytes() : v2Bytes();
    }

    /**
     * A version 1 header naming a TCP client: {@code PROXY TCP4 ...} or {@code PROXY TCP6 ...}.
     *
     * @param source      the client's address, which the server will see as {@link Connection#remoteAddress()}
     * @param destination the address the client connected to
     * @return the header
     * @throws IllegalArgumentException if an address is unresolved, or one is IPv4 and the other IPv6
     * @throws NullPointerException     if an address is {@code null}
     */
    public static ProxyHeader v1(InetSocketAddress source, InetSocketAddress destination) {
        return new ProxyHeader(Version.V1, checked(source, "source"), sameFamily(source, destination));
    }

    /**
     * A version 2 header naming a TCP client (command {@code PROXY}, family {@code INET} or
     * {@code INET6}, transport {@code STREAM}), without extensions.
     *
     * @param source      the client's address, which the server will see as {@link Connection#remoteAddress()}
     * @param destination the address the client connected to
     * @return the header
     * @throws IllegalArgumentException if an address is unresolved, or one is IPv4 and the other IPv6
     * @throws NullPointerException     if an address is {@code null}
     */
    public static ProxyHeader v2(InetSocketAddress source, InetSocketAddress destination) {
        return new ProxyHeader(Version.V2, checked(source, "source"), sameFamily(source, destination));
    }

    /**
     * The version 1 header that names no client, {@code PROXY UNKNOWN\r\n}: the server keeps the
     * connection's real peer as its remote address.
     *
     * @return the header
     */
    public static ProxyHeader v1Unknown() {
        return new ProxyHeader(Version.V1, null, null);
    }

    /**
     * The version 2 {@code LOCAL} header, which a balancer sends on its own health checks: the server
     * keeps the connection's real peer as its remote address.
     *
     * @return the header
     */
    public static ProxyHeader v2Local() {
        return new ProxyHeader(Version.V2, null, null);
    }

    /**
     * The protocol's version.
     *
     * @return the version
     */
    public Version version() {
        return version;
    }

    /**
     * The client's address the header tells.
     *
     * @return the address, or empty for {@link #v1Unknown()} and {@link #v2Local()}
     */
    public Optional<InetSocketAddress> source() {
        return Optional.ofNullable(source);
    }

    /**
     * The address the client connected to, as the header tells.
     *
     * @return the address, or empty for {@link #v1Unknown()} and {@link #v2Local()}
     */
    public Optional<InetSocketAddress> destination() {
        return Optional.ofNullable(destination);
    }

    /**
     * The header as it goes on the wire.
     *
     * @return a fresh array the caller owns
     */
    public byte[] toBytes() {
        return bytes.clone();
    }

    private static InetSocketAddress checked(InetSocketAddress address, String name) {
        Objects.requireNonNull(address, name);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException(name + " " + address + " is unresolved: a PROXY header carries IP addresses");
        }
        return address;
    }

    private static InetSocketAddress sameFamily(InetSocketAddress source, InetSocketAddress destination) {
        checked(destination, "destination");
        if (source.getAddress() instanceof Inet4Address != destination.getAddress() instanceof Inet4Address) {
            throw new IllegalArgumentException("source " + source + " and destination " + destination
                    + " must both be IPv4 or both IPv6");
        }
        return destination;
    }

    private byte[] v1Bytes() {
        if (source == null) {
            return "PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII);
        }
        String family = source.getAddress() instanceof Inet4Address ? "TCP4" : "TCP6";
        return ("PROXY " + family + " " + text(source) + " " + text(destination) + " " + source.getPort() + " "
                + destination.getPort() + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The address's literal, IPv6 in its short form ({@code 2001:db8::1}) and without a scope (the protocol has none). */
    private static String text(InetSocketAddress address) {
        return AddressBlock.hostAddress(address.getAddress().getAddress());
    }

    private byte[] v2Bytes() {
        byte[] src = source == null ? new byte[0] : source.getAddress().getAddress();
        byte[] dst = destination == null ? new byte[0] : destination.getAddress().getAddress();
        int length = source == null ? 0 : src.length + dst.length + 4;
        byte[] out = Arrays.copyOf(V2_SIGNATURE, 16 + length);
        out[12] = (byte) (source == null ? 0x20 : 0x21);             // version 2; LOCAL or PROXY
        out[13] = (byte) (source == null ? 0x00 : src.length == 4 ? 0x11 : 0x21); // UNSPEC, or INET/INET6 over STREAM
        out[14] = (byte) (length >>> 8);
        out[15] = (byte) length;
        if (source != null) {
            System.arraycopy(src, 0, out, 16, src.length);
            System.arraycopy(dst, 0, out, 16 + src.length, dst.length);
            int ports = 16 + src.length + dst.length;
            out[ports] = (byte) (source.getPort() >>> 8);
            out[ports + 1] = (byte) source.getPort();
            out[ports + 2] = (byte) (destination.getPort() >>> 8);
            out[ports + 3] = (byte) destination.getPort();
        }
        return out;
    }

    /**
     * Whether the other object is a header with the same bytes.
     *
     * @param other the other object
     * @return whether they are equal
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof ProxyHeader o && Arrays.equals(bytes, o.bytes);
    }

    /**
     * A hash of the header's bytes.
     *
     * @return the hash
     */
    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /**
     * The header, for logs.
     *
     * @return a readable form
     */
    @Override
    public String toString() {
        return "ProxyHeader[" + version + (source == null ? (version == Version.V1 ? ", UNKNOWN" : ", LOCAL")
                : ", source=" + source + ", destination=" + destination) + "]";
    }
}
