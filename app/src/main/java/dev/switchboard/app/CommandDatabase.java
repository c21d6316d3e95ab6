package dev.switchboard.app;

import dev.switchboard.core.SwitchboardException;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.DatabaseConfig;
import dev.switchboard.core.secrets.Secret;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.EmbeddedDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;

/**
 * The server's database, opened by a command (and migrated, as {@link Database#open} always does). An external
 * database is reached as the server reaches it. The sandbox's embedded PostgreSQL can have only one owner: when a
 * sandbox server runs it (its data directory holds {@code postmaster.pid}), the command connects to that cluster
 * on the port and with the password kept in {@code ./data}; otherwise the command starts the cluster itself and
 * stops it when done. Closing closes the pool, then the cluster if the command started it.
 */
final class CommandDatabase implements AutoCloseable {
    private static final int POOL_SIZE = 2;
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(10);

    private final Configuration configuration;
    private final Database database;
    private final Optional<EmbeddedDatabase> embedded;

    private CommandDatabase(Configuration configuration, Database database, Optional<EmbeddedDatabase> embedded) {
        this.configuration = configuration;
        this.database = database;
        this.embedded = embedded;
    }

    /**
     * Resolves the sandbox secrets of {@code configuration} (from {@code ./data/secrets.properties}, as the server
     * does) and opens its database. Throws {@link SwitchboardException} with an operator's message when the database
     * cannot be reached.
     */
    static CommandDatabase open(Configuration configuration, SecureRandom random) {
        Configuration resolved = SandboxSecrets.resolve(configuration, random);
        if (resolved.database() instanceof DatabaseConfig.External external) {
            return new CommandDatabase(resolved, Database.open(new DatabaseSettings(external.jdbcUrl(),
                    external.user(), external.password().map(Secret::value), POOL_SIZE, CONNECTION_TIMEOUT)),
                    Optional.empty());
        }
        if (!(resolved.database() instanceof DatabaseConfig.Embedded local)) {
            throw new IllegalStateException("unexpected database " + resolved.database().getClass().getName());
        }
        Secret password = SandboxSecrets.embeddedDatabasePassword(resolved.dataDirectory(), random);
        Path directory = local.dataDirectory().toAbsolutePath().normalize();
        Optional<Integer> running = runningPort(directory);
        if (running.isPresent()) {
            return new CommandDatabase(resolved, Database.open(new DatabaseSettings(
                    "jdbc:postgresql://localhost:" + running.get() + "/" + EmbeddedDatabase.DATABASE_NAME,
                    Optional.of("postgres"), Optional.of(password.value()), POOL_SIZE, CONNECTION_TIMEOUT)),
                    Optional.empty());
        }
        EmbeddedDatabase started = EmbeddedDatabase.start(directory, password);
        try {
            return new CommandDatabase(resolved, Database.open(started.settings(POOL_SIZE)), Optional.of(started));
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
    }

    /** The port of the cluster a running sandbox server owns, from the file the cluster keeps it in. */
    private static Optional<Integer> runningPort(Path directory) {
        Path pid = directory.resolve("postmaster.pid");
        Path port = directory.resolveSibling(directory.getFileName() + ".port");
        if (!Files.exists(pid) || !Files.exists(port)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Integer.parseInt(Files.readString(port, StandardCharsets.US_ASCII).strip()));
        } catch (IOException | NumberFormatException e) {
            throw new SwitchboardException("the embedded PostgreSQL in " + directory + " seems to be running, but "
                    + port + " does not say on which port: stop the server and try again", null);
        }
    }

    /** The configuration with the sandbox's generated secrets filled in. */
    Configuration configuration() {
        return configuration;
    }

    Database database() {
        return database;
    }

    @Override
    public void close() {
        try {
            database.close();
        } finally {
            embedded.ifPresent(EmbeddedDatabase::close);
        }
    }
}
