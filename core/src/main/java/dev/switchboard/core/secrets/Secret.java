package dev.switchboard.core.secrets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A secret value from the configuration (a client secret, a signing key, a password). Its {@link #toString()}
 * never shows the value, and {@link #equals} and {@link #matches} compare in constant time, so a secret can sit
 * in a record that is logged or compared without leaking. Immutable and thread-safe.
 */
public record Secret(String value) {
    public Secret {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a secret must not be empty");
        }
    }

    /** True when {@code candidate} equals this secret; the comparison time does not depend on where they differ. */
    public boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(
                value.getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
    }

    /** The value's length in characters. */
    public int length() {
        return value.length();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret that && matches(that.value);
    }

    @Override
    public int hashCode() {
        // a hash derived from the value would be a fingerprint of it; secrets are not meant for hash tables
        return Secret.class.hashCode();
    }

    @Override
    public String toString() {
        return "Secret[redacted]";
    }
}
