package dev.switchboard.core.apikey;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Authenticates a presented API key ({@code x-app-api-key} or a bearer token) to an app.
 *
 * <p>Steps: a missing key is {@link ApiKeyCheck.Reason#MISSING}; anything not exactly {@code raw_} + 64 lowercase
 * hex digits is {@link ApiKeyCheck.Reason#MALFORMED} (so no long input reaches bcrypt); the store is asked for the
 * one live key with the same lookup prefix; no such key, or a bcrypt mismatch, is
 * {@link ApiKeyCheck.Reason#UNKNOWN}. A revoked or rotated-away key has left the lookup
 * ({@link ApiKeyLookup#findByLookupPrefix}), so it is {@link ApiKeyCheck.Reason#UNKNOWN} too, without a bcrypt
 * comparison; {@link ApiKeyCheck.Reason#REVOKED} remains for a store that still returns a dead key. Only for the
 * genuine key does the result say {@link ApiKeyCheck.Reason#REVOKED} or {@link ApiKeyCheck.Reason#APP_INACTIVE}, so
 * a guesser learns nothing about other apps' keys.
 *
 * <p>A check costs at most one bcrypt comparison whatever the number of keys, and none at all for a missing,
 * malformed or unknown-prefix key (no dummy comparison is made: the prefix is 64 random bits, so telling
 * "no such prefix" apart by timing gives a guesser nothing, and skipping it keeps junk requests cheap).
 *
 * <p>A key rotated away with a grace period ({@link ApiKeyCandidate#graceEndsAt()}) is accepted until its grace ends,
 * by the injected {@link Clock}; from then on it is {@link ApiKeyCheck.Reason#UNKNOWN}, decided before any bcrypt
 * comparison. An authenticator made without a clock accepts no key in grace.
 *
 * <p>Usage:
 * {@code ApiKeyAuthenticator.create(ApiKeys.create(new SecureRandom()), lookup, clock).authenticate(presented)}.
 *
 * <p>No caching here: a decorator in the HTTP adapter may add it. Thread-safe; a store failure propagates as
 * {@link dev.switchboard.core.StoreUnavailableException}.
 */
public final class ApiKeyAuthenticator {
    private final ApiKeys keys;
    private final ApiKeyLookup store;
    /** Null when made without a clock: then no key in grace is accepted. */
    private final Clock clock;

    private ApiKeyAuthenticator(ApiKeys keys, ApiKeyLookup store, Clock clock) {
        this.keys = keys;
        this.store = store;
        this.clock = clock;
    }

    /**
     * An authenticator comparing with {@code keys} against the hashes of {@code store}, for a store that keeps no
     * key in grace: a candidate with a grace end is refused, since there is no clock to judge it by.
     */
    public static ApiKeyAuthenticator create(ApiKeys keys, ApiKeyLookup store) {
        return new ApiKeyAuthenticator(Objects.requireNonNull(keys, "keys"), Objects.requireNonNull(store, "store"),
                null);
    }

    /** An authenticator comparing with {@code keys} against {@code store}, judging grace ends by {@code clock}. */
    public static ApiKeyAuthenticator create(ApiKeys keys, ApiKeyLookup store, Clock clock) {
        return new ApiKeyAuthenticator(Objects.requireNonNull(keys, "keys"), Objects.requireNonNull(store, "store"),
                Objects.requireNonNull(clock, "clock"));
    }

    /**
     * True once a grace period ending at {@code graceEndsAt} is over (always, for an authenticator without a clock):
     * what a cache of verified keys asks before trusting a key in grace again.
     */
    public boolean graceEnded(Instant graceEndsAt) {
        Objects.requireNonNull(graceEndsAt, "graceEndsAt");
        return clock == null || !clock.instant().isBefore(graceEndsAt);
    }

    /** Checks {@code presented} (null or blank when no key was sent). Surrounding whitespace is ignored. */
    public ApiKeyCheck authenticate(String presented) {
        if (presented == null || presented.isBlank()) {
            return new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.MISSING);
        }
        String key = presented.strip();
        if (!ApiKeys.isWellFormed(key)) {
            return new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.MALFORMED);
        }
        Optional<ApiKeyCandidate> found = store.findByLookupPrefix(ApiKeys.lookupPrefixOf(key));
        if (found.isEmpty()) {
            return new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.UNKNOWN);
        }
        ApiKeyCandidate candidate = found.get();
        if (candidate.graceEndsAt().isPresent() && graceEnded(candidate.graceEndsAt().get())) {
            // rotated away and its grace is over: as good as gone, so no bcrypt is spent on it
            return new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.UNKNOWN);
        }
        if (!keys.validateApiKey(key, candidate.bcryptHash())) {
            return new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.UNKNOWN);
        }
        if (!candidate.keyActive()) {
            return new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.REVOKED);
        }
        if (!candidate.appActive()) {
            return new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.APP_INACTIVE);
        }
        return new ApiKeyCheck.Authenticated(candidate.appId(), candidate.hint());
    }
}
