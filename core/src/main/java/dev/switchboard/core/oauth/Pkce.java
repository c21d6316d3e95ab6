package dev.switchboard.core.oauth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * Proof Key for Code Exchange, RFC 7636, with the only method Switchboard uses: {@code S256}.
 *
 * <p>{@link #newVerifier()} draws 32 bytes from the injected {@link SecureRandom} and encodes them base64url
 * without padding: 43 characters of the unreserved set carrying 256 bits of entropy (section 4.1 and 7.1).
 * The challenge is {@code BASE64URL(SHA256(ASCII(code_verifier)))} (section 4.2). The {@code plain} method is
 * deliberately absent: it protects nothing if the authorization request leaks.
 *
 * <p>Thread-safe when the {@link SecureRandom} is (the JDK's are).
 */
public final class Pkce {
    /** The {@code code_challenge_method} value sent with every authorization request. */
    public static final String METHOD = "S256";
    /** Shortest verifier RFC 7636 section 4.1 allows. */
    public static final int MIN_VERIFIER_LENGTH = 43;
    /** Longest verifier RFC 7636 section 4.1 allows. */
    public static final int MAX_VERIFIER_LENGTH = 128;

    private static final int RANDOM_BYTES = 32;

    private final SecureRandom random;

    private Pkce(SecureRandom random) {
        this.random = random;
    }

    /** A generator drawing its verifiers from {@code random}. */
    public static Pkce using(SecureRandom random) {
        return new Pkce(Objects.requireNonNull(random, "random"));
    }

    /** A fresh verifier of 43 characters (256 random bits). */
    public Verifier newVerifier() {
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        return new Verifier(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    /**
     * True when {@code value} is a syntactically valid verifier: 43 to 128 characters, each one of
     * {@code ALPHA / DIGIT / "-" / "." / "_" / "~"} (RFC 7636 section 4.1). Null is not valid.
     */
    public static boolean isValidVerifier(String value) {
        if (value == null || value.length() < MIN_VERIFIER_LENGTH || value.length() > MAX_VERIFIER_LENGTH) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (!isUnreserved(value.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The S256 challenge of a verifier (RFC 7636 section 4.2). Throws {@link IllegalArgumentException} when the
     * verifier is not valid; the message never contains it.
     */
    public static String challengeS256(String verifier) {
        return new Verifier(verifier).challenge();
    }

    private static boolean isUnreserved(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /**
     * A code verifier: a secret kept by the server between the authorization request and the token exchange.
     * The constructor validates it (see {@link #isValidVerifier}); {@link #toString()} never shows it.
     *
     * @param value the verifier as sent in {@code code_verifier}
     */
    public record Verifier(String value) {
        public Verifier {
            Objects.requireNonNull(value, "value");
            if (!isValidVerifier(value)) {
                throw new IllegalArgumentException("a PKCE verifier must have " + MIN_VERIFIER_LENGTH + " to "
                        + MAX_VERIFIER_LENGTH + " characters from A-Z a-z 0-9 - . _ ~");
            }
        }

        /** {@code BASE64URL(SHA256(ASCII(value)))}, without padding, to send as {@code code_challenge}. */
        public String challenge() {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII));
                return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from this JVM", e);
            }
        }

        /** Always {@value Pkce#METHOD}. */
        public String method() {
            return METHOD;
        }

        @Override
        public String toString() {
            return "Verifier[redacted]";
        }
    }
}
