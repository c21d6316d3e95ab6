package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.core.apps.App;
import dev.switchboard.core.testing.MutableClock;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotation with {@code grace_seconds} against two real instances on one PostgreSQL, both reading the time from one
 * movable clock (as two hosts with synchronised clocks): both keys work until the grace ends, then only the new one,
 * on either instance; a revocation ends both at once.
 */
class ApiKeyGraceAcrossInstancesTest {
    private static final Duration CONTRACT_BOUND = Duration.ofSeconds(5);
    private static final MutableClock CLOCK = MutableClock.at(Instant.now());

    @TempDir
    static Path dataA;
    @TempDir
    static Path dataB;

    private static TestDatabase testDatabase;
    private static ApiTestServer instanceA;
    private static ApiTestServer instanceB;
    private static Database seed;
    private static JdbiAppStore apps;

    @BeforeAll
    static void start() {
        testDatabase = TestDatabase.create();
        instanceA = ApiTestServer.start(testDatabase, dataA, CLOCK);
        instanceB = ApiTestServer.start(testDatabase, dataB, CLOCK);
        seed = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 2));
        apps = JdbiAppStore.create(seed, CLOCK);
    }

    @AfterAll
    static void stop() {
        instanceA.close();
        instanceB.close();
        seed.close();
        testDatabase.close();
    }

    @Test
    void rotateWithGraceThenBothKeysWorkOnBothInstancesUntilTheGraceEndsThenOnlyTheNewOne() throws Exception {
        App app = apps.create("grace across instances");
        String oldKey = instanceA.issueKey(app.id());
        assertThat(instanceB.api("/api/calls", oldKey).status()).isEqualTo(200);
        long revalidationsBefore = instanceB.switchboard().appAuthenticator().stats().revalidations();

        ApiTestServer.Answer rotated = rotate(app, "{\"grace_seconds\": 5}");
        assertThat(rotated.status()).isEqualTo(200);
        String newKey = rotated.json().get("api_key").asText();
        Instant end = Instant.parse(rotated.json().get("previous_key_expires_at").asText());
        assertThat(end).isEqualTo(CLOCK.instant().plusSeconds(5).truncatedTo(ChronoUnit.MICROS));
        assertThat(fieldNames(rotated.json())).containsExactly("api_key", "key_hint", "warning",
                "previous_key_expires_at");

        for (ApiTestServer instance : List.of(instanceA, instanceB)) {
            assertThat(instance.api("/api/calls", oldKey).status()).isEqualTo(200);
            assertThat(instance.api("/api/calls", newKey).status()).isEqualTo(200);
        }
        // B had the old key cached before the rotation: it re-reads the row once the access generation moves
        Await.atMost(CONTRACT_BOUND).pollingEvery(Duration.ofMillis(100)).until(() ->
                instanceB.api("/api/calls", oldKey).status() == 200
                        && instanceB.switchboard().appAuthenticator().stats().revalidations() > revalidationsBefore);

        JsonNode status = instanceA.internal("GET", "/internal/apps/" + app.id() + "/api-key/status", null).json();
        assertThat(status.get("key_hint").asText()).isEqualTo(rotated.json().get("key_hint").asText());
        assertThat(status.get("previous_key_hint").asText()).isEqualTo(oldKey.substring(0, 8) + "..."
                + oldKey.substring(oldKey.length() - 4));
        assertThat(Instant.parse(status.get("previous_key_expires_at").asText())).isEqualTo(end);
        JsonNode rotation = instanceA.internal("GET", "/internal/apps/" + app.id() + "/api-key/audit", null)
                .json().get("entries").get(1);
        assertThat(rotation.get("action").asText()).isEqualTo("rotated");
        assertThat(rotation.get("old_hint").asText()).isEqualTo(status.get("previous_key_hint").asText());
        assertThat(rotation.get("new_hint").asText()).isEqualTo(status.get("key_hint").asText());
        assertThat(Instant.parse(rotation.get("previous_key_expires_at").asText())).isEqualTo(end);

        CLOCK.advance(Duration.ofSeconds(5));

        for (ApiTestServer instance : List.of(instanceA, instanceB)) {
            assertThat(instance.api("/api/calls", oldKey).status()).isEqualTo(401);
            assertThat(instance.api("/api/calls", newKey).status()).isEqualTo(200);
        }
        JsonNode after = instanceB.internal("GET", "/internal/apps/" + app.id() + "/api-key/status", null).json();
        assertThat(fieldNames(after)).containsExactly("app_id", "has_key", "status", "key_hint", "created_at",
                "revoked_at");
    }

    @Test
    void revokeDuringTheGraceThenBothKeysAreRefusedOnBothInstances() throws Exception {
        App app = apps.create("revoked in grace");
        String oldKey = instanceA.issueKey(app.id());
        String newKey = rotate(app, "{\"grace_seconds\": 600}").json().get("api_key").asText();
        for (ApiTestServer instance : List.of(instanceA, instanceB)) {
            assertThat(instance.api("/api/calls", oldKey).status()).isEqualTo(200);
            assertThat(instance.api("/api/calls", newKey).status()).isEqualTo(200);
        }

        assertThat(instanceA.internal("POST", "/internal/apps/" + app.id() + "/api-key/revoke", null).status())
                .isEqualTo(200);

        assertThat(instanceA.api("/api/calls", oldKey).status()).isEqualTo(401);
        assertThat(instanceA.api("/api/calls", newKey).status()).isEqualTo(401);
        for (String key : List.of(oldKey, newKey)) {
            Await.atMost(CONTRACT_BOUND).pollingEvery(Duration.ofMillis(100))
                    .until(() -> instanceB.api("/api/calls", key).status() == 401);
        }
        JsonNode status = instanceA.internal("GET", "/internal/apps/" + app.id() + "/api-key/status", null).json();
        assertThat(status.get("status").asText()).isEqualTo("revoked");
        assertThat(status.has("previous_key_hint")).isFalse();
    }

    @Test
    void rotateWithAnInvalidGraceThenBadRequestAndNothingChanged() {
        App app = apps.create("invalid grace");
        String key = instanceA.issueKey(app.id());
        JsonNode statusBefore = instanceA.internal("GET", "/internal/apps/" + app.id() + "/api-key/status", null)
                .json();

        for (String body : List.of("{\"grace_seconds\": -1}", "{\"grace_seconds\": 604801}",
                "{\"grace_seconds\": \"10\"}", "{\"grace_seconds\": 1.5}", "{\"grace_seconds\": null}",
                "{\"grace_seconds\": 99999999999999999999}")) {
            ApiTestServer.Answer answer = rotate(app, body);
            assertThat(answer.status()).as(body).isEqualTo(400);
            assertThat(answer.json().get("error").asText()).as(body).isEqualTo("invalid_grace_seconds");
            assertThat(answer.json().get("message").asText()).as(body).isNotBlank();
        }

        assertThat(instanceA.internal("GET", "/internal/apps/" + app.id() + "/api-key/status", null).json())
                .isEqualTo(statusBefore);
        assertThat(instanceA.internal("GET", "/internal/apps/" + app.id() + "/api-key/audit", null)
                .json().get("entries")).hasSize(1);
        assertThat(instanceA.api("/api/calls", key).status()).isEqualTo(200);
    }

    @Test
    void rotateWithoutBodyOrWithEmptyObjectOrZeroGraceThenTheOldKeyStopsAtOnceAsBefore() {
        App app = apps.create("no grace");
        String key = instanceA.issueKey(app.id());

        for (String body : new String[] {null, "{}", "{\"grace_seconds\": 0}"}) {
            ApiTestServer.Answer answer = rotate(app, body);
            assertThat(answer.status()).isEqualTo(200);
            assertThat(fieldNames(answer.json())).containsExactly("api_key", "key_hint", "warning");
            assertThat(instanceA.api("/api/calls", key).status()).isEqualTo(401);
            key = answer.json().get("api_key").asText();
            assertThat(instanceA.api("/api/calls", key).status()).isEqualTo(200);
        }
        JsonNode entries = instanceA.internal("GET", "/internal/apps/" + app.id() + "/api-key/audit", null)
                .json().get("entries");
        assertThat(entries).hasSize(4);
        entries.forEach(entry -> assertThat(entry.has("previous_key_expires_at")).isFalse());
    }

    private static ApiTestServer.Answer rotate(App app, String body) {
        return instanceA.internal("POST", "/internal/apps/" + app.id() + "/api-key", body);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
