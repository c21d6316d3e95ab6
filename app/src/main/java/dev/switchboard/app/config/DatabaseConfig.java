package dev.switchboard.app.config;

import dev.switchboard.core.secrets.Secret;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the data lives: an {@link Embedded} PostgreSQL under a local directory (sandbox only), or an
 * {@link External} server. {@code maxClients} is the pool size ({@code DB_MAX_CLIENTS}).
 */
public sealed interface DatabaseConfig {
    /** Largest accepted pool size. */
    int MAX_CLIENTS_LIMIT = 1000;

    /** The connection pool size. */
    int maxClients();

    /** An embedded PostgreSQL whose data stays in {@code dataDirectory} between runs. */
    record Embedded(Path dataDirectory, int maxClients) implements DatabaseConfig {
        public Embedded {
            Objects.requireNonNull(dataDirectory, "dataDirectory");
            checkMaxClients(maxClients);
        }
    }

    /**
     * A PostgreSQL server reached at {@code jdbcUrl} ({@code jdbc:postgresql://host:port/db?params}), which never
     * carries the user or password: those are separate, so the URL can be logged.
     */
    record External(String jdbcUrl, Optional<String> user, Optional<Secret> password, int maxClients)
            implements DatabaseConfig {
        public External {
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
                throw new IllegalArgumentException("the database URL must start with jdbc:postgresql://");
            }
            checkMaxClients(maxClients);
        }
    }

    private static void checkMaxClients(int maxClients) {
        if (maxClients < 1 || maxClients > MAX_CLIENTS_LIMIT) {
            throw new IllegalArgumentException("the pool size must be between 1 and " + MAX_CLIENTS_LIMIT);
        }
    }
}
