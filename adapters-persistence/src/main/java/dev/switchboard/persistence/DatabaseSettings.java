package dev.switchboard.persistence;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach PostgreSQL: a {@code jdbc:postgresql://} URL, optional user and password, the pool size.
 * {@link #toString()} and {@link #describe()} never show the password.
 */
public record DatabaseSettings(String jdbcUrl, Optional<String> user, Optional<String> password, int maxPoolSize,
                               Duration connectionTimeout) {
    public DatabaseSettings {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(connectionTimeout, "connectionTimeout");
        if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("the database URL must start with jdbc:postgresql://");
        }
        if (maxPoolSize < 1 || maxPoolSize > 1000) {
            throw new IllegalArgumentException("the pool size must be between 1 and 1000");
        }
    }

    /** Settings for a URL that carries its own credentials, with a pool of {@code maxPoolSize}. */
    public static DatabaseSettings of(String jdbcUrl, int maxPoolSize) {
        return new DatabaseSettings(jdbcUrl, Optional.empty(), Optional.empty(), maxPoolSize, Duration.ofSeconds(10));
    }

    /** host:port/database, without credentials or parameters, for messages and logs. */
    public String describe() {
        try {
            URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
            String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
            return uri.getHost() + port + (uri.getPath() == null ? "" : uri.getPath());
        } catch (IllegalArgumentException e) {
            return "(unparseable URL)";
        }
    }

    @Override
    public String toString() {
        return "DatabaseSettings[" + describe() + ", user=" + user.orElse("(in URL)") + ", pool=" + maxPoolSize + "]";
    }
}
