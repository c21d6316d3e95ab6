package dev.switchboard.testkit.dialpad;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds compact JWS strings the way Dialpad signs webhook events (RFC 7515 §7.1, HS256 of RFC 7518 §3.2), written
 * here with {@code javax.crypto} alone so that tests check core's verifier against an independent signer. Also
 * builds the broken tokens a verifier must refuse: any header ({@code alg} other than HS256) and unsecured
 * ({@code alg: none}) tokens.
 *
 * <p>Stateless and thread-safe.
 */
public final class Hs256Jwt {
    /** The header Dialpad puts on its events. */
    public static final String HEADER = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private Hs256Jwt() {
    }

    /** {@code payloadJson} signed with the UTF-8 bytes of {@code secret} under {@link #HEADER}. */
    public static String sign(String payloadJson, String secret) {
        Objects.requireNonNull(secret, "secret");
        return sign(HEADER, payloadJson, secret.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A compact JWS of the exact header and payload bytes given, signed with HMAC-SHA256 under {@code key}; the header
     * is not checked, so tests can build tokens that claim another algorithm.
     */
    public static String sign(String headerJson, String payloadJson, byte[] key) {
        return sign(headerJson.getBytes(StandardCharsets.UTF_8), payloadJson.getBytes(StandardCharsets.UTF_8), key);
    }

    /** As {@link #sign(String, String, byte[])} on raw header and payload bytes (RFC 7515 Appendix A.1 style). */
    public static String sign(byte[] header, byte[] payload, byte[] key) {
        String signingInput = BASE64URL.encodeToString(header) + "." + BASE64URL.encodeToString(payload);
        byte[] signature = hmacSha256(key, signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + BASE64URL.encodeToString(signature);
    }

    /** An unsecured JWS ({@code {"alg":"none"}}, empty signature, RFC 7515 Appendix A.5) that must be refused. */
    public static String unsecured(String payloadJson) {
        return BASE64URL.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + BASE64URL.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8)) + ".";
    }

    /** HMAC-SHA256 of {@code data} under {@code key} (RFC 2104, test vectors in RFC 4231). */
    public static byte[] hmacSha256(byte[] key, byte[] data) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(data, "data");
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            // an empty key is legal for HMAC but not for SecretKeySpec, and no secret of ours is empty
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    /** Lower-case hex of {@link #hmacSha256}, the form of the legacy {@code x-dialpad-signature} header. */
    public static String hmacSha256Hex(byte[] key, byte[] data) {
        return HexFormat.of().formatHex(hmacSha256(key, data));
    }

    /** Standard (padded) base64 of {@link #hmacSha256}, the other accepted form of {@code x-dialpad-signature}. */
    public static String hmacSha256Base64(byte[] key, byte[] data) {
        return Base64.getEncoder().encodeToString(hmacSha256(key, data));
    }
}
