package dev.switchboard.core.oauth;

import java.time.Instant;

/**
 * Port: uses a connect link up once a connection is completed through it, all {@link DialpadConnections} asks of the
 * links. A {@link ConnectTokenStore} is one. Implementations are thread-safe and throw
 * {@link dev.switchboard.core.StoreUnavailableException} when the backing store cannot be reached.
 */
@FunctionalInterface
public interface ConnectLinkCompletion {
    /**
     * Uses the token up because a connection was completed through it: true for exactly one caller, across all
     * instances and threads; false for every other call and for a token that is not kept.
     */
    boolean complete(SecretHash tokenHash, Instant now);
}
