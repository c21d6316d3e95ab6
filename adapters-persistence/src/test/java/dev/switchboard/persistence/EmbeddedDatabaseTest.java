package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.secrets.Secret;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDatabaseTest {
    private static final Secret PASSWORD = new Secret("embedded-password-of-the-test-0123456789");

    @TempDir
    Path temp;

    @Test
    void startWhenStartedAgainOnTheSameDirectoryThenDataAndPortAreKeptAndOnlyLoopbackListensDurably() throws Exception {
        Path directory = temp.resolve("data").resolve("postgres");
        int firstPort;
        try (EmbeddedDatabase embedded = EmbeddedDatabase.start(directory, PASSWORD);
             Database database = Database.open(embedded.settings(2))) {
            firstPort = embedded.port();
            assertThat(database.isReachable()).isTrue();
            try (Connection connection = connect(embedded, PASSWORD.value());
                 Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE kept (value text)");
                statement.execute("INSERT INTO kept VALUES ('still here')");
                try (ResultSet rows = statement.executeQuery("SELECT current_setting('listen_addresses'), "
                        + "current_setting('fsync'), current_setting('synchronous_commit')")) {
                    assertThat(rows.next()).isTrue();
                    assertThat(rows.getString(1)).isEqualTo("localhost");
                    assertThat(rows.getString(2)).isEqualTo("on");
                    assertThat(rows.getString(3)).isEqualTo("on");
                }
            }
        }
        assertThat(Files.exists(directory.resolve("PG_VERSION"))).isTrue();

        try (EmbeddedDatabase embedded = EmbeddedDatabase.start(directory, PASSWORD);
             Database database = Database.open(embedded.settings(2));
             Connection connection = connect(embedded, PASSWORD.value());
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT value FROM kept")) {
            assertThat(database.isReachable()).isTrue();
            assertThat(embedded.port()).isEqualTo(firstPort);
            assertThat(embedded.dataDirectory()).isEqualTo(directory.toAbsolutePath());
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("still here");
        }
    }

    @Test
    void startWhenNewClusterThenEveryConnectionNeedsThePasswordWithScramAndItIsKeptAcrossRestarts() throws Exception {
        Path directory = temp.resolve("new").resolve("postgres");
        try (EmbeddedDatabase embedded = EmbeddedDatabase.start(directory, PASSWORD)) {
            assertPasswordRequired(embedded);
            try (Connection connection = connect(embedded, PASSWORD.value());
                 Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid "
                         + "WHERE rolname = 'postgres'")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getBoolean(1)).isTrue();
            }
        }
        // initdb's password file is gone; the rules are the server's own
        assertThat(directory.resolveSibling("postgres.pwfile")).doesNotExist();
        assertThat(Files.readString(directory.resolve("pg_hba.conf"))).isEqualTo(EmbeddedDatabase.HBA_RULES)
                .doesNotContain("trust");

        try (EmbeddedDatabase restarted = EmbeddedDatabase.start(directory, PASSWORD);
             Database database = Database.open(restarted.settings(2))) {
            assertThat(database.isReachable()).isTrue();
            assertPasswordRequired(restarted);
        }
    }

    @Test
    void startWhenClusterWasCreatedTrustingEveryoneThenMigratedToRequireThePassword() throws Exception {
        Path directory = temp.resolve("old").resolve("postgres");
        // a cluster as earlier versions made it: initdb with trust, no password at all
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(directory)
                .setCleanDataDirectory(false).setRegisterShutdownHook(false)
                .setServerConfig("unix_socket_directories", "").start();
             Connection connection = old.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + EmbeddedDatabase.DATABASE_NAME);
        }
        assertThat(Files.readString(directory.resolve("pg_hba.conf"))).contains("trust");

        try (EmbeddedDatabase migrated = EmbeddedDatabase.start(directory, PASSWORD);
             Database database = Database.open(migrated.settings(2))) {
            assertThat(database.isReachable()).isTrue();
            assertPasswordRequired(migrated);
        }
        assertThat(Files.readString(directory.resolve("pg_hba.conf"))).isEqualTo(EmbeddedDatabase.HBA_RULES);

        try (EmbeddedDatabase restarted = EmbeddedDatabase.start(directory, PASSWORD);
             Database database = Database.open(restarted.settings(2))) {
            assertThat(database.isReachable()).isTrue();
            assertPasswordRequired(restarted);
        }
    }

    /** Without the password and with a wrong one the server refuses; with it, it admits. */
    private static void assertPasswordRequired(EmbeddedDatabase embedded) throws SQLException {
        // the server asks for SCRAM authentication, which the driver cannot give without a password
        assertThatThrownBy(() -> connectWithoutPassword(embedded)).isInstanceOf(SQLException.class)
                .hasMessageContaining("SCRAM")
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08004"));
        assertThatThrownBy(() -> connect(embedded, "not-the-password")).isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
        try (Connection connection = connect(embedded, PASSWORD.value())) {
            assertThat(connection.isValid(5)).isTrue();
        }
    }

    private static Connection connect(EmbeddedDatabase embedded, String password) throws SQLException {
        DatabaseSettings settings = embedded.settings(1);
        return DriverManager.getConnection(settings.jdbcUrl(), settings.user().orElseThrow(), password);
    }

    private static Connection connectWithoutPassword(EmbeddedDatabase embedded) throws SQLException {
        Properties user = new Properties();
        user.setProperty("user", embedded.settings(1).user().orElseThrow());
        return DriverManager.getConnection(embedded.settings(1).jdbcUrl(), user);
    }
}
