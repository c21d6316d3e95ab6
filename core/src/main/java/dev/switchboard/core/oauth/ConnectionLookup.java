package dev.switchboard.core.oauth;

import java.util.Optional;
import java.util.UUID;

/**
 * Port: one app's connection with its tokens decrypted, for a service that calls Dialpad on the app's behalf.
 *
 * <p>Thread-safe; infrastructure failures throw {@link dev.switchboard.core.StoreUnavailableException}.
 */
public interface ConnectionLookup {
    /** The app's connection with its tokens decrypted, or empty when it is not connected. */
    Optional<Connection> find(UUID appId);
}
