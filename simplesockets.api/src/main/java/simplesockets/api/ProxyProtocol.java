package simplesockets.api;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The PROXY protocol on a server: behind a load balancer, a connection's peer is the balancer, and
 * the balancer tells the real client's address in a header it sends first. HAProxy, nginx, Envoy and
 * the cloud load balancers send it; versions 1 (a text line) and 2 (binary) are both read, told apart
 * by their signatures. Off by default; set it with
 * {@link ServerOptions.Builder#proxyProtocol(ProxyProtocol)}.
 *
 * {@snippet :
 * ServerOptions options = ServerOptions.builder().host("0.0.0.0").port(9999)
 *         .proxyProtocol(ProxyProtocol.trusting("10.0.0.0/8"))   // the balancers' addresses
 *         .onConnect(c -> System.out.println(c.remoteAddress() + " via "   // a health check names no client
 *                 + c.proxyAddress().map(Object::toString).orElse("a health check")))
 *         .build();
 * }
 *
 * <p>With it on, every connection must come from a trusted proxy and begin with a header:
 * <ul>
 *   <li>{@link Connection#remoteAddress()} is the client's address as the header says, and
 *       {@link Connection#proxyAddress()} the balancer's. A version 2 {@code LOCAL} header (a
 *       balancer's health check) and a version 1 {@code UNKNOWN} one name no client: the connection
 *       keeps its real peer as {@code remoteAddress()}, and {@code proxyAddress()} is empty.</li>
 *   <li>The header is read on the connection's own virtual thread before the connection is announced,
 *       and before a TLS handshake (balancers send it in the clear). Exactly the header is read: the
 *       bytes after it, even in the same packet, are the connection's data.</li>
 *   <li>A connection from an address that is not trusted is closed before anything is read from it.
 *       Over a {@linkplain ServerOptions#unixSocket() Unix domain socket}, whose peers have no address,
 *       the socket file's permissions decide who may connect, and every peer's header is taken. A
 *       missing, malformed or over-long header (a version 1 line may have at most 107 bytes, its
 *       {@code \r\n} included), or one that is not complete within {@link #headerTimeout()}, closes
 *       the connection too. Each is recorded as a {@link Failure.Protocol} whose
 *       {@link java.net.ProtocolException} says what was wrong, with the peer's real address; no
 *       connect or disconnect callback fires for it, and the other connections go on. A peer that
 *       connects and closes without sending a byte (a bare TCP health check) is closed quietly.</li>
 *   <li>Nothing is held beyond the protocol's own bounds: 107 bytes per connection while its header
 *       arrives. Version 2 extensions (TLVs) are read past, up to the header's declared length, and not
 *       kept.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe; made only by its factories.
 */
public final class ProxyProtocol {

    /** The default {@link #headerTimeout()}: 5 seconds. */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(5);

    private final List<AddressBlock> trusted;
    private final boolean anyone;
    private final Duration headerTimeout;

    private ProxyProtocol(List<AddressBlock> trusted, boolean anyone, Duration headerTimeout) {
        Checks.notNegative("headerTimeout", headerTimeout);
        if (headerTimeout.isZero()) {
            throw new IllegalArgumentException("headerTimeout must be positive: without it, a peer that sends half a"
                    + " header would hold its connection for ever");
        }
        this.trusted = trusted;
        this.anyone = anyone;
        this.headerTimeout = headerTimeout;
    }

    /**
     * The PROXY protocol, taking headers only from connections whose peer is one of these addresses or
     * in one of these CIDR blocks, with the default header timeout.
     *
     * @param proxies IP addresses and CIDR blocks, such as {@code "10.0.0.5"}, {@code "10.0.0.0/8"},
     *                {@code "::1"} or {@code "2001:db8::/32"}; at least one. Host names are refused,
     *                never looked up.
     * @return the setting
     * @throws IllegalArgumentException if there is none, or one is not an IP literal, has a prefix out of
     *                                  range, or has bits set past its prefix
     * @throws NullPointerException     if {@code proxies} or one of them is {@code null}
     */
    public static ProxyProtocol trusting(String... proxies) {
        Objects.requireNonNull(proxies, "proxies");
        if (proxies.length == 0) {
            throw new IllegalArgumentException("name at least one trusted proxy (an IP address or CIDR block);"
                    + " trustingAnyone() takes headers from every peer");
        }
        List<AddressBlock> blocks = new ArrayList<>();
        for (String proxy : proxies) {
            blocks.add(AddressBlock.parse(Objects.requireNonNull(proxy, "proxy").strip()));
        }
        return new ProxyProtocol(List.copyOf(blocks), false, DEFAULT_HEADER_TIMEOUT);
    }

    /**
     * The PROXY protocol, taking headers from any peer, with the default header timeout. <b>Unsafe
     * where clients can reach the server directly:</b> any client can then claim any address. Use it
     * only where a firewall lets nothing but the balancers connect.
     *
     * @return the setting
     */
    public static ProxyProtocol trustingAnyone() {
        return new ProxyProtocol(List.of(), true, DEFAULT_HEADER_TIMEOUT);
    }

    /**
     * The same setting with another header timeout.
     *
     * @param timeout how long a connection may take to send its whole header, counted from when its
     *                connection's thread begins to read it, just after it is accepted; positive
     * @return a new setting
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     * @throws NullPointerException     if {@code timeout} is {@code null}
     */
    public ProxyProtocol withHeaderTimeout(Duration timeout) {
        return new ProxyProtocol(trusted, anyone, timeout);
    }

    /**
     * The trusted proxies, in the order given, each as an address or as {@code address/prefix}; empty
     * when {@linkplain #trustsAnyone() anyone} is trusted.
     *
     * @return the trusted addresses and blocks, unmodifiable
     */
    public List<String> trustedProxies() {
        return trusted.stream().map(AddressBlock::toString).toList();
    }

    /**
     * Whether headers are taken from any peer ({@link #trustingAnyone()}).
     *
     * @return the setting
     */
    public boolean trustsAnyone() {
        return anyone;
    }

    /**
     * Whether a connection from this address may send a header. Never blocks; any thread.
     *
     * @param address the peer's address
     * @return whether it is a trusted proxy
     * @throws NullPointerException if {@code address} is {@code null}
     */
    public boolean trusts(InetAddress address) {
        Objects.requireNonNull(address, "address");
        if (anyone) {
            return true;
        }
        for (AddressBlock block : trusted) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * How long a connection may take, from when its thread begins to read it (just after it is accepted),
     * to send its whole header; default
     * {@link #DEFAULT_HEADER_TIMEOUT}. Past it, the connection is closed and a {@link Failure.Protocol}
     * recorded. A peer that sends a byte now and then does not stretch it.
     *
     * @return the setting
     */
    public Duration headerTimeout() {
        return headerTimeout;
    }

    /**
     * Whether the other object is a setting with the same trusted proxies, in the same order, and the
     * same timeout.
     *
     * @param other the other object
     * @return whether they are equal
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof ProxyProtocol o && anyone == o.anyone && headerTimeout.equals(o.headerTimeout)
                && trustedProxies().equals(o.trustedProxies());
    }

    /**
     * A hash of the setting.
     *
     * @return the hash
     */
    @Override
    public int hashCode() {
        return Objects.hash(anyone, headerTimeout, trustedProxies());
    }

    /**
     * The setting, for logs.
     *
     * @return a readable form
     */
    @Override
    public String toString() {
        return "ProxyProtocol[trusted=" + (anyone ? "anyone" : trustedProxies().toString())
                + ", headerTimeout=" + headerTimeout + "]";
    }
}
