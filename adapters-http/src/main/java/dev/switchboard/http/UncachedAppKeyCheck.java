package dev.switchboard.http;

import dev.switchboard.core.apikey.ApiKeyAuthenticator;
import dev.switchboard.core.apikey.ApiKeyCandidate;
import dev.switchboard.core.apikey.ApiKeyCheck;
import dev.switchboard.core.apikey.ApiKeyLookup;
import dev.switchboard.core.apikey.ApiKeys;
import java.util.Objects;
import java.util.Optional;

/** {@link AppKeyCheck#of}: core's authenticator, and a bcrypt-free recheck by lookup prefix. Thread-safe. */
final class UncachedAppKeyCheck implements AppKeyCheck {
    private final ApiKeyAuthenticator authenticator;
    private final ApiKeyLookup store;

    private UncachedAppKeyCheck(ApiKeyAuthenticator authenticator, ApiKeyLookup store) {
        this.authenticator = authenticator;
        this.store = store;
    }

    static UncachedAppKeyCheck create(ApiKeyAuthenticator authenticator, ApiKeyLookup store) {
        return new UncachedAppKeyCheck(Objects.requireNonNull(authenticator, "authenticator"),
                Objects.requireNonNull(store, "store"));
    }

    @Override
    public ApiKeyCheck authenticate(String presentedKey) {
        return authenticator.authenticate(presentedKey);
    }

    @Override
    public ApiKeyCheck recheck(String presentedKey) {
        String key = presentedKey == null ? "" : presentedKey.strip();
        if (!ApiKeys.isWellFormed(key)) {
            return new ApiKeyCheck.Rejected(key.isEmpty() ? ApiKeyCheck.Reason.MISSING : ApiKeyCheck.Reason.MALFORMED);
        }
        Optional<ApiKeyCandidate> found = store.findByLookupPrefix(ApiKeys.lookupPrefixOf(key));
        if (found.isEmpty()) {
            return new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.UNKNOWN);
        }
        ApiKeyCandidate candidate = found.get();
        if (candidate.graceEndsAt().map(authenticator::graceEnded).orElse(false)) {
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
