package dev.switchboard.core.apikey;

import java.util.Objects;

/**
 * A freshly generated API key: the plaintext, shown to the caller exactly once, and what is stored of it.
 * {@link #toString()} shows only the hint.
 *
 * @param plaintext    the key, {@code raw_} + 64 lowercase hex digits
 * @param lookupPrefix the hex digits after {@code raw_} that index the key (see {@link StoredApiKey})
 * @param bcryptHash   the bcrypt hash of the plaintext
 * @param hint         first 8 and last 4 characters of the plaintext
 */
public record IssuedApiKey(String plaintext, String lookupPrefix, String bcryptHash, String hint) {
    public IssuedApiKey {
        Objects.requireNonNull(plaintext, "plaintext");
        if (!ApiKeys.isWellFormed(plaintext)) {
            throw new IllegalArgumentException("an API key is raw_ followed by 64 lowercase hex digits");
        }
        // the derived parts must belong to this very key: building them by hand is how a mismatch would creep in
        if (!ApiKeys.lookupPrefixOf(plaintext).equals(lookupPrefix) || !ApiKeys.hintOf(plaintext).equals(hint)) {
            throw new IllegalArgumentException("the lookup prefix and hint must be derived from the key");
        }
        new StoredApiKey(lookupPrefix, bcryptHash, hint);
    }

    /** The part a store keeps: everything but the plaintext. */
    public StoredApiKey stored() {
        return new StoredApiKey(lookupPrefix, bcryptHash, hint);
    }

    @Override
    public String toString() {
        return "IssuedApiKey[hint=" + hint + ", plaintext=redacted]";
    }
}
