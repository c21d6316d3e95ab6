package dev.switchboard.core.apps;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Where apps live: the whole store the administrative routes use, joining the role ports {@link AppDirectory} and
 * {@link AppRegistration} that services depend on. Implementations are thread-safe and shared by every instance of
 * the server; they throw {@link dev.switchboard.core.StoreUnavailableException} when the backing store cannot be
 * reached.
 */
public interface AppStore extends AppDirectory, AppRegistration {

    /** Every app, oldest first. */
    List<App> list();

    /** Changes the name and/or active flag (a null leaves it as it is); empty when there is no such app. */
    Optional<App> update(UUID id, String name, Boolean active);
}
