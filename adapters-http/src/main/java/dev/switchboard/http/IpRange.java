package dev.switchboard.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A block of IPv4 or IPv6 addresses (an address and a prefix length, RFC 4632 / RFC 4291 section 2.3): one entry
 * of {@code TRUST_PROXY}. Immutable and thread-safe; parsing never consults DNS.
 */
public record IpRange(InetAddress network, int prefixLength) {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARACTERS = Pattern.compile("[0-9A-Fa-f:.]+");

    public IpRange {
        Objects.requireNonNull(network, "network");
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("the prefix length must be between 0 and " + bits);
        }
        network = masked(network, prefixLength);
    }

    /**
     * Parses one {@code TRUST_PROXY} entry: an address ({@code 10.0.0.1}, {@code ::1}), a block
     * ({@code 10.0.0.0/8}, {@code fd00::/8}), or one of the names {@code loopback}, {@code linklocal} and
     * {@code uniquelocal} (private networks) that Express-based servers accept. Empty when the entry is none of those.
     */
    public static Optional<List<IpRange>> parseEntry(String entry) {
        String text = entry.strip();
        switch (text.toLowerCase(Locale.ROOT)) {
            case "loopback":
                return Optional.of(List.of(of("127.0.0.0", 8), of("::1", 128)));
            case "linklocal":
                return Optional.of(List.of(of("169.254.0.0", 16), of("fe80::", 10)));
            case "uniquelocal":
                return Optional.of(List.of(of("10.0.0.0", 8), of("172.16.0.0", 12), of("192.168.0.0", 16),
                        of("fc00::", 7)));
            default:
                return parse(text).map(List::of);
        }
    }

    /** Parses {@code address} or {@code address/prefix}; empty when it is not an IP literal or block. */
    public static Optional<IpRange> parse(String text) {
        Objects.requireNonNull(text, "text");
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        Optional<InetAddress> parsed = literal(address);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        int bits = parsed.get().getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String digits = text.substring(slash + 1);
            if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Optional.empty();
            }
            prefix = Integer.parseInt(digits);
            if (prefix > bits) {
                return Optional.empty();
            }
        }
        return Optional.of(new IpRange(parsed.get(), prefix));
    }

    /** True when {@code address} is in this block (an IPv4 address never matches an IPv6 block, and back). */
    public boolean contains(InetAddress address) {
        return address.getAddress().length == network.getAddress().length
                && masked(address, prefixLength).equals(network);
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }

    private static IpRange of(String address, int prefix) {
        return new IpRange(literal(address).orElseThrow(), prefix);
    }

    private static Optional<InetAddress> literal(String text) {
        if (IPV4.matcher(text).matches()) {
            String[] parts = text.split("\\.");
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                bytes[i] = (byte) Integer.parseInt(parts[i]);
            }
            return Optional.of(byAddress(bytes));
        }
        // only a text with a colon and nothing but hex digits, colons and dots reaches the JDK, which then parses
        // it as an IPv6 literal and never asks DNS
        if (text.indexOf(':') >= 0 && IPV6_CHARACTERS.matcher(text).matches()) {
            try {
                return Optional.of(InetAddress.getByName(text));
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static InetAddress masked(InetAddress address, int prefixLength) {
        byte[] bytes = address.getAddress();
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.max(0, Math.min(8, prefixLength - i * 8));
            bytes[i] &= (byte) (0xFF << (8 - keep));
        }
        return byAddress(bytes);
    }

    private static InetAddress byAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of 4 or 16 bytes was refused", e);
        }
    }
}
