package dev.switchboard.http;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The bearer check of {@code /internal/*} and of the disconnect route: {@code Authorization: Bearer
 * $INTERNAL_API_SECRET}. A missing or non-bearer header is 401, a wrong secret 403 (as the predecessor answered).
 *
 * <p>The comparison hashes both sides with SHA-256 and compares the digests with {@link MessageDigest#isEqual}, so
 * its time depends neither on where the first differing byte is nor on the presented secret's length. During a
 * rotation two secrets are accepted: the presented digest is compared with every accepted one, always all of them,
 * so the time does not tell which one matched either. Thread-safe.
 */
public final class InternalAuth {
    private final List<byte[]> expectedDigests;

    private InternalAuth(List<byte[]> expectedDigests) {
        this.expectedDigests = expectedDigests;
    }

    /** A check against {@code secret}, which must not be blank. */
    public static InternalAuth withSecret(String secret) {
        return withSecrets(List.of(Objects.requireNonNull(secret, "secret")));
    }

    /**
     * A check accepting any of {@code secrets} (the current secret and the one replacing it during a rotation);
     * there must be at least one, and none may be blank.
     */
    public static InternalAuth withSecrets(List<String> secrets) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one internal API secret is needed");
        }
        List<byte[]> digests = new ArrayList<>(secrets.size());
        for (String secret : secrets) {
            Objects.requireNonNull(secret, "secret");
            if (secret.isBlank()) {
                throw new IllegalArgumentException("the internal API secret must not be blank");
            }
            digests.add(sha256(secret));
        }
        return new InternalAuth(List.copyOf(digests));
    }

    /** Throws 401 or 403 {@link Problem}s unless the request carries the secret. */
    public void require(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw Problems.unauthorized("missing_authorization", "An Authorization: Bearer header is required.");
        }
        String trimmed = header.strip();
        if (trimmed.length() < 7 || !trimmed.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            throw Problems.unauthorized("missing_authorization", "An Authorization: Bearer header is required.");
        }
        String presented = trimmed.substring(7).strip();
        byte[] presentedDigest = sha256(presented);
        boolean accepted = false;
        for (byte[] expected : expectedDigests) {
            // no early exit: every accepted secret is compared whatever the outcome of the others
            accepted |= MessageDigest.isEqual(expected, presentedDigest);
        }
        if (!accepted) {
            throw Problems.forbidden("forbidden", "The internal API secret is not valid.");
        }
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
