package simplesockets.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import simplesockets.api.ProxyHeader;

/**
 * The PROXY protocol header parser on its own: the specification's examples and its strict rules,
 * every way TCP may cut the bytes, truncated headers, and random input. The parser must read exactly
 * the header and nothing after it.
 */
class ProxyHeaderParserTest {

    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /**
     * Bytes handed out at most {@code chunk} at a time, then end of stream; a read past the end of a
     * stream that does not end ({@code blocks}) fails the test, as a read that would wait for ever.
     */
    static final class Script implements ProxyHeaderParser.Source {
        private final byte[] bytes;
        private final int chunk;
        private final boolean blocks;
        int at;

        Script(byte[] bytes, int chunk, boolean blocks) {
            this.bytes = bytes;
            this.chunk = chunk;
            this.blocks = blocks;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            assertTrue(length >= 1 && offset >= 0 && offset + length <= buffer.length, "a bad read: " + offset + "+" + length);
            if (at == bytes.length) {
                if (blocks) {
                    fail("the parser waited for more bytes after " + at);
                }
                return -1;
            }
            int n = Math.min(Math.min(length, chunk), bytes.length - at);
            System.arraycopy(bytes, at, buffer, offset, n);
            at += n;
            return n;
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static InetSocketAddress at(String literal, int port) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(literal), port);
    }

    /** Parses from a stream that does not end, one chunk size; returns the header and checks what was left. */
    private static ProxyHeaderParser.Header parse(byte[] stream, int chunk, int headerLength) throws IOException {
        Script script = new Script(stream, chunk, true);
        ProxyHeaderParser.Header header = new ProxyHeaderParser(script).read();
        assertEquals(headerLength, script.at, "the parser read exactly the header");
        return header;
    }

    private static ProtocolException refused(String stream, String expected) {
        return refused(ascii(stream), expected);
    }

    private static ProtocolException refused(byte[] stream, String expected) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> new ProxyHeaderParser(new Script(stream, 64, false)).read());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        return e;
    }

    /** A v2 header with {@code extra} bytes of extensions after the addresses (the length field counts them). */
    private static byte[] withExtensions(ProxyHeader header, byte[] extra) {
        byte[] plain = header.toBytes();
        byte[] out = concat(plain, extra);
        int length = ((plain[14] & 0xff) << 8 | plain[15] & 0xff) + extra.length;
        out[14] = (byte) (length >>> 8);
        out[15] = (byte) length;
        return out;
    }

    @Test
    void theSpecificationsV1ExamplesAndTheBytesAfterThemStayUnread() throws Exception {
        byte[] line = ascii("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\n");
        for (int chunk : List.of(1, 2, 7, 12, 64)) {
            ProxyHeaderParser.Header h = parse(concat(line, ascii("hello")), chunk, line.length);
            assertEquals(1, h.version());
            assertEquals(at("203.0.113.7", 5555), h.source().orElseThrow());
            assertEquals(at("127.0.0.1", 80), h.destination().orElseThrow());
        }
        byte[] six = ascii("PROXY TCP6 2001:db8::1 ::1 5555 443\r\n");
        ProxyHeaderParser.Header h6 = parse(concat(six, new byte[] {1, 2, 3}), 64, six.length);
        assertEquals(at("2001:db8::1", 5555), h6.source().orElseThrow());
        assertEquals(at("::1", 443), h6.destination().orElseThrow());

        for (String unknown : List.of("PROXY UNKNOWN\r\n", "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n")) {
            ProxyHeaderParser.Header h = parse(concat(ascii(unknown), ascii("data")), 5, unknown.length());
            assertTrue(h.source().isEmpty() && h.destination().isEmpty(), "UNKNOWN names no client");
        }
    }

    @Test
    void aV1LineOfExactly107BytesIsTakenAndOneByteMoreIsRefusedWithoutReadingPastTheLimit() throws Exception {
        String fill = "x".repeat(ProxyHeaderParser.V1_MAX - "PROXY UNKNOWN \r\n".length());
        String longest = "PROXY UNKNOWN " + fill + "\r\n";
        assertEquals(107, longest.length());
        parse(concat(ascii(longest), ascii("after")), 3, 107);

        Script script = new Script(ascii("PROXY UNKNOWN " + fill + "x\r\n" + "y".repeat(1000)), 1, false);
        ProtocolException e = assertThrows(ProtocolException.class, () -> new ProxyHeaderParser(script).read());
        assertTrue(e.getMessage().contains("longer than 107 bytes"), e.getMessage());
        assertEquals(107, script.at, "nothing past the protocol's limit was read");
    }

    @Test
    void v1IsStrictAsTheSpecificationSays() {
        refused("PROXY TCP4 203.0.113.07 127.0.0.1 5555 80\r\n", "'203.0.113.07' is not an IPv4 address");
        refused("PROXY TCP4 256.0.113.7 127.0.0.1 5555 80\r\n", "is not an IPv4 address");
        refused("PROXY TCP4 203.0.113 127.0.0.1 5555 80\r\n", "is not an IPv4 address");
        refused("PROXY TCP4 203.0.113.7 127.0.0.1 05555 80\r\n", "'05555' is not a port");
        refused("PROXY TCP4 203.0.113.7 127.0.0.1 65536 80\r\n", "'65536' is not a port");
        refused("PROXY TCP4 203.0.113.7 127.0.0.1 -1 80\r\n", "'-1' is not a port");
        refused("PROXY TCP4  203.0.113.7 127.0.0.1 5555 80\r\n", "separated by single spaces");
        refused("PROXY TCP4 203.0.113.7 127.0.0.1 5555\r\n", "separated by single spaces");
        refused("PROXY TCP4 ::1 ::1 1 2\r\n", "'::1' is not an IPv4 address");
        refused("PROXY TCP6 1.2.3.4 1.2.3.4 1 2\r\n", "'1.2.3.4' is not an IPv6 address");
        refused("PROXY TCP6 localhost ::1 1 2\r\n", "'localhost' is not an IPv6 address"); // never looked up
        refused("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", "is not an IPv6 address");
        refused("PROXY TCP6 .:: ::1 1 2\r\n", "'.::' is not an IPv6 address"); // the JDK would look it up by name
        refused("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", "TCP4, TCP6 or UNKNOWN");
        refused("PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", "TCP4, TCP6 or UNKNOWN");
        refused("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", "stray \\r or \\n");
        refused("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX", "stray \\r or \\n");
        refused("PROXY \r\nhello world", "too short");
        refused("PROXY UNKNOWN\n", "stray");
    }

    @Test
    void whatIsNoHeaderIsRefusedAtItsFirstWrongByteWithoutWaitingForMore() throws Exception {
        for (String start : List.of("hello\n", "GET / HTTP/1.1\r\n", "PROXZ", "\r\n\r\n\u0000\r\nQUIX")) {
            Script script = new Script(ascii(start), 1, true); // a read past these bytes fails the test
            ProtocolException e = assertThrows(ProtocolException.class, () -> new ProxyHeaderParser(script).read());
            assertTrue(e.getMessage().startsWith("no PROXY protocol header: the connection began with \""), e.getMessage());
        }
        ProtocolException quoted = refused(new byte[] {0x16, 0x03, 0x01, 0x00}, "\\x16");
        assertFalse(quoted.getMessage().contains("\u0016"), "no raw control bytes in a message");
        assertThrows(EOFException.class, () -> new ProxyHeaderParser(new Script(new byte[0], 1, false)).read(),
                "nothing at all is end of stream, not a protocol violation");
    }

    @Test
    void v2AddressesLocalAndExtensions() throws Exception {
        InetSocketAddress from4 = at("203.0.113.7", 5555);
        InetSocketAddress to4 = at("10.0.0.1", 80);
        byte[] tlvs = {0x04, 0x00, 0x03, 'a', 'b', 'c', (byte) 0xEA, 0x00, 0x01, 0x7f}; // NOOP and a custom TLV
        byte[] v4 = withExtensions(ProxyHeader.v2(from4, to4), tlvs);
        ProxyHeaderParser.Header h4 = parse(concat(v4, ascii("data")), 3, v4.length);
        assertEquals(2, h4.version());
        assertEquals(from4, h4.source().orElseThrow());
        assertEquals(to4, h4.destination().orElseThrow());

        InetSocketAddress from6 = at("2001:db8::7", 65535);
        InetSocketAddress to6 = at("2001:db8::1", 0);
        byte[] v6 = ProxyHeader.v2(from6, to6).toBytes();
        assertEquals(16 + 36, v6.length);
        ProxyHeaderParser.Header h6 = parse(concat(v6, ascii("x")), 64, v6.length);
        assertEquals(from6, h6.source().orElseThrow());
        assertEquals(to6, h6.destination().orElseThrow());

        byte[] local = withExtensions(ProxyHeader.v2Local(), new byte[] {0x04, 0x00, 0x00});
        assertTrue(parse(concat(local, ascii("x")), 2, local.length).source().isEmpty(), "LOCAL names no client");
        // LOCAL with addresses (HAProxy's health checks may send them): still no client.
        byte[] localWithAddresses = ProxyHeader.v2(from4, to4).toBytes();
        localWithAddresses[12] = 0x20;
        assertTrue(parse(localWithAddresses, 64, localWithAddresses.length).source().isEmpty());
        // LOCAL's family and transport are ignored, as the specification says, whatever they hold: they
        // were checked first, and a LOCAL header with family 4 closed a health check's connection.
        for (int ignored : new int[] {0x40, 0x13, 0x10, 0xff}) {
            byte[] localAnyFamily = ProxyHeader.v2Local().toBytes();
            localAnyFamily[13] = (byte) ignored;
            assertTrue(parse(concat(localAnyFamily, ascii("x")), 64, localAnyFamily.length).source().isEmpty(),
                    String.format("LOCAL with family and transport 0x%02x", ignored));
        }

        byte[] unix = concat(Arrays.copyOf(V2_SIGNATURE, 16), new byte[216]);
        unix[12] = 0x21;
        unix[13] = 0x31;
        unix[14] = 0;
        unix[15] = (byte) 216;
        assertTrue(parse(concat(unix, ascii("x")), 50, unix.length).source().isEmpty(), "a Unix client has no IP address");

        byte[] unspecified = Arrays.copyOf(V2_SIGNATURE, 16);
        unspecified[12] = 0x21;
        assertTrue(parse(concat(unspecified, ascii("x")), 50, 16).source().isEmpty());
    }

    @Test
    void v2TakesTheLongestHeaderTheLengthFieldAllowsThroughItsSmallBuffer() throws Exception {
        byte[] huge = withExtensions(ProxyHeader.v2(at("1.2.3.4", 1), at("5.6.7.8", 2)), new byte[65_535 - 12]);
        assertEquals(16 + 65_535, huge.length);
        ProxyHeaderParser.Header h = parse(concat(huge, ascii("after")), 1000, huge.length);
        assertEquals(at("1.2.3.4", 1), h.source().orElseThrow());
    }

    @Test
    void v2IsStrictAsTheSpecificationSays() throws Exception {
        byte[] good = ProxyHeader.v2(at("1.2.3.4", 1), at("5.6.7.8", 2)).toBytes();
        byte[] version1 = good.clone();
        version1[12] = 0x11;
        refused(version1, "version 1; only 2 exists");
        byte[] command2 = good.clone();
        command2[12] = 0x22;
        refused(command2, "command 2");
        byte[] family4 = good.clone();
        family4[13] = 0x41;
        refused(family4, "family and transport 0x41");
        byte[] transport3 = good.clone();
        transport3[13] = 0x13;
        refused(transport3, "family and transport 0x13");
        for (int familyWithoutTransport : new int[] {0x10, 0x20, 0x30, 0x01, 0x02}) { // only 0x00 and both set are valid
            byte[] half = good.clone();
            half[13] = (byte) familyWithoutTransport;
            refused(half, String.format("family and transport 0x%02x", familyWithoutTransport));
        }
        byte[] tooShort = good.clone();
        tooShort[15] = 11;
        refused(tooShort, "too short for the 12 bytes");
        byte[] six = ProxyHeader.v2(at("::1", 1), at("::2", 2)).toBytes();
        six[15] = 35;
        refused(six, "too short for the 36 bytes");
    }

    // ---- properties ----

    private static Gen<InetAddress> ipv4s() {
        return Generate.byteArrays(Generate.constant(4), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0))
                .map(ProxyHeaderParserTest::address);
    }

    private static Gen<InetAddress> ipv6s() {
        return Generate.byteArrays(Generate.constant(16), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0))
                .map(b -> {
                    b[0] = 0x20; // never IPv4-mapped, which Java turns into an IPv4 address
                    return address(b);
                });
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** A header as a test case: what it says, and its bytes. */
    record Case(ProxyHeader header, byte[] wire) {
        @Override
        public String toString() {
            return header + " (" + wire.length + " bytes)";
        }
    }

    /** Valid headers of every kind: v1 and v2, IPv4 and IPv6, UNKNOWN and LOCAL, v2 with extensions. */
    private static Gen<Case> validHeaders() {
        Gen<Integer> ports = Generate.range(0, 65_535);
        Gen<Boolean> six = Generate.booleans();
        Gen<InetSocketAddress[]> pairs = six.flatMap(v6 -> {
            Gen<InetAddress> addresses = v6 ? ipv6s() : ipv4s();
            return addresses.zip(addresses, ports, ports, (a, b, p, q) ->
                    new InetSocketAddress[] {new InetSocketAddress(a, p), new InetSocketAddress(b, q)});
        });
        Gen<byte[]> extensions = Generate.byteArrays(Generate.range(0, 300), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));
        return Generate.range(0, 4).zip(pairs, extensions, (kind, pair, extra) -> switch (kind) {
            case 0 -> new Case(ProxyHeader.v1(pair[0], pair[1]), ProxyHeader.v1(pair[0], pair[1]).toBytes());
            case 1 -> new Case(ProxyHeader.v2(pair[0], pair[1]), ProxyHeader.v2(pair[0], pair[1]).toBytes());
            case 2 -> new Case(ProxyHeader.v2(pair[0], pair[1]), withExtensions(ProxyHeader.v2(pair[0], pair[1]), extra));
            case 3 -> new Case(ProxyHeader.v1Unknown(), ProxyHeader.v1Unknown().toBytes());
            case 4 -> new Case(ProxyHeader.v2Local(), withExtensions(ProxyHeader.v2Local(), extra));
            default -> throw new AssertionError(kind);
        });
    }

    private static Gen<byte[]> anyBytes(int most) {
        return Generate.byteArrays(Generate.range(0, most), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));
    }

    @Test
    void everyValidHeaderRoundTripsHoweverItIsCutAndLeavesWhatFollows() {
        qt().withExamples(3_000).withShrinkCycles(50)
                .forAll(validHeaders(), Generate.range(1, 20), anyBytes(40))
                .checkAssert((c, chunk, after) -> {
                    ProxyHeaderParser.Header parsed;
                    try {
                        parsed = parse(concat(c.wire(), after), chunk, c.wire().length);
                    } catch (IOException e) {
                        throw new AssertionError(c + " refused: " + e, e);
                    }
                    assertEquals(c.header().version() == ProxyHeader.Version.V1 ? 1 : 2, parsed.version());
                    assertEquals(c.header().source(), parsed.source());
                    assertEquals(c.header().destination(), parsed.destination());
                });
    }

    @Test
    void aHeaderCutShortIsAProtocolViolationThatSaysWhereItEnded() {
        qt().withExamples(3_000).withShrinkCycles(50)
                .forAll(validHeaders(), Generate.range(0, 10_000), Generate.range(1, 20))
                .checkAssert((c, cut, chunk) -> {
                    int keep = cut % c.wire().length;
                    Script script = new Script(Arrays.copyOf(c.wire(), keep), chunk, false);
                    IOException e = assertThrows(IOException.class, () -> new ProxyHeaderParser(script).read(),
                            c + " cut after " + keep);
                    if (keep == 0) {
                        assertEquals(EOFException.class, e.getClass());
                    } else {
                        assertEquals(ProtocolException.class, e.getClass(), e.toString());
                        assertTrue(e.getMessage().contains("ended after " + keep + " bytes"), e.getMessage());
                    }
                });
    }

    /** Random streams, many of which start like a header: only the two documented exceptions, and bounded reads. */
    @Test
    void randomInputIsRefusedCleanlyAndNeverReadPastAHeader() {
        List<byte[]> starts = List.of(new byte[0], ascii("PROXY "), ascii("PROXY TCP4 "), ascii("PROXY TCP6 "),
                ascii("PROXY UNKNOWN"), V2_SIGNATURE, concat(V2_SIGNATURE, new byte[] {0x21, 0x11}),
                concat(V2_SIGNATURE, new byte[] {0x20, 0x00, 0x00}));
        Gen<byte[]> texty = Generate.byteArrays(Generate.range(0, 150),
                Generate.pick(List.of((byte) '1', (byte) '0', (byte) '9', (byte) '.', (byte) ':', (byte) ' ',
                        (byte) '\r', (byte) '\n', (byte) 'f', (byte) 'T', (byte) 0, (byte) 0xff)));
        Gen<byte[]> streams = Generate.pick(starts).zip(texty.mix(anyBytes(300)), ProxyHeaderParserTest::concat)
                .describedAs(b -> ProxyV1.quoted(b, b.length));
        qt().withExamples(20_000).withShrinkCycles(100)
                .forAll(streams, Generate.range(1, 20))
                .checkAssert((stream, chunk) -> {
                    Script script = new Script(stream, chunk, false);
                    try {
                        ProxyHeaderParser.Header h = new ProxyHeaderParser(script).read();
                        if (h.version() == 1) {
                            assertTrue(script.at <= 107, "a v1 line of " + script.at);
                            assertEquals('\n', stream[script.at - 1]);
                        } else {
                            assertEquals(16 + ((stream[14] & 0xff) << 8 | stream[15] & 0xff), script.at);
                        }
                    } catch (ProtocolException e) {
                        assertFalse(e.getMessage().isBlank());
                        assertTrue(script.at <= Math.max(107, 16 + 65_535), "read " + script.at);
                    } catch (EOFException e) {
                        assertEquals(0, stream.length, "end of stream before a byte: " + e);
                    } catch (IOException | RuntimeException e) {
                        throw new AssertionError("unexpected " + e, e);
                    }
                });
    }
}
