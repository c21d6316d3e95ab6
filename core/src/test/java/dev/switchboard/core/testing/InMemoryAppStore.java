package dev.switchboard.core.testing;

import dev.switchboard.core.apps.App;
import dev.switchboard.core.apps.AppStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * In-memory {@link AppStore} (and so {@link dev.switchboard.core.apps.AppDirectory} and
 * {@link dev.switchboard.core.apps.AppRegistration}); apps are created active at the epoch. Thread-safe. Usage:
 * {@code App app = new InMemoryAppStore().create("CRM")}.
 */
public final class InMemoryAppStore implements AppStore {
    private final Map<UUID, App> apps = new LinkedHashMap<>();

    @Override
    public synchronized App create(String name) {
        App app = new App(UUID.randomUUID(), name, true, Instant.EPOCH);
        apps.put(app.id(), app);
        return app;
    }

    @Override
    public synchronized Optional<App> find(UUID id) {
        return Optional.ofNullable(apps.get(id));
    }

    @Override
    public synchronized List<App> list() {
        return new ArrayList<>(apps.values());
    }

    @Override
    public synchronized Optional<App> update(UUID id, String name, Boolean active) {
        App app = apps.get(id);
        if (app == null) {
            return Optional.empty();
        }
        App updated = new App(id, name == null ? app.name() : name, active == null ? app.active() : active,
                app.createdAt());
        apps.put(id, updated);
        return Optional.of(updated);
    }
}
