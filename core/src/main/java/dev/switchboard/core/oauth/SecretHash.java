package dev.switchboard.core.oauth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The SHA-256 digest of a high-entropy secret (an OAuth {@code state}, a connect token, a cookie nonce). Stores keep
 * this instead of the secret, so a copy of the database cannot replay a pending flow or a connect link.
 *
 * <p>A plain, unsalted hash is enough here: each secret carries at least 128 random bits, so it cannot be found by
 * guessing, and an exact-match lookup by hash needs a deterministic digest. Immutable and thread-safe;
 * {@link #equals} compares in constant time.
 */
public final class SecretHash {
    /** Length of a SHA-256 digest in bytes. */
    public static final int LENGTH = 32;

    private final byte[] digest;

    private SecretHash(byte[] digest) {
        this.digest = digest;
    }

    /** The hash of {@code secret} (its UTF-8 bytes). */
    public static SecretHash of(String secret) {
        Objects.requireNonNull(secret, "secret");
        return new SecretHash(sha256(secret.getBytes(StandardCharsets.UTF_8)));
    }

    /** The hash of raw {@code bytes}. */
    public static SecretHash ofBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return new SecretHash(sha256(bytes));
    }

    /** A digest read back from a store; throws IllegalArgumentException unless it is 32 bytes. */
    public static SecretHash fromDigest(byte[] digest) {
        Objects.requireNonNull(digest, "digest");
        if (digest.length != LENGTH) {
            throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, not " + digest.length);
        }
        return new SecretHash(digest.clone());
    }

    /** A copy of the 32 digest bytes. */
    public byte[] digest() {
        return digest.clone();
    }

    /** The digest as 64 lowercase hex characters. */
    public String hex() {
        return HexFormat.of().formatHex(digest);
    }

    /** Constant-time comparison with another hash. */
    public boolean matches(SecretHash other) {
        return other != null && MessageDigest.isEqual(digest, other.digest);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SecretHash that && matches(that);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(digest);
    }

    /** Shows a short prefix only: enough to correlate, never enough to matter. */
    @Override
    public String toString() {
        return "SecretHash[" + hex().substring(0, 8) + "…]";
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
