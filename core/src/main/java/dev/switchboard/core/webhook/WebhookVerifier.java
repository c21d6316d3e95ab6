package dev.switchboard.core.webhook;

import dev.switchboard.core.json.JsonCodec;
import dev.switchboard.core.json.JsonException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Decides whether a webhook delivery really comes from the holder of the webhook secret.
 *
 * <h2>Dialpad's JWT ({@link #verifyJwt})</h2>
 * The body is an RFC 7515 compact JWS (section 7.1), surrounding whitespace ignored, whatever the Content-Type:
 * <ol>
 *   <li>exactly three segments separated by dots, each non-empty and canonical base64url without padding
 *       (RFC 7515 section 2), the header at most {@link #MAX_HEADER_SEGMENT} characters, else
 *       {@link WebhookCheck.Reason#MALFORMED}. Sizes and alphabet are checked before anything is decoded, and the
 *       payload is neither decoded nor parsed before its signature verifies, so an unauthenticated request costs
 *       at most the reading of a small header and one HMAC over its bytes;</li>
 *   <li>the protected header must be a JSON object (else MALFORMED) whose {@code alg} is exactly {@code "HS256"}
 *       and which has no {@code crit} member (section 4.1.11: we understand no extension), else
 *       {@link WebhookCheck.Reason#UNSUPPORTED_ALGORITHM}. This rejects {@code none}, HS384/HS512, RS256 (the
 *       key-confusion attack) and a missing {@code alg}. Other header members ({@code typ}, {@code kid}...) are
 *       ignored: no key is ever looked up from the token;</li>
 *   <li>the signature must equal HMAC-SHA256 (RFC 2104, FIPS 180-4) of {@code ASCII(header "." payload)} keyed
 *       with the secret (section 5.2), compared with {@link MessageDigest#isEqual}, else
 *       {@link WebhookCheck.Reason#BAD_SIGNATURE}; the payload is not parsed before this succeeds;</li>
 *   <li>the payload must be a JSON object (else MALFORMED);</li>
 *   <li>if the payload has an {@code exp} claim (RFC 7519 section 4.1.4) it must be a whole number of seconds
 *       within {@link #MAX_EXP_SECONDS} of the epoch (else MALFORMED: a fraction or an exponent is refused, so
 *       no claim ever costs arbitrary-precision arithmetic),
 *       and the delivery is {@link WebhookCheck.Reason#EXPIRED} once the injected clock reaches
 *       {@code exp + leeway}. Dialpad documents no time claim, so a token without {@code exp} is accepted; replays
 *       of a genuine delivery are absorbed by event deduplication, not here. {@code nbf} and {@code iat} are not
 *       checked.</li>
 * </ol>
 *
 * <h2>The predecessor's {@code x-dialpad-signature} ({@link #verifyLegacy})</h2>
 * HMAC-SHA256 of the raw body bytes keyed with the secret, given as 64 hex digits (any case) or as base64
 * (standard or URL-safe alphabet, padding optional). A missing header is MISSING_SIGNATURE, one that is neither
 * encoding of 32 bytes or does not match is BAD_SIGNATURE; only after it verifies must the body be a JSON object
 * (else MALFORMED).
 *
 * <p>A secret given as a String is used as its UTF-8 bytes. An empty secret never verifies anything (the result
 * is BAD_SIGNATURE), so a missing configuration cannot turn into "anyone may post".
 *
 * <p>Stateless apart from the clock; thread-safe.
 */
public final class WebhookVerifier {
    /** The predecessor's signature header. */
    public static final String SIGNATURE_HEADER = "x-dialpad-signature";
    /** How long after {@code exp} a token is still accepted, for clock skew between Dialpad and us. */
    public static final Duration DEFAULT_LEEWAY = Duration.ofMinutes(2);

    /** Longest protected header segment accepted (base64url characters); Dialpad's is a few dozen. */
    public static final int MAX_HEADER_SEGMENT = 1024;
    /**
     * Largest {@code exp} accepted, in seconds either side of the epoch: the end of year 9999, far beyond any real
     * token and far from overflowing once the leeway is added.
     */
    public static final long MAX_EXP_SECONDS = 253_402_300_799L;

    private static final String ALGORITHM = "HS256";
    /** Longest signature segment decoded; an HS256 signature has 43 characters. */
    private static final int MAX_SIGNATURE_SEGMENT = 128;
    private static final int HMAC_SHA256_BYTES = 32;

    private final Clock clock;
    private final Duration leeway;

    private WebhookVerifier(Clock clock, Duration leeway) {
        this.clock = clock;
        this.leeway = leeway;
    }

    /** A verifier that checks {@code exp} against {@code clock} with {@link #DEFAULT_LEEWAY}. */
    public static WebhookVerifier create(Clock clock) {
        return create(clock, DEFAULT_LEEWAY);
    }

    /** A verifier that checks {@code exp} against {@code clock} with the given non-negative leeway. */
    public static WebhookVerifier create(Clock clock, Duration leeway) {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(leeway, "leeway");
        if (leeway.isNegative()) {
            throw new IllegalArgumentException("the leeway must not be negative");
        }
        return new WebhookVerifier(clock, leeway);
    }

    /**
     * Checks a delivery on the shared endpoint: with a {@code x-dialpad-signature} header (non-null) it is a
     * legacy delivery ({@link #verifyLegacy}), without one it must be a JWT ({@link #verifyJwt}).
     */
    public WebhookCheck check(byte[] body, String legacySignature, byte[] secret) {
        return legacySignature == null ? verifyJwt(body, secret) : verifyLegacy(body, legacySignature, secret);
    }

    /** {@link #verifyJwt(byte[], byte[])} with the UTF-8 bytes of {@code secret}. */
    public WebhookCheck verifyJwt(byte[] body, String secret) {
        return verifyJwt(body, utf8(secret));
    }

    /**
     * Verifies a body that is a compact JWS signed HS256 with {@code secret}; see the class documentation for the
     * order of the checks. Never throws for any content of {@code body}; null arguments are programmer errors.
     */
    public WebhookCheck verifyJwt(byte[] body, byte[] secret) {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(secret, "secret");
        CompactJws jws = CompactJws.locate(body, MAX_HEADER_SEGMENT, MAX_SIGNATURE_SEGMENT);
        byte[] headerBytes = jws == null ? null : jws.header();
        if (headerBytes == null) {
            return rejected(WebhookCheck.Reason.MALFORMED);
        }
        Map<String, Object> header;
        try {
            header = JsonCodec.parseObject(headerBytes);
        } catch (JsonException e) {
            return rejected(WebhookCheck.Reason.MALFORMED);
        }
        // the algorithm is judged before the signature, so "alg":"none" with an empty signature reads as what it is
        if (!ALGORITHM.equals(header.get("alg")) || header.containsKey("crit")) {
            return rejected(WebhookCheck.Reason.UNSUPPORTED_ALGORITHM);
        }
        byte[] signature = jws.signature();
        if (signature == null) {
            return rejected(WebhookCheck.Reason.MALFORMED);
        }
        // the signing input is the raw ASCII of header "." payload, MACed where it lies in the body
        if (!macMatches(secret, body, jws.signingInputOffset(), jws.signingInputLength(), signature)) {
            return rejected(WebhookCheck.Reason.BAD_SIGNATURE);
        }
        byte[] payloadBytes = jws.payload();
        if (payloadBytes == null) {
            return rejected(WebhookCheck.Reason.MALFORMED);
        }
        Map<String, Object> payload;
        try {
            payload = JsonCodec.parseObject(payloadBytes);
        } catch (JsonException e) {
            return rejected(WebhookCheck.Reason.MALFORMED);
        }
        if (payload.containsKey("exp")) {
            // a whole number of seconds in range; a fraction, an exponent or a huge literal is no NumericDate we use
            if (!(payload.get("exp") instanceof Long exp) || Math.abs(exp) > MAX_EXP_SECONDS) {
                return rejected(WebhookCheck.Reason.MALFORMED);
            }
            if (isExpired(exp)) {
                return rejected(WebhookCheck.Reason.EXPIRED);
            }
        }
        return new WebhookCheck.Accepted(payload);
    }

    /** {@link #verifyLegacy(byte[], String, byte[])} with the UTF-8 bytes of {@code secret}. */
    public WebhookCheck verifyLegacy(byte[] body, String signature, String secret) {
        return verifyLegacy(body, signature, utf8(secret));
    }

    /**
     * Verifies a legacy delivery: {@code signature} (the header value, null when absent) must be the HMAC-SHA256
     * of exactly {@code body} under {@code secret}, and {@code body} a JSON object. Never throws for any content of
     * {@code body} or {@code signature}.
     */
    public WebhookCheck verifyLegacy(byte[] body, String signature, byte[] secret) {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(secret, "secret");
        if (signature == null || signature.isBlank()) {
            return rejected(WebhookCheck.Reason.MISSING_SIGNATURE);
        }
        byte[] presented = decodeLegacySignature(signature.strip());
        if (presented == null || !macMatches(secret, body, 0, body.length, presented)) {
            return rejected(WebhookCheck.Reason.BAD_SIGNATURE);
        }
        try {
            return new WebhookCheck.Accepted(JsonCodec.parseObject(body));
        } catch (JsonException e) {
            return rejected(WebhookCheck.Reason.MALFORMED);
        }
    }

    /**
     * HMAC-SHA256 (RFC 2104 with SHA-256; test vectors in RFC 4231) of {@code data} under {@code key}. The key
     * must not be empty.
     */
    public static byte[] hmacSha256(byte[] key, byte[] data) {
        Objects.requireNonNull(data, "data");
        return hmacSha256(key, data, 0, data.length);
    }

    private static byte[] hmacSha256(byte[] key, byte[] data, int offset, int length) {
        if (key == null || key.length == 0) {
            throw new IllegalArgumentException("an HMAC key must not be empty");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(data, offset, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    private static boolean macMatches(byte[] secret, byte[] data, int offset, int length, byte[] presented) {
        if (secret.length == 0) {
            return false;
        }
        byte[] expected = hmacSha256(secret, data, offset, length);
        try {
            return MessageDigest.isEqual(expected, presented);
        } finally {
            Arrays.fill(expected, (byte) 0);
        }
    }

    private boolean isExpired(long exp) {
        // RFC 7519 4.1.4: the current time must be before exp; the leeway only widens that window. Both sides are
        // whole seconds far from overflow (exp is range-checked), and now >= exp + leeway holds for the exact
        // current time exactly when it holds for its whole seconds.
        return clock.instant().getEpochSecond() >= exp + leeway.toSeconds();
    }

    /** The 32 bytes a legacy header encodes (hex, base64 or base64url), or null when it encodes no such thing. */
    private static byte[] decodeLegacySignature(String value) {
        try {
            byte[] decoded;
            if (value.length() == 2 * HMAC_SHA256_BYTES && value.chars().allMatch(WebhookVerifier::isHexDigit)) {
                decoded = HexFormat.of().parseHex(value);
            } else if (value.indexOf('-') >= 0 || value.indexOf('_') >= 0) {
                decoded = Base64.getUrlDecoder().decode(value);
            } else {
                decoded = Base64.getDecoder().decode(value);
            }
            return decoded.length == HMAC_SHA256_BYTES ? decoded : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean isHexDigit(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static byte[] utf8(String secret) {
        return Objects.requireNonNull(secret, "secret").getBytes(StandardCharsets.UTF_8);
    }

    private static WebhookCheck rejected(WebhookCheck.Reason reason) {
        return new WebhookCheck.Rejected(reason);
    }
}
