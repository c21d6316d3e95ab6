package dev.switchboard.core.apps;

import java.util.Optional;
import java.util.UUID;

/**
 * Port: finds an app by id, the one question the OAuth flows and connections ask of apps. Usage: pass
 * {@code id -> Optional.ofNullable(myApps.get(id))} in a test, or a full {@link AppStore}. Implementations are
 * thread-safe and throw {@link dev.switchboard.core.StoreUnavailableException} when the backing store cannot be
 * reached.
 */
@FunctionalInterface
public interface AppDirectory {
    /** The app with this id, or empty. */
    Optional<App> find(UUID id);
}
