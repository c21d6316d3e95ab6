package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.apps.App;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.DatabaseConfig;
import dev.switchboard.persistence.JdbiAppStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox's embedded PostgreSQL as commands reach it: started and stopped by the command when no server runs,
 * joined (on the port and with the password kept in the data directory) while a sandbox server owns it.
 */
class CommandDatabaseTest {
    @TempDir
    Path data;

    @Test
    void aCommandStartsTheEmbeddedClusterWhenNoServerRunsAndJoinsTheServersClusterWhenOneDoes() throws Exception {
        Configuration configuration = TestConfigurations.sandbox(data,
                new DatabaseConfig.Embedded(data.resolve("postgres"), 4));
        SecureRandom random = new SecureRandom();
        App before;
        try (CommandDatabase alone = CommandDatabase.open(configuration, random)) {
            before = JdbiAppStore.create(alone.database(), Clock.systemUTC()).create("made with no server");
        }
        // the command stopped the cluster it started, so that the server can own it
        assertThat(data.resolve("postgres").resolve("postmaster.pid")).doesNotExist();

        try (Switchboard server = Switchboard.start(configuration, random)) {
            try (CommandDatabase joined = CommandDatabase.open(configuration, random)) {
                JdbiAppStore apps = JdbiAppStore.create(joined.database(), Clock.systemUTC());
                assertThat(apps.find(before.id())).isPresent();
                apps.create("made while the server runs");
            }
            // closing the command's pool left the server's cluster running
            assertThat(Files.exists(data.resolve("postgres").resolve("postmaster.pid"))).isTrue();
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
        }
    }
}
