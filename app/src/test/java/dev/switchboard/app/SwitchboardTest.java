package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.StoreUnavailableException;
import dev.switchboard.app.config.DatabaseConfig;
import dev.switchboard.testkit.TestDatabase;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwitchboardTest {
    private static TestDatabase testDatabase;

    @TempDir
    Path data;

    @BeforeAll
    static void createDatabase() {
        testDatabase = TestDatabase.create();
    }

    @AfterAll
    static void dropDatabase() {
        testDatabase.close();
    }

    @Test
    void startWhenExternalDatabaseThenMigratesAndAnswersHealthOverHttp() throws Exception {
        DatabaseConfig database = new DatabaseConfig.External(testDatabase.jdbcUrl(), Optional.empty(),
                Optional.empty(), 2);

        try (Switchboard switchboard = Switchboard.start(TestConfigurations.sandbox(data, database), new SecureRandom())) {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + switchboard.port() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(switchboard.port()).isPositive();
            assertThat(switchboard.configuration().secrets().complete()).isTrue();
            assertThat(Files.exists(data.resolve(SandboxSecrets.FILE_NAME))).isTrue();
        }
        try (Connection connection = testDatabase.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).isPositive();
        }
    }

    @Test
    void startWhenEmbeddedDatabaseThenItRequiresThePasswordFromTheSecretsFileAndARestartReusesIt() throws Exception {
        DatabaseConfig embedded = new DatabaseConfig.Embedded(data.resolve("postgres"), 2);
        String password;
        int port;
        try (Switchboard switchboard = Switchboard.start(TestConfigurations.sandbox(data, embedded),
                new SecureRandom())) {
            assertThat(health(switchboard)).isEqualTo(200);
            password = storedPassword();
            port = Integer.parseInt(Files.readString(data.resolve("postgres.port")).strip());
            String url = "jdbc:postgresql://localhost:" + port + "/switchboard";
            assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", "wrong-password"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
            try (Connection connection = DriverManager.getConnection(url, "postgres", password)) {
                assertThat(connection.isValid(5)).isTrue();
            }
        }

        try (Switchboard restarted = Switchboard.start(TestConfigurations.sandbox(data, embedded),
                new SecureRandom())) {
            assertThat(health(restarted)).isEqualTo(200);
            assertThat(storedPassword()).isEqualTo(password);
        }
    }

    private String storedPassword() throws Exception {
        Properties secrets = new Properties();
        try (var in = Files.newInputStream(data.resolve(SandboxSecrets.FILE_NAME))) {
            secrets.load(in);
        }
        String password = secrets.getProperty(SandboxSecrets.EMBEDDED_DATABASE_PASSWORD);
        assertThat(password).hasSizeGreaterThanOrEqualTo(32);
        return password;
    }

    private static int health(Switchboard switchboard) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + switchboard.port() + "/health")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void startWhenDatabaseIsUnreachableThenStoreUnavailableNamingTheHost() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        DatabaseConfig database = new DatabaseConfig.External("jdbc:postgresql://127.0.0.1:" + closedPort
                + "/nowhere?connectTimeout=1", Optional.of("nobody"), Optional.empty(), 1);

        assertThatThrownBy(() -> Switchboard.start(TestConfigurations.sandbox(data, database), new SecureRandom()))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessage("cannot reach PostgreSQL at 127.0.0.1:" + closedPort + "/nowhere");
    }
}
