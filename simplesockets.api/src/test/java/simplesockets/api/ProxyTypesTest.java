package simplesockets.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The PROXY protocol's options: trusted proxies parsed without lookups, and headers byte for byte. */
class ProxyTypesTest {

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    private static InetSocketAddress at(String literal, int port) throws Exception {
        return new InetSocketAddress(ip(literal), port);
    }

    @Test
    void trustedProxiesAreAddressesAndBlocksInAPlainForm() throws Exception {
        ProxyProtocol proxy = ProxyProtocol.trusting("10.0.0.0/8", " 127.0.0.1 ", "::1", "2001:DB8:0::/32", "0.0.0.0/0");
        assertEquals(List.of("10.0.0.0/8", "127.0.0.1", "::1", "2001:db8::/32", "0.0.0.0/0"), proxy.trustedProxies());
        assertFalse(proxy.trustsAnyone());
        assertEquals(ProxyProtocol.DEFAULT_HEADER_TIMEOUT, proxy.headerTimeout());
        assertEquals(Duration.ofSeconds(5), proxy.headerTimeout());

        ProxyProtocol narrow = ProxyProtocol.trusting("10.0.0.0/8", "127.0.0.1", "2001:db8::/32");
        for (String yes : List.of("10.0.0.0", "10.255.255.255", "127.0.0.1", "2001:db8::", "2001:db8:ffff::5")) {
            assertTrue(narrow.trusts(ip(yes)), yes);
        }
        for (String no : List.of("11.0.0.0", "9.255.255.255", "127.0.0.2", "2001:db9::", "::1")) {
            assertFalse(narrow.trusts(ip(no)), no);
        }
        assertTrue(narrow.trusts(ip("::ffff:10.0.0.1")), "an IPv4-mapped address is an IPv4 address to Java");
        assertTrue(ProxyProtocol.trusting("::/0").trusts(ip("2001:db8::1")));
        assertFalse(ProxyProtocol.trusting("::/0").trusts(ip("1.2.3.4")), "an IPv6 block holds no IPv4 address");
        assertTrue(ProxyProtocol.trusting("1:0:0:2:0:0:0:3").trustedProxies().contains("1:0:0:2::3"));
    }

    @Test
    void whatIsNotAnAddressOrBlockIsRefusedWithAMessageAndNeverLookedUp() {
        for (String bad : List.of("", "localhost", "proxy.example.com", "10.0.0", "010.0.0.1", "256.0.0.1", "10.0.0.1/33",
                "10.0.0.0/", "10.0.0.0/-1", "::1/129", "fe80::1%eth0", "[::1]", "1.2.3.4/8x")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProxyProtocol.trusting(bad), bad);
            assertTrue(e.getMessage().startsWith("trusted proxy "), e.getMessage());
        }
        IllegalArgumentException hostBits = assertThrows(IllegalArgumentException.class, () -> ProxyProtocol.trusting("10.1.2.3/8"));
        assertTrue(hostBits.getMessage().contains("10.0.0.0/8"), hostBits.getMessage());
        IllegalArgumentException mapped = assertThrows(IllegalArgumentException.class, () -> ProxyProtocol.trusting("::ffff:1.2.3.4"));
        assertTrue(mapped.getMessage().contains("(1.2.3.4)"), mapped.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, ProxyProtocol::trusting);
        assertTrue(none.getMessage().contains("trustingAnyone()"), none.getMessage());
        assertThrows(NullPointerException.class, () -> ProxyProtocol.trusting((String) null));
    }

    @Test
    void anyoneIsExplicitAndTheTimeoutCannotBeSwitchedOff() throws Exception {
        ProxyProtocol anyone = ProxyProtocol.trustingAnyone();
        assertTrue(anyone.trustsAnyone());
        assertTrue(anyone.trustedProxies().isEmpty());
        assertTrue(anyone.trusts(ip("203.0.113.7")) && anyone.trusts(ip("2001:db8::1")));
        assertEquals(Duration.ofMillis(250), anyone.withHeaderTimeout(Duration.ofMillis(250)).headerTimeout());
        assertThrows(IllegalArgumentException.class, () -> anyone.withHeaderTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> anyone.withHeaderTimeout(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> anyone.withHeaderTimeout(null));
        assertEquals(ProxyProtocol.trusting("10.0.0.0/8"), ProxyProtocol.trusting("10.0.0.0/8"));
        assertEquals(ProxyProtocol.trusting("10.0.0.0/8").hashCode(), ProxyProtocol.trusting("10.0.0.0/8").hashCode());
        assertNotEquals(ProxyProtocol.trusting("10.0.0.0/8"), ProxyProtocol.trusting("10.0.0.0/8").withHeaderTimeout(Duration.ofSeconds(1)));
        assertNotEquals(anyone, ProxyProtocol.trusting("0.0.0.0/0", "::/0"));
        assertEquals("ProxyProtocol[trusted=[10.0.0.0/8], headerTimeout=PT5S]", ProxyProtocol.trusting("10.0.0.0/8").toString());
        assertEquals("ProxyProtocol[trusted=anyone, headerTimeout=PT5S]", anyone.toString());
    }

    @Test
    void theOptionsCarryTheSettingsAndAreOffByDefault() throws Exception {
        assertEquals(Optional.empty(), ServerOptions.builder().build().proxyProtocol());
        assertEquals(Optional.empty(), ClientOptions.builder().build().proxyHeader());
        ServerOptions server = ServerOptions.builder().proxyProtocol(ProxyProtocol.trusting("10.0.0.0/8")).build();
        assertEquals(ProxyProtocol.trusting("10.0.0.0/8"), server.proxyProtocol().orElseThrow());
        assertEquals(server, server.toBuilder().build());
        assertNotEquals(server, ServerOptions.builder().build());
        assertTrue(server.toString().contains("proxyProtocol=ProxyProtocol[trusted=[10.0.0.0/8]"), server.toString());
        ProxyHeader header = ProxyHeader.v2(at("203.0.113.7", 5555), at("10.0.0.1", 80));
        ClientOptions client = ClientOptions.builder().proxyHeader(header).build();
        assertEquals(header, client.proxyHeader().orElseThrow());
        assertEquals(client, client.toBuilder().build());
        assertNotEquals(client, ClientOptions.builder().build());
        assertTrue(client.toString().contains("proxyHeader=ProxyHeader[V2, source=/203.0.113.7:5555"), client.toString());
        for (Class<?> type : List.of(ProxyProtocol.class, ProxyHeader.class)) {
            assertEquals(0, type.getConstructors().length, type + " is made only by its factories");
        }
    }

    @Test
    void headersAreTheSpecificationsBytes() throws Exception {
        assertEquals("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\n", new String(
                ProxyHeader.v1(at("203.0.113.7", 5555), at("127.0.0.1", 80)).toBytes(), StandardCharsets.US_ASCII));
        assertEquals("PROXY TCP6 2001:db8::7 ::1 6666 443\r\n", new String(
                ProxyHeader.v1(at("2001:db8::7", 6666), at("::1", 443)).toBytes(), StandardCharsets.US_ASCII));
        assertEquals("PROXY UNKNOWN\r\n", new String(ProxyHeader.v1Unknown().toBytes(), StandardCharsets.US_ASCII));
        byte[] signature = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
        assertArrayEquals(concat(signature, new byte[] {0x21, 0x11, 0x00, 0x0C, (byte) 203, 0, 113, 7, 10, 0, 0, 1,
                0x15, (byte) 0xB3, 0x00, 0x50}), ProxyHeader.v2(at("203.0.113.7", 5555), at("10.0.0.1", 80)).toBytes());
        byte[] six = ProxyHeader.v2(at("2001:db8::7", 1), at("::1", 2)).toBytes();
        assertEquals(16 + 36, six.length);
        assertEquals(0x21, six[13]);
        assertEquals(36, six[15]);
        assertArrayEquals(concat(signature, new byte[] {0x20, 0x00, 0x00, 0x00}), ProxyHeader.v2Local().toBytes());

        ProxyHeader header = ProxyHeader.v1Unknown();
        assertNotSame(header.toBytes(), header.toBytes());
        header.toBytes()[0] = 'X';
        assertEquals('P', header.toBytes()[0], "the header's bytes cannot be changed from outside");
        assertEquals(Optional.empty(), ProxyHeader.v2Local().source());
        assertEquals(ProxyHeader.Version.V2, ProxyHeader.v2Local().version());
        assertEquals("ProxyHeader[V1, UNKNOWN]", ProxyHeader.v1Unknown().toString());
        assertEquals("ProxyHeader[V2, LOCAL]", ProxyHeader.v2Local().toString());
    }

    @Test
    void headersRefuseWhatTheProtocolCannotSay() throws Exception {
        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class,
                () -> ProxyHeader.v2(at("1.2.3.4", 1), at("::1", 2)));
        assertTrue(mixed.getMessage().contains("must both be IPv4 or both IPv6"), mixed.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ProxyHeader.v1(InetSocketAddress.createUnresolved("example.com", 1),
                at("1.2.3.4", 2)));
        assertThrows(NullPointerException.class, () -> ProxyHeader.v1(null, at("1.2.3.4", 2)));
        assertThrows(NullPointerException.class, () -> ProxyHeader.v2(at("1.2.3.4", 2), null));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
