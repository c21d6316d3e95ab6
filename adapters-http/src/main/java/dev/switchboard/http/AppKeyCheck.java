package dev.switchboard.http;

import dev.switchboard.core.apikey.ApiKeyAuthenticator;
import dev.switchboard.core.apikey.ApiKeyCheck;
import dev.switchboard.core.apikey.ApiKeyLookup;

/**
 * The API key check the app-facing routes ({@code /ws}, and {@code /api/*}) run: the one seam between them and how
 * keys are verified and cached. {@link #of} wraps core's {@link ApiKeyAuthenticator} without a cache; a cached
 * authenticator can implement this interface instead.
 *
 * <p>Implementations are thread-safe, return expected refusals as {@link ApiKeyCheck.Rejected} values, and throw
 * {@link dev.switchboard.core.StoreUnavailableException} when the keys cannot be read. They never log a key.
 */
@FunctionalInterface
public interface AppKeyCheck {
    /**
     * Checks a presented key ({@code null} or blank when none was sent) with at most one bcrypt comparison.
     *
     * @return the app the key belongs to, or why it is refused
     */
    ApiKeyCheck authenticate(String presentedKey);

    /**
     * Checks again a key that {@link #authenticate} accepted earlier, for a long-lived connection that must end once
     * the key is revoked or rotated, on any instance. Must be cheap (no bcrypt on the common path), since it runs
     * every few seconds per distinct key. The default repeats {@link #authenticate}, which suits a cached
     * implementation whose cache entries live only a few seconds.
     */
    default ApiKeyCheck recheck(String presentedKey) {
        return authenticate(presentedKey);
    }

    /**
     * Core's authenticator for {@link #authenticate}; {@link #recheck} reads the key's stored row by its lookup
     * prefix (unique over all keys, revoked ones included) without bcrypt, which is sound only for a key that
     * authenticated before.
     */
    static AppKeyCheck of(ApiKeyAuthenticator authenticator, ApiKeyLookup store) {
        return UncachedAppKeyCheck.create(authenticator, store);
    }
}
