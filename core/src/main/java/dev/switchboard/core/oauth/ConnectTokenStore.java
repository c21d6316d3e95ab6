package dev.switchboard.core.oauth;

import java.time.Instant;
import java.util.UUID;

/**
 * Port: issued connect tokens, shared by every instance of the server.
 *
 * <p>Implementations are thread-safe; infrastructure failures throw
 * {@link dev.switchboard.core.StoreUnavailableException}.
 */
public interface ConnectTokenStore {
    /** Keeps a newly issued token (its hash). */
    void save(ConnectToken token);

    /**
     * Uses up the token with {@code tokenHash} if it was issued for {@code appId}, is unused and has not expired at
     * {@code now}; returns true for exactly one caller, across all instances and threads, and false for every other
     * call. A token presented for another app is neither accepted nor used up.
     */
    boolean consume(UUID appId, SecretHash tokenHash, Instant now);

    /** Deletes every token that expired at or before {@code now}, used or not; returns how many went. */
    int purgeExpired(Instant now);
}
