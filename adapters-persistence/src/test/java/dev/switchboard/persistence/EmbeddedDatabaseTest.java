package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDatabaseTest {
    @TempDir
    Path temp;

    @Test
    void startWhenStartedAgainOnTheSameDirectoryThenDataAndPortAreKeptAndOnlyLoopbackListensDurably() throws Exception {
        Path directory = temp.resolve("data").resolve("postgres");
        int firstPort;
        try (EmbeddedDatabase embedded = EmbeddedDatabase.start(directory);
             Database database = Database.open(embedded.settings(2))) {
            firstPort = embedded.port();
            assertThat(database.isReachable()).isTrue();
            try (Connection connection = connect(embedded); Statement statement = connection.createStatement()) {
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

        try (EmbeddedDatabase embedded = EmbeddedDatabase.start(directory);
             Database database = Database.open(embedded.settings(2));
             Connection connection = connect(embedded);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT value FROM kept")) {
            assertThat(database.isReachable()).isTrue();
            assertThat(embedded.port()).isEqualTo(firstPort);
            assertThat(embedded.dataDirectory()).isEqualTo(directory.toAbsolutePath());
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("still here");
        }
    }

    private static Connection connect(EmbeddedDatabase embedded) throws Exception {
        DatabaseSettings settings = embedded.settings(1);
        return DriverManager.getConnection(settings.jdbcUrl(), settings.user().orElseThrow(), "");
    }
}
