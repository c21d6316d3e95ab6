package dev.switchboard.http;

import io.javalin.http.Context;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who the client of a request is: the address of the TCP peer, unless that peer is a trusted proxy
 * ({@code TRUST_PROXY}), in which case {@code X-Forwarded-For} is walked from the right, skipping trusted proxies,
 * and the first address that is not a trusted proxy is the client. Entries left of it were written by the client
 * and are never read. When an entry that must be read is malformed, the whole header is ignored and the peer is the
 * client. Rate limits, logs and the OAuth flow use this address; it is canonical ({@link InetAddress#getHostAddress()}).
 *
 * <p>The edge resolves it once per request ({@link #attach}); routes read it with {@link #of(Context)}. Immutable and
 * thread-safe; parsing never consults DNS.
 */
public final class ClientAddress {
    static final String ATTRIBUTE = "switchboard.client_address";
    private static final String FORWARDED_FOR = "X-Forwarded-For";
    private static final int IPV6_BYTES = 16;
    private static final int IPV6_CLIENT_PREFIX = 64;

    private final List<IpRange> trustedProxies;

    private ClientAddress(List<IpRange> trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    /** A resolver believing {@code X-Forwarded-For} from peers in {@code trustedProxies} only. */
    public static ClientAddress trusting(List<IpRange> trustedProxies) {
        return new ClientAddress(List.copyOf(Objects.requireNonNull(trustedProxies, "trustedProxies")));
    }

    /** A resolver that believes no forwarding header: the peer is always the client. */
    public static ClientAddress trustingNone() {
        return new ClientAddress(List.of());
    }

    /** The client address resolved for this request by the edge, or the peer's when the edge did not run. */
    public static String of(Context ctx) {
        String resolved = ctx.attribute(ATTRIBUTE);
        return resolved != null ? resolved : canonical(ctx.req().getRemoteAddr());
    }

    /**
     * Whose budget a request counts against: the client address for IPv4, and for IPv6 the client's /64 (written
     * {@code 2001:db8:0:0:0:0:0:0/64}). A /64 is what one customer line or host is given (RFC 6177), and choosing any
     * address in it costs its owner nothing, so a limit per IPv6 address would be no limit at all.
     */
    public static String rateLimitKey(Context ctx) {
        return rateLimitKey(of(ctx));
    }

    /** {@link #rateLimitKey(Context)} of an address as {@link #of(Context)} gives it. */
    static String rateLimitKey(String client) {
        return IpRange.parse(client)
                .filter(range -> range.network().getAddress().length == IPV6_BYTES)
                .map(range -> new IpRange(range.network(), IPV6_CLIENT_PREFIX).toString())
                .orElse(client);
    }

    /**
     * The client of a request from {@code peer} carrying the {@code X-Forwarded-For} header lines
     * {@code forwardedFor} (in the order received).
     */
    public String resolve(String peer, List<String> forwardedFor) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(forwardedFor, "forwardedFor");
        Optional<InetAddress> peerAddress = parse(peer);
        if (peerAddress.isEmpty()) {
            return peer;
        }
        InetAddress current = peerAddress.get();
        if (!trusted(current) || forwardedFor.isEmpty()) {
            return current.getHostAddress();
        }
        List<String> hops = new ArrayList<>();
        for (String line : forwardedFor) {
            for (String entry : line.split(",", -1)) {
                hops.add(entry.strip());
            }
        }
        Collections.reverse(hops);
        for (String hop : hops) {
            Optional<InetAddress> address = parse(hop);
            if (address.isEmpty()) {
                // a trusted proxy would not write this: the header is not believable, so the peer is the client
                return peerAddress.get().getHostAddress();
            }
            current = address.get();
            if (!trusted(current)) {
                return current.getHostAddress();
            }
        }
        // every hop is a trusted proxy: the left-most one is as close to the client as can be known
        return current.getHostAddress();
    }

    /** True when {@code peer} is a trusted proxy, whose forwarding headers are believed. */
    public boolean trusts(String peer) {
        return parse(peer).map(this::trusted).orElse(false);
    }

    /** Resolves the request's client and remembers it, and whether the peer is trusted, on the context. */
    void attach(Context ctx) {
        String peer = ctx.req().getRemoteAddr();
        List<String> lines = Collections.list(ctx.req().getHeaders(FORWARDED_FOR));
        ctx.attribute(ATTRIBUTE, resolve(peer, lines));
    }

    private boolean trusted(InetAddress address) {
        for (IpRange range : trustedProxies) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static String canonical(String address) {
        return parse(address).map(InetAddress::getHostAddress).orElse(address);
    }

    /**
     * An IP literal, optionally with a port ({@code 203.0.113.7:5123}, {@code [2001:db8::1]:443}) as some proxies
     * write it. Anything else (a name, {@code unknown}, an obfuscated identifier of RFC 7239, a CIDR block) is empty.
     */
    static Optional<InetAddress> parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 64 || text.indexOf('/') >= 0) {
            return Optional.empty();
        }
        String literal = text;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || !portOrNothing(text.substring(close + 1))) {
                return Optional.empty();
            }
            literal = text.substring(1, close);
        } else {
            int colon = text.indexOf(':');
            if (colon >= 0 && colon == text.lastIndexOf(':')) {
                if (!portOrNothing(text.substring(colon))) {
                    return Optional.empty();
                }
                literal = text.substring(0, colon);
            }
        }
        return IpRange.parse(literal).map(IpRange::network);
    }

    private static boolean portOrNothing(String rest) {
        if (rest.isEmpty()) {
            return true;
        }
        return rest.length() >= 2 && rest.length() <= 6 && rest.charAt(0) == ':'
                && rest.substring(1).chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
