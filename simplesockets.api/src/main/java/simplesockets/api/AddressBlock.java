package simplesockets.api;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * One IP address or CIDR block of {@link ProxyProtocol}'s trusted proxies, parsed from its text
 * without any name lookup: {@code 10.0.0.5}, {@code 10.0.0.0/8}, {@code ::1}, {@code 2001:db8::/32}.
 * Immutable.
 */
final class AddressBlock {

    private final byte[] network;
    private final int prefix;
    private final String text;

    private AddressBlock(byte[] network, int prefix, String text) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
    }

    /**
     * Parses an address or a block.
     *
     * @param spec {@code ADDRESS} or {@code ADDRESS/PREFIX}
     * @return the block; a lone address is a block of one
     * @throws IllegalArgumentException if {@code spec} is not an IP literal with an optional prefix in range,
     *                                  or has bits set past its prefix
     */
    static AddressBlock parse(String spec) {
        int slash = spec.indexOf('/');
        String address = slash < 0 ? spec : spec.substring(0, slash);
        byte[] bytes = literal(address, spec);
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String digits = spec.substring(slash + 1);
            if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(digits) > bits) {
                throw new IllegalArgumentException("trusted proxy " + spec + ": the prefix must be 0 to " + bits);
            }
            prefix = Integer.parseInt(digits);
        }
        for (int bit = prefix; bit < bits; bit++) {
            if ((bytes[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                throw new IllegalArgumentException("trusted proxy " + spec + " has bits set past its /" + prefix
                        + " prefix; write the block's first address, as in " + masked(bytes, prefix) + "/" + prefix);
            }
        }
        String text = hostAddress(bytes) + (prefix == bits ? "" : "/" + prefix);
        return new AddressBlock(bytes, prefix, text);
    }

    /**
     * Whether the address is in this block. Never blocks; any thread.
     *
     * @param address the address
     * @return whether it is in the block (an IPv4 address is never in an IPv6 block, nor the reverse)
     */
    boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length) {
            return false;
        }
        for (int bit = 0; bit < prefix; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((bytes[bit / 8] & mask) != (network[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** The block in its plain form: the address alone for a single address, else {@code address/prefix}. */
    @Override
    public String toString() {
        return text;
    }

    private static byte[] literal(String address, String spec) {
        if (address.indexOf(':') >= 0) {
            // Hex digits, colons and dots only, beginning with a hex digit or a colon: InetAddress then parses
            // a literal and never looks a name up (it takes anything else, ".::1" say, for a name).
            if (!(Character.digit(address.charAt(0), 16) >= 0 || address.charAt(0) == ':')
                    || !address.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                throw notALiteral(spec);
            }
            try {
                InetAddress parsed = InetAddress.getByName(address);
                if (parsed instanceof Inet4Address) {
                    throw new IllegalArgumentException("trusted proxy " + spec + " is an IPv4-mapped IPv6 address;"
                            + " write the IPv4 address (" + parsed.getHostAddress() + ") instead");
                }
                return parsed.getAddress();
            } catch (UnknownHostException e) {
                throw notALiteral(spec);
            }
        }
        byte[] bytes = ipv4(address);
        if (bytes == null) {
            throw notALiteral(spec);
        }
        return bytes;
    }

    /** Four decimal numbers 0 to 255 without leading zeros, or {@code null}. */
    static byte[] ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || part.length() > 1 && part.charAt(0) == '0'
                    || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int value = Integer.parseInt(part);
            if (value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        return bytes;
    }

    private static IllegalArgumentException notALiteral(String spec) {
        return new IllegalArgumentException("trusted proxy " + spec + " is not an IP address or CIDR block"
                + " (such as 10.0.0.5, 10.0.0.0/8, ::1 or 2001:db8::/32); host names are not looked up");
    }

    private static String masked(byte[] bytes, int prefix) {
        byte[] copy = bytes.clone();
        for (int bit = prefix; bit < copy.length * 8; bit++) {
            copy[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return hostAddress(copy);
    }

    /** IPv4 dotted; IPv6 in the short form of RFC 5952 ({@code 2001:db8::1}), which the JDK does not write. */
    static String hostAddress(byte[] bytes) {
        if (bytes.length == 4) {
            return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (bytes[2 * i] & 0xff) << 8 | bytes[2 * i + 1] & 0xff;
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not shortened
        for (int i = 0; i < 8; i++) {
            int length = 0;
            while (i + length < 8 && groups[i + length] == 0) {
                length++;
            }
            if (length > bestLength) {
                bestStart = i;
                bestLength = length;
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }
}
