package simplesockets.impl;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The text of a PROXY protocol version 1 line, as the protocol's specification writes it:
 * {@code PROXY TCP4|TCP6 SOURCE DESTINATION SOURCE-PORT DESTINATION-PORT}, fields separated by single
 * spaces, addresses as literals (IPv4 as four decimal numbers without leading zeros), ports as decimal
 * numbers without leading zeros; or {@code PROXY UNKNOWN}, after which anything may follow. Nothing is
 * ever looked up by name.
 */
final class ProxyV1 {

    private ProxyV1() {
    }

    /**
     * Parses a line without its {@code \r\n}.
     *
     * @param line   the bytes, from {@code PROXY}
     * @param length how many of them
     * @return what it said
     * @throws ProtocolException if it is not a valid line
     */
    static ProxyHeaderParser.Header parse(byte[] line, int length) throws ProtocolException {
        String text = new String(line, 0, length, StandardCharsets.ISO_8859_1); // one char per byte
        if (text.equals("PROXY UNKNOWN") || text.startsWith("PROXY UNKNOWN ")) {
            return ProxyHeaderParser.Header.unnamed(1);
        }
        String[] fields = text.split(" ", -1);
        boolean v4 = fields.length > 1 && fields[1].equals("TCP4");
        if (fields.length < 2 || !v4 && !fields[1].equals("TCP6")) {
            throw bad("its protocol must be TCP4, TCP6 or UNKNOWN", line, length);
        }
        if (fields.length != 6) {
            throw bad("it must hold PROXY, the protocol, the source and destination addresses and the source and"
                    + " destination ports, separated by single spaces", line, length);
        }
        InetAddress from = address(fields[2], v4, line, length);
        InetAddress to = address(fields[3], v4, line, length);
        int fromPort = port(fields[4], line, length);
        int toPort = port(fields[5], line, length);
        return new ProxyHeaderParser.Header(1, Optional.of(new InetSocketAddress(from, fromPort)),
                Optional.of(new InetSocketAddress(to, toPort)));
    }

    private static InetAddress address(String text, boolean v4, byte[] line, int length) throws ProtocolException {
        try {
            if (v4) {
                byte[] bytes = ipv4(text);
                if (bytes != null) {
                    return InetAddress.getByAddress(bytes);
                }
            } else if (text.indexOf(':') >= 0 && text.length() <= 45
                    && (Character.digit(text.charAt(0), 16) >= 0 || text.charAt(0) == ':')
                    && text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                // Hex digits, colons and dots only, beginning with a digit or a colon: a literal, which the
                // JDK parses without any name lookup (it looks up by name what begins otherwise).
                return InetAddress.getByName(text);
            }
        } catch (UnknownHostException e) {
            // not a valid literal: said below
        }
        throw bad("'" + text + "' is not an " + (v4 ? "IPv4" : "IPv6") + " address", line, length);
    }

    /** Four decimal numbers 0 to 255 without leading zeros, or {@code null}. */
    static byte[] ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            int value = decimal(parts[i], 3);
            if (value < 0 || value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        return bytes;
    }

    private static int port(String text, byte[] line, int length) throws ProtocolException {
        int port = decimal(text, 5);
        if (port < 0 || port > 65_535) {
            throw bad("'" + text + "' is not a port (0 to 65535, without leading zeros)", line, length);
        }
        return port;
    }

    /** A decimal number of at most {@code digits} digits without leading zeros, or -1. */
    private static int decimal(String text, int digits) {
        if (text.isEmpty() || text.length() > digits || text.length() > 1 && text.charAt(0) == '0') {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static ProtocolException bad(String why, byte[] line, int length) {
        return new ProtocolException("bad PROXY protocol v1 line " + quoted(line, length) + ": " + why);
    }

    /**
     * Bytes as a quoted string for a message: printable ASCII as it is, {@code \r} and {@code \n} as
     * such, anything else as {@code \xNN}.
     */
    static String quoted(byte[] bytes, int length) {
        StringBuilder out = new StringBuilder(length + 2).append('"');
        for (int i = 0; i < length; i++) {
            int b = bytes[i] & 0xff;
            switch (b) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '"', '\\' -> out.append('\\').append((char) b);
                default -> out.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b));
            }
        }
        return out.append('"').toString();
    }
}
