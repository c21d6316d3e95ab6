package dev.switchboard.core.oauth;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Port: issued connect tokens (connect links), shared by every instance of the server.
 *
 * <p>A link lives in two steps: while it is unexpired and no connection has been completed through it, each
 * {@link #open} starts one more flow (up to a bound); the first {@link #complete} uses it up for good. Opening never
 * uses it up, because corporate mail gateways open every link in a message before the person does.
 *
 * <p>{@link #complete} comes from {@link ConnectLinkCompletion}, the part {@link DialpadConnections} uses.
 * Implementations are thread-safe; infrastructure failures throw
 * {@link dev.switchboard.core.StoreUnavailableException}.
 */
public interface ConnectTokenStore extends ConnectLinkCompletion {
    /** Keeps a newly issued token (its hash). */
    void save(ConnectToken token);

    /**
     * Counts one more flow started from the token with {@code tokenHash} and returns it, if it was issued for
     * {@code appId}, has not expired at {@code now}, no connection has been completed through it, and fewer than
     * {@code maxFlows} flows were started from it; empty otherwise, changing nothing. Atomic across instances: no
     * more than {@code maxFlows} calls ever succeed for one token. A token presented for another app is neither
     * accepted nor counted.
     */
    Optional<ConnectToken> open(UUID appId, SecretHash tokenHash, Instant now, int maxFlows);

    /**
     * True while the token with {@code tokenHash} is kept and no connection has been completed through it (expiry
     * is not looked at: a flow started in time may finish after the link's 15 minutes).
     */
    boolean canComplete(SecretHash tokenHash);

    /**
     * Deletes every token that expired at or before {@code cutoff}, completed or not; returns how many went, 0 at once
     * when another instance is purging them at this moment (it deletes the same ones).
     */
    int purgeExpired(Instant cutoff);
}
