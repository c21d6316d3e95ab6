package dev.switchboard.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.switchboard.app.EmbeddedSwitchboard;
import dev.switchboard.app.config.SecretSetting;
import dev.switchboard.app.config.Secrets;
import dev.switchboard.core.testing.MutableClock;
import dev.switchboard.testkit.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Base64;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EmbeddedServerExampleTest {
    private static final String INTERNAL_SECRET = "internal-api-secret-0123456789abcdef";
    private static final Secrets SECRETS = new Secrets(SecretSetting.provided(INTERNAL_SECRET),
            SecretSetting.provided("session-secret-0123456789abcdef-0123"),
            SecretSetting.provided(Base64.getEncoder().encodeToString(new byte[32])),
            SecretSetting.provided("webhook-secret-0123456789abcdef-0123"));

    private TestDatabase testDatabase;
    private HikariDataSource hostPool;

    @BeforeEach
    void startHost() {
        testDatabase = TestDatabase.create();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(testDatabase.jdbcUrl());
        config.setMaximumPoolSize(8);
        hostPool = new HikariDataSource(config);
        // the host's own migrations, where Flyway looks by default
        Flyway.configure().dataSource(hostPool).load().migrate();
    }

    @AfterEach
    void stopHost() {
        hostPool.close();
        testDatabase.close();
    }

    @Test
    void startThenTheServerAnswersOnItsPortAndKeepsItsTablesApartFromTheHosts() throws Exception {
        SimpleMeterRegistry hostRegistry = new SimpleMeterRegistry();
        MutableClock clock = MutableClock.at(Instant.parse("2026-03-01T09:00:00Z"));

        try (EmbeddedSwitchboard switchboard = EmbeddedServerExample.start(hostPool, hostRegistry, clock,
                URI.create("http://localhost:8090"), 0, SECRETS)) {
            String base = "http://127.0.0.1:" + switchboard.port().orElseThrow();
            HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(base + "/internal/apps"))
                    .header("Authorization", "Bearer " + INTERNAL_SECRET)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Acme CRM\"}")));
            HttpResponse<String> health = send(HttpRequest.newBuilder(URI.create(base + "/health")));

            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(created.body()).contains("\"created_at\":\"2026-03-01T09:00:00");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(hostRegistry.find("switchboard_push_sockets_open").gauge()).isNotNull();
        }
        assertThat(queryLong("SELECT count(*) FROM switchboard.apps")).isEqualTo(1);
        assertThat(queryLong("SELECT count(*) FROM public.flyway_schema_history")).isEqualTo(1);
        assertThat(queryLong("SELECT count(*) FROM public.orders")).isZero();
        assertThat(hostPool.isClosed()).isFalse();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private long queryLong(String sql) throws SQLException {
        try (Connection connection = hostPool.getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }
}
