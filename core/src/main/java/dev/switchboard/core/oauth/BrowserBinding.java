package dev.switchboard.core.oauth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Binds an OAuth flow to the browser that started it (RFC 6749 section 10.12, RFC 9700 section 4.7.1): a random
 * nonce goes into a cookie, signed with HMAC-SHA256 under {@code SESSION_SECRET}; the flow stores only the SHA-256
 * of the nonce. At the callback the cookie's signature is checked and its nonce hash compared with the flow's, so a
 * {@code state} replayed from another browser (login CSRF, a leaked callback URL) is refused.
 *
 * <p>The cookie value is {@code base64url(nonce) "." base64url(HMAC-SHA256(key, label "." base64url(nonce)))}. The
 * signature is what lets a forged cookie be told apart from a stale one without a store lookup; the nonce hash in
 * the flow row is what ties the cookie to one flow. Signatures are compared in constant time.
 *
 * <p>Immutable and thread-safe ({@link Mac} instances are created per call).
 */
public final class BrowserBinding {
    /** Shortest {@code SESSION_SECRET} accepted, in bytes, as the contract requires. */
    public static final int MIN_SECRET_BYTES = 32;

    private static final String LABEL = "switchboard-oauth-browser-binding";
    private static final int MAX_COOKIE_LENGTH = 256;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec key;
    private final SecureRandom random;

    private BrowserBinding(byte[] key, SecureRandom random) {
        this.key = new SecretKeySpec(key, "HmacSHA256");
        this.random = random;
    }

    /** A binding keyed by {@code sessionSecret} (its UTF-8 bytes, at least {@link #MIN_SECRET_BYTES}). */
    public static BrowserBinding of(String sessionSecret, SecureRandom random) {
        Objects.requireNonNull(sessionSecret, "sessionSecret");
        Objects.requireNonNull(random, "random");
        byte[] key = sessionSecret.getBytes(StandardCharsets.UTF_8);
        if (key.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the session secret must have at least " + MIN_SECRET_BYTES + " bytes");
        }
        return new BrowserBinding(key, random);
    }

    /** A fresh cookie value and the nonce hash to store with the flow. */
    public Issued issue() {
        String nonce = RandomSecrets.next(random);
        String cookieValue = nonce + "." + ENCODER.encodeToString(sign(nonce));
        return new Issued(cookieValue, SecretHash.of(nonce));
    }

    /**
     * Checks a cookie value as the browser sent it (null or blank when it sent none). Returns the nonce hash of a
     * correctly signed cookie, or why it is not one; never throws for bad input.
     */
    public Check verify(String cookieValue) {
        if (cookieValue == null || cookieValue.isBlank()) {
            return new Check.Unbound(Check.Reason.MISSING);
        }
        int dot = cookieValue.indexOf('.');
        if (cookieValue.length() > MAX_COOKIE_LENGTH || dot <= 0 || dot != cookieValue.lastIndexOf('.')) {
            return new Check.Unbound(Check.Reason.MALFORMED);
        }
        String nonce = cookieValue.substring(0, dot);
        byte[] presented;
        byte[] nonceBytes;
        try {
            nonceBytes = Base64.getUrlDecoder().decode(nonce);
            presented = Base64.getUrlDecoder().decode(cookieValue.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return new Check.Unbound(Check.Reason.MALFORMED);
        }
        if (nonceBytes.length != RandomSecrets.BYTES) {
            return new Check.Unbound(Check.Reason.MALFORMED);
        }
        if (!MessageDigest.isEqual(sign(nonce), presented)) {
            return new Check.Unbound(Check.Reason.BAD_SIGNATURE);
        }
        return new Check.Bound(SecretHash.of(nonce));
    }

    private byte[] sign(String nonce) {
        return hmacSha256(key, (LABEL + "." + nonce).getBytes(StandardCharsets.US_ASCII));
    }

    /** HMAC-SHA256 (RFC 2104, tested with RFC 4231's vectors). */
    static byte[] hmacSha256(SecretKeySpec key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /**
     * A new binding: the value to set in the cookie and the hash to keep with the flow.
     *
     * @param cookieValue secret: set it in an HttpOnly cookie, never log it
     * @param nonceHash   what the flow store keeps
     */
    public record Issued(String cookieValue, SecretHash nonceHash) {
        public Issued {
            Objects.requireNonNull(cookieValue, "cookieValue");
            Objects.requireNonNull(nonceHash, "nonceHash");
        }

        @Override
        public String toString() {
            return "Issued[cookieValue=(redacted), nonceHash=" + nonceHash + "]";
        }
    }

    /** What a presented cookie proves. */
    public sealed interface Check {
        /** A cookie this server signed; {@code nonceHash} must still match the flow's. */
        record Bound(SecretHash nonceHash) implements Check {
            public Bound {
                Objects.requireNonNull(nonceHash, "nonceHash");
            }
        }

        /** Not a cookie this server signed. */
        record Unbound(Reason reason) implements Check {
            public Unbound {
                Objects.requireNonNull(reason, "reason");
            }
        }

        /** Why a cookie does not bind. */
        enum Reason { MISSING, MALFORMED, BAD_SIGNATURE }
    }
}
