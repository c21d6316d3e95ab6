package dev.switchboard.core.apps;

/**
 * Port: creates apps, all {@link AppAdministration} asks of the app table. Implementations are thread-safe and
 * throw {@link dev.switchboard.core.StoreUnavailableException} when the backing store cannot be reached.
 */
@FunctionalInterface
public interface AppRegistration {
    /** Creates an active app named {@code name} with a fresh id. */
    App create(String name);
}
