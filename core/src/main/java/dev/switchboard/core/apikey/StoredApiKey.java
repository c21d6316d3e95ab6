package dev.switchboard.core.apikey;

import java.util.Objects;

/**
 * What a store keeps of an API key: never the key itself, only what lets a check find it and verify it.
 *
 * @param lookupPrefix the {@value ApiKeys#LOOKUP_PREFIX_LENGTH} hex digits right after {@code raw_}, unique among all
 *                     keys, indexed so a check finds its one candidate row
 * @param bcryptHash   the bcrypt hash (cost {@value ApiKeys#BCRYPT_COST}) of the whole key, {@code raw_} included
 * @param hint         first 8 and last 4 characters of the key, e.g. {@code raw_a1b2...9f0e}, safe to show and log
 */
public record StoredApiKey(String lookupPrefix, String bcryptHash, String hint) {
    public StoredApiKey {
        Objects.requireNonNull(lookupPrefix, "lookupPrefix");
        Objects.requireNonNull(bcryptHash, "bcryptHash");
        Objects.requireNonNull(hint, "hint");
        if (!ApiKeys.isLookupPrefix(lookupPrefix)) {
            throw new IllegalArgumentException("a lookup prefix is " + ApiKeys.LOOKUP_PREFIX_LENGTH + " lowercase hex digits");
        }
        if (!ApiKeys.isBcryptHash(bcryptHash)) {
            throw new IllegalArgumentException("not a bcrypt hash");
        }
        if (!ApiKeys.isHint(hint)) {
            throw new IllegalArgumentException("a key hint is raw_ + 4 hex digits + ... + 4 hex digits");
        }
    }
}
