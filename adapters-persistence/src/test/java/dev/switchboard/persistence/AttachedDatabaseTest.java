package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.switchboard.core.apps.App;
import dev.switchboard.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Switchboard's tables in a schema of their own on a host's data source, beside the host's own migrations. */
class AttachedDatabaseTest {
    private static final int HOST_POOL = 3;
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private TestDatabase testDatabase;
    private HikariDataSource host;

    @BeforeEach
    void startHost() {
        testDatabase = TestDatabase.create();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(testDatabase.jdbcUrl());
        config.setMaximumPoolSize(HOST_POOL);
        config.setPoolName("host");
        host = new HikariDataSource(config);
        // the host's own migrations: Flyway's defaults, db/migration and flyway_schema_history in public
        Flyway.configure().dataSource(host).load().migrate();
    }

    @AfterEach
    void stopHost() {
        host.close();
        testDatabase.close();
    }

    @Test
    void attachWhenTheHostHasItsOwnV1ThenEachKeepsItsTablesAndHistory() throws SQLException {
        try (Database database = Database.attach(host, "switchboard", "switchboard_schema_history")) {
            assertThat(database.isReachable()).isTrue();
        }

        assertThat(tablesIn("public")).containsExactlyInAnyOrder("orders", "flyway_schema_history");
        assertThat(tablesIn("switchboard")).contains("apps", "api_keys", "webhook_events", "bucket",
                "switchboard_schema_history").doesNotContain("orders", "flyway_schema_history");
        assertThat(queryLong("SELECT count(*) FROM public.flyway_schema_history WHERE success")).isEqualTo(1);
        assertThat(queryLong("SELECT count(*) FROM switchboard.switchboard_schema_history WHERE version = '1'"))
                .isEqualTo(1);
    }

    @Test
    void attachWhenCalledAgainThenNothingIsMigratedTwice() throws SQLException {
        Database.attach(host, "switchboard", "switchboard_schema_history").close();
        long applied = queryLong("SELECT count(*) FROM switchboard.switchboard_schema_history");

        Database.attach(host, "switchboard", "switchboard_schema_history").close();

        assertThat(queryLong("SELECT count(*) FROM switchboard.switchboard_schema_history")).isEqualTo(applied);
    }

    @Test
    void storesWhenAttachedThenWriteInTheSchemaAndHandTheHostsConnectionsBackAsTheyWere() throws SQLException {
        String pathBefore = setting("search_path");
        try (Database database = Database.attach(host, "sb_embedded", "sb_history")) {
            App app = JdbiAppStore.create(database, CLOCK).create("Acme CRM");

            assertThat(JdbiAppStore.create(database, CLOCK).find(app.id())).contains(app);
            assertThat(queryLong("SELECT count(*) FROM sb_embedded.apps")).isEqualTo(1);
        }

        // every connection of the host's pool, the ones the store used among them
        List<Connection> all = new ArrayList<>();
        try {
            for (int i = 0; i < HOST_POOL; i++) {
                all.add(host.getConnection());
            }
            for (Connection connection : all) {
                assertThat(setting(connection, "search_path")).isEqualTo(pathBefore);
                assertThat(setting(connection, "plan_cache_mode")).isEqualTo("auto");
            }
        } finally {
            for (Connection connection : all) {
                connection.close();
            }
        }
    }

    @Test
    void storesWhenTheHostsPoolHandsOutConnectionsWithoutAutoCommitThenWritesLastAndSettingsComeBack()
            throws SQLException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(testDatabase.jdbcUrl());
        config.setMaximumPoolSize(2);
        config.setAutoCommit(false);
        try (HikariDataSource manual = new HikariDataSource(config)) {
            String pathBefore = setting("search_path");
            try (Database database = Database.attach(manual, "switchboard", "switchboard_schema_history")) {
                App app = JdbiAppStore.create(database, CLOCK).create("Acme CRM");

                assertThat(JdbiAppStore.create(database, CLOCK).find(app.id())).contains(app);
            }
            assertThat(queryLong("SELECT count(*) FROM switchboard.apps")).isEqualTo(1);
            try (Connection first = manual.getConnection(); Connection second = manual.getConnection()) {
                assertThat(setting(first, "search_path")).isEqualTo(pathBefore);
                assertThat(setting(second, "search_path")).isEqualTo(pathBefore);
                assertThat(first.getAutoCommit()).isFalse();
                assertThat(second.getAutoCommit()).isFalse();
                first.rollback();
                second.rollback();
            }
        }
    }

    @Test
    void pushChannelWhenAttachedThenListensOnAHostConnectionAndReturnsItWithoutListening() throws SQLException {
        try (Database database = Database.attach(host, "switchboard", "switchboard_schema_history");
             PostgresPushChannel push = PostgresPushChannel.start(database, CLOCK)) {
            assertThat(push.listening()).isTrue();
            assertThat(host.getHikariPoolMXBean().getActiveConnections()).isEqualTo(1);
        }

        assertThat(host.getHikariPoolMXBean().getActiveConnections()).isZero();
        List<Connection> all = new ArrayList<>();
        try {
            for (int i = 0; i < HOST_POOL; i++) {
                all.add(host.getConnection());
            }
            for (Connection connection : all) {
                try (Statement statement = connection.createStatement();
                     ResultSet channels = statement.executeQuery("SELECT count(*) FROM pg_listening_channels()")) {
                    channels.next();
                    assertThat(channels.getLong(1)).isZero();
                }
                assertThat(connection.getNetworkTimeout()).isZero();
            }
        } finally {
            for (Connection connection : all) {
                connection.close();
            }
        }
    }

    @Test
    void closeWhenAttachedThenTheHostsDataSourceStaysOpen() throws SQLException {
        Database database = Database.attach(host, "switchboard", "switchboard_schema_history");

        database.close();

        assertThat(host.isClosed()).isFalse();
        assertThat(queryLong("SELECT 1")).isEqualTo(1);
        assertThat(database.poolUse()).isEqualTo(new Database.PoolUse(0, 0, 0, 0));
    }

    @Test
    void attachWhenTheSchemaIsNotAPlainIdentifierThenRefusedBeforeAnyStatement() throws SQLException {
        assertThatThrownBy(() -> Database.attach(host, "x; DROP TABLE orders", "history"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schema");
        assertThatThrownBy(() -> Database.attach(host, "switchboard", "History"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("history table");

        assertThat(tablesIn("public")).contains("orders");
        assertThat(queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'switchboard'")).isZero();
    }

    private List<String> tablesIn(String schema) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection connection = host.getConnection();
             var statement = connection.prepareStatement(
                     "SELECT table_name FROM information_schema.tables WHERE table_schema = ?")) {
            statement.setString(1, schema);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    tables.add(rows.getString(1));
                }
            }
        }
        return tables;
    }

    private long queryLong(String sql) throws SQLException {
        try (Connection connection = host.getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    private String setting(String name) throws SQLException {
        try (Connection connection = host.getConnection()) {
            return setting(connection, name);
        }
    }

    private static String setting(Connection connection, String name) throws SQLException {
        try (var statement = connection.prepareStatement("SELECT current_setting(?)")) {
            statement.setString(1, name);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getString(1);
            }
        }
    }
}
