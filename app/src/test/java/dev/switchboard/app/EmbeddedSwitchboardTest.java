package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.switchboard.core.apps.AppAdministration;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.core.testing.MutableClock;
import dev.switchboard.testkit.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole server in a host's JVM: the host's pool, migrations, registry and clock. */
class EmbeddedSwitchboardTest {
    private static final String INTERNAL_SECRET = "internal-api-secret-0123456789abcdef";

    @TempDir
    Path data;

    private TestDatabase testDatabase;
    private HikariDataSource host;
    private SimpleMeterRegistry registry;
    private Configuration configuration;

    @BeforeEach
    void startHost() {
        testDatabase = TestDatabase.create();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(testDatabase.jdbcUrl());
        config.setMaximumPoolSize(8);
        config.setPoolName("host");
        host = new HikariDataSource(config);
        // the host's own migrations: Flyway's defaults, db/migration and flyway_schema_history in public
        Flyway.configure().dataSource(host).load().migrate();
        registry = new SimpleMeterRegistry();
        // the database part is the host's pool; this URL only fills the record
        configuration = TestConfigurations.sandbox(data, TestConfigurations.external(testDatabase.jdbcUrl()),
                TestConfigurations.providedSecrets("webhook-secret-0123456789abcdef"));
    }

    @AfterEach
    void stopHost() {
        host.close();
        testDatabase.close();
    }

    @Test
    void startWithHttpThenTheInternalApiCreatesAnAppInTheSchemaOfItsOwnBesideTheHostsTables() throws Exception {
        try (EmbeddedSwitchboard switchboard = EmbeddedSwitchboard.builder()
                .dataSource(host).meterRegistry(registry).configuration(configuration).start()) {
            int port = switchboard.port().orElseThrow();

            HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/internal/apps"))
                    .header("Authorization", "Bearer " + INTERNAL_SECRET)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Acme CRM\"}")));
            HttpResponse<String> health = send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/health")));

            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(created.body()).contains("\"app_name\":\"Acme CRM\"").contains("\"api_key\":\"raw_");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(registry.find("switchboard_push_sockets_open").gauge()).isNotNull();
        }
        assertThat(queryLong("SELECT count(*) FROM switchboard.apps WHERE name = 'Acme CRM'")).isEqualTo(1);
        assertThat(queryLong("SELECT count(*) FROM switchboard.switchboard_schema_history WHERE success"))
                .isPositive();
        assertThat(queryLong("SELECT count(*) FROM public.flyway_schema_history")).isEqualTo(1);
        assertThat(queryLong("SELECT count(*) FROM information_schema.tables "
                + "WHERE table_schema = 'public' AND table_name = 'apps'")).isZero();
    }

    @Test
    void startWithoutHttpThenNoPortAndTheCoreServicesWorkOnTheHostsPoolAndClock() throws SQLException {
        MutableClock clock = MutableClock.at(Instant.parse("2026-03-01T09:00:00Z"));
        try (EmbeddedSwitchboard switchboard = EmbeddedSwitchboard.builder()
                .dataSource(host).meterRegistry(registry).clock(clock).configuration(configuration)
                .schema("crm_switchboard").historyTable("crm_switchboard_history").http(false).start()) {
            AppAdministration administration = switchboard.administration();

            AppAdministration.Created created = administration.createApp("Acme CRM", "host", Optional.empty());

            assertThat(switchboard.port()).isEmpty();
            assertThat(created.key().plaintext()).startsWith("raw_");
            assertThat(queryLong("SELECT count(*) FROM crm_switchboard.apps")).isEqualTo(1);
            assertThat(queryLong("SELECT count(*) FROM crm_switchboard.audit_log WHERE occurred_at = "
                    + "'2026-03-01T09:00:00Z'")).isEqualTo(2);
        }
        assertThat(host.isClosed()).isFalse();
        assertThat(host.getHikariPoolMXBean().getActiveConnections()).isZero();
        assertThat(registry.find("switchboard_push_sockets_open").meters()).isEmpty();
        assertThat(queryLong("SELECT count(*) FROM crm_switchboard.crm_switchboard_history WHERE success"))
                .isPositive();
    }

    @Test
    void startWhenBuiltFromPartsThenTheSettingsFollowThePublicUrlAndTheDatabaseIsTheHosts() throws SQLException {
        try (EmbeddedSwitchboard switchboard = EmbeddedSwitchboard.builder()
                .dataSource(host).http(false).dataDirectory(data)
                .publicBaseUrl(URI.create("https://crm.example.com/switchboard"))
                .secrets(TestConfigurations.providedSecrets("webhook-secret-0123456789abcdef")).start()) {
            Configuration settings = switchboard.configuration();

            assertThat(settings.dialpad().redirectUri())
                    .isEqualTo(URI.create("https://crm.example.com/switchboard/auth/dialpad/callback"));
            assertThat(settings.dialpad().baseUrl()).isEqualTo(URI.create("https://sandbox.dialpad.com"));
            assertThat(settings.dialpad().client()).isEmpty();
            assertThat(switchboard.administration().createApp("Acme CRM", "host", Optional.empty()).app().name())
                    .isEqualTo("Acme CRM");
        }
        assertThat(queryLong("SELECT count(*) FROM switchboard.apps")).isEqualTo(1);
    }

    @Test
    void startWhenNeitherSecretsNorAConfigurationThenRefusedWithWhatIsMissing() {
        assertThatThrownBy(() -> EmbeddedSwitchboard.builder().dataSource(host)
                .publicBaseUrl(URI.create("https://crm.example.com")).start())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("secrets");
        assertThat(host.getHikariPoolMXBean().getActiveConnections()).isZero();
    }

    @Test
    void closeWhenCalledTwiceThenTheSecondDoesNothingAndTheHostCanStartAnother() {
        EmbeddedSwitchboard first = EmbeddedSwitchboard.builder()
                .dataSource(host).meterRegistry(registry).configuration(configuration).http(false).start();
        first.close();
        first.close();

        try (EmbeddedSwitchboard second = EmbeddedSwitchboard.builder()
                .dataSource(host).meterRegistry(registry).configuration(configuration).http(false).start()) {
            assertThat(second.administration().createApp("Second", "host", Optional.empty()).app().name())
                    .isEqualTo("Second");
            assertThat(registry.find("switchboard_push_sockets_open").gauge()).isNotNull();
        }
        assertThat(host.getHikariPoolMXBean().getActiveConnections()).isZero();
    }

    @Test
    void startWhenNoDataSourceThenRefusedWithWhatIsMissing() {
        assertThatThrownBy(() -> EmbeddedSwitchboard.builder().configuration(configuration).start())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("dataSource");
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private long queryLong(String sql) throws SQLException {
        try (Connection connection = host.getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }
}
