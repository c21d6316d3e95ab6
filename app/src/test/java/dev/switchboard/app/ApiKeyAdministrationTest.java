package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apps.App;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiApiKeyStore;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.JdbiAuditLog;
import dev.switchboard.testkit.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyAdministrationTest {
    private static final String KEY_PATTERN = "raw_[0-9a-f]{64}";
    private static final String HINT_PATTERN = "raw_[0-9a-f]{4}\\.\\.\\.[0-9a-f]{4}";

    @TempDir
    static Path data;

    private static TestDatabase testDatabase;
    private static ApiTestServer server;
    private static Database seed;
    private static JdbiAppStore apps;
    private static JdbiApiKeyStore keys;

    @BeforeAll
    static void start() {
        testDatabase = TestDatabase.create();
        server = ApiTestServer.start(testDatabase, data);
        seed = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 2));
        apps = JdbiAppStore.create(seed, Clock.systemUTC());
        keys = JdbiApiKeyStore.create(seed);
    }

    @AfterAll
    static void stop() {
        server.close();
        seed.close();
        testDatabase.close();
    }

    @Test
    void createWhenAppHasNoKeyThenKeyShownOnceWithHintAndWarningAndItWorks() {
        App app = apps.create("first key");

        ApiTestServer.Answer created = server.internal("POST", "/internal/apps/" + app.id() + "/api-key", null);

        assertThat(created.status()).isEqualTo(200);
        JsonNode body = created.json();
        assertThat(fieldNames(body)).containsExactly("api_key", "key_hint", "warning");
        String key = body.get("api_key").asText();
        assertThat(key).matches(KEY_PATTERN);
        assertThat(body.get("key_hint").asText()).matches(HINT_PATTERN)
                .isEqualTo(key.substring(0, 8) + "..." + key.substring(64));
        assertThat(body.get("warning").asText()).isEqualTo("Store this immediately - it will never be shown again");
        assertThat(created.header("Cache-Control")).isEqualTo("no-store");
        assertThat(server.api("/api/calls", key).status()).isEqualTo(200);

        JsonNode status = server.internal("GET", "/internal/apps/" + app.id() + "/api-key/status", null).json();
        assertThat(status.get("app_id").asText()).isEqualTo(app.id().toString());
        assertThat(status.get("has_key").asBoolean()).isTrue();
        assertThat(status.get("status").asText()).isEqualTo("active");
        assertThat(status.get("key_hint").asText()).isEqualTo(body.get("key_hint").asText());
        assertThat(Instant.parse(status.get("created_at").asText())).isBeforeOrEqualTo(Instant.now());
        assertThat(status.get("revoked_at").isNull()).isTrue();
    }

    @Test
    void rotateWhenAppHasKeyThenOldKeyRefusedNewKeyWorksAndAuditHasBothHints() {
        App app = apps.create("rotation");
        String first = server.issueKey(app.id());
        assertThat(server.api("/api/calls", first).status()).isEqualTo(200);

        String second = server.issueKey(app.id());

        assertThat(second).isNotEqualTo(first);
        assertThat(server.api("/api/calls", first).status()).isEqualTo(401);
        assertThat(server.get("/api/calls", "Authorization", "Bearer " + first).status()).isEqualTo(401);
        assertThat(server.api("/api/calls", second).status()).isEqualTo(200);
        // the old key left the lookup: a request presenting it finds no candidate to compare with bcrypt
        assertThat(keys.findByLookupPrefix(ApiKeys.lookupPrefixOf(first))).isEmpty();
        assertThat(keys.findByLookupPrefix(ApiKeys.lookupPrefixOf(second))).isPresent();

        JsonNode audit = server.internal("GET", "/internal/apps/" + app.id() + "/api-key/audit", null).json();
        assertThat(audit.get("app_id").asText()).isEqualTo(app.id().toString());
        JsonNode entries = audit.get("entries");
        assertThat(entries).hasSize(2);
        assertThat(fieldNames(entries.get(0))).containsExactly("action", "old_hint", "new_hint", "actor", "at");
        assertThat(entries.get(0).get("action").asText()).isEqualTo("created");
        assertThat(entries.get(0).get("old_hint").isNull()).isTrue();
        assertThat(entries.get(0).get("new_hint").asText()).isEqualTo(hint(first));
        assertThat(entries.get(1).get("action").asText()).isEqualTo("rotated");
        assertThat(entries.get(1).get("old_hint").asText()).isEqualTo(hint(first));
        assertThat(entries.get(1).get("new_hint").asText()).isEqualTo(hint(second));
        assertThat(entries.get(1).get("actor").asText()).isEqualTo("internal_api");
        assertThat(audit.toString()).doesNotContain(first).doesNotContain(second).doesNotContain("$2");

        List<AuditEvent> events = JdbiAuditLog.create(seed).read(app.id(), Instant.EPOCH, Instant.now().plusSeconds(60), 100);
        assertThat(events).extracting(AuditEvent::type)
                .containsExactly(AuditEventType.API_KEY_CREATED, AuditEventType.API_KEY_ROTATED);
        assertThat(events.get(1).details()).containsEntry("old_hint", hint(first)).containsEntry("new_hint", hint(second));
        assertThat(events.toString()).doesNotContain(first).doesNotContain(second);
    }

    @Test
    void revokeWhenKeyActiveThenRefusedStatusRevokedAndSecondRevokeIs404() {
        App app = apps.create("revocation");
        String key = server.issueKey(app.id());
        assertThat(server.api("/api/calls", key).status()).isEqualTo(200);

        ApiTestServer.Answer revoked = server.internal("POST", "/internal/apps/" + app.id() + "/api-key/revoke", null);

        assertThat(revoked.status()).isEqualTo(200);
        assertThat(fieldNames(revoked.json())).containsExactly("message", "app_id", "revoked");
        assertThat(revoked.json().get("app_id").asText()).isEqualTo(app.id().toString());
        assertThat(revoked.json().get("revoked").asBoolean()).isTrue();
        ApiTestServer.Answer refused = server.api("/api/calls", key);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().get("error").asText()).isEqualTo("invalid_api_key");
        // the revoked key left the lookup: a request presenting it finds no candidate to compare with bcrypt
        assertThat(keys.findByLookupPrefix(ApiKeys.lookupPrefixOf(key))).isEmpty();

        JsonNode status = server.internal("GET", "/internal/apps/" + app.id() + "/api-key/status", null).json();
        assertThat(status.get("status").asText()).isEqualTo("revoked");
        assertThat(status.get("has_key").asBoolean()).isFalse();
        assertThat(status.get("key_hint").asText()).isEqualTo(hint(key));
        assertThat(status.get("revoked_at").isNull()).isFalse();

        ApiTestServer.Answer again = server.internal("POST", "/internal/apps/" + app.id() + "/api-key/revoke", null);
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.json().get("error").asText()).isEqualTo("no_active_key");

        JsonNode audit = server.internal("GET", "/internal/apps/" + app.id() + "/api-key/audit", null).json();
        assertThat(audit.get("entries").get(1).get("action").asText()).isEqualTo("revoked");
        assertThat(audit.get("entries").get(1).get("old_hint").asText()).isEqualTo(hint(key));
        assertThat(audit.get("entries").get(1).get("new_hint").isNull()).isTrue();
        List<AuditEvent> events = JdbiAuditLog.create(seed).read(app.id(), Instant.EPOCH, Instant.now().plusSeconds(60), 100);
        assertThat(events).extracting(AuditEvent::type)
                .containsExactly(AuditEventType.API_KEY_CREATED, AuditEventType.API_KEY_REVOKED);

        String fresh = server.issueKey(app.id());
        assertThat(server.api("/api/calls", fresh).status()).isEqualTo(200);
    }

    @Test
    void statusWhenAppNeverHadKeyThenNone() {
        App app = apps.create("no key");

        JsonNode status = server.internal("GET", "/internal/apps/" + app.id() + "/api-key/status", null).json();

        assertThat(fieldNames(status)).containsExactly("app_id", "has_key", "status", "key_hint", "created_at",
                "revoked_at");
        assertThat(status.get("status").asText()).isEqualTo("none");
        assertThat(status.get("has_key").asBoolean()).isFalse();
        assertThat(status.get("key_hint").isNull()).isTrue();
        assertThat(server.internal("GET", "/internal/apps/" + app.id() + "/api-key/audit", null).json()
                .get("entries")).isEmpty();
    }

    @Test
    void everyKeyRouteWhenAppIdIsNotUuidThen400AndWhenUnknownThen404() {
        for (String[] route : List.of(new String[] {"POST", ""}, new String[] {"POST", "/revoke"},
                new String[] {"GET", "/status"}, new String[] {"GET", "/audit"})) {
            ApiTestServer.Answer bad = server.internal(route[0], "/internal/apps/not-a-uuid/api-key" + route[1], null);
            assertThat(bad.status()).as(route[1]).isEqualTo(400);
            assertThat(bad.json().get("error").asText()).isEqualTo("invalid_app_id");
            ApiTestServer.Answer unknown = server.internal(route[0], "/internal/apps/" + UUID.randomUUID()
                    + "/api-key" + route[1], null);
            assertThat(unknown.status()).as(route[1]).isEqualTo(404);
            assertThat(unknown.json().get("error").asText()).isEqualTo("app_not_found");
        }
    }

    @Test
    void keyRoutesWhenInternalSecretMissingThen401AndWhenWrongThen403() {
        App app = apps.create("guarded");
        String path = "/internal/apps/" + app.id() + "/api-key";

        assertThat(server.send("POST", path, null).status()).isEqualTo(401);
        assertThat(server.send("POST", path, null, "Authorization", "Bearer " + "x".repeat(40)).status())
                .isEqualTo(403);
        assertThat(server.send("POST", "/internal/introspect", "{\"token\":\"x\"}", "Content-Type",
                "application/json").status()).isEqualTo(401);
        assertThat(server.internal("GET", path + "/status", null).json().get("status").asText()).isEqualTo("none");
    }

    @Test
    void introspectWhenKeyActiveThenAppAndHintElseInactiveAndTokenNeverEchoed() {
        App app = apps.create("introspection");
        String key = server.issueKey(app.id());

        ApiTestServer.Answer active = server.internal("POST", "/internal/introspect", "{\"token\":\"" + key + "\"}");

        assertThat(active.status()).isEqualTo(200);
        assertThat(fieldNames(active.json())).containsExactly("active", "app_id", "key_hint");
        assertThat(active.json().get("active").asBoolean()).isTrue();
        assertThat(active.json().get("app_id").asText()).isEqualTo(app.id().toString());
        assertThat(active.json().get("key_hint").asText()).isEqualTo(hint(key));
        assertThat(active.raw().body()).doesNotContain(key);

        ApiTestServer.Answer form = server.send("POST", "/internal/introspect", "token=" + key,
                "Authorization", "Bearer " + server.switchboard().configuration().secrets()
                        .requireInternalApiSecret().value(),
                "Content-Type", "application/x-www-form-urlencoded");
        assertThat(form.json().get("active").asBoolean()).isTrue();

        for (String token : List.of("raw_" + "0".repeat(64), "garbage", "")) {
            ApiTestServer.Answer inactive = server.internal("POST", "/internal/introspect",
                    "{\"token\":\"" + token + "\"}");
            assertThat(inactive.status()).isEqualTo(200);
            assertThat(fieldNames(inactive.json())).containsExactly("active");
            assertThat(inactive.json().get("active").asBoolean()).isFalse();
        }

        server.internal("POST", "/internal/apps/" + app.id() + "/api-key/revoke", null);
        ApiTestServer.Answer afterRevoke = server.internal("POST", "/internal/introspect",
                "{\"token\":\"" + key + "\"}");
        assertThat(afterRevoke.json().get("active").asBoolean()).isFalse();
        assertThat(afterRevoke.raw().body()).doesNotContain(key);
    }

    @Test
    void introspectWhenBodyMalformedThen400() {
        for (String body : List.of("{", "[]", "{}", "{\"token\": 5}", "\"raw_\"")) {
            ApiTestServer.Answer answer = server.internal("POST", "/internal/introspect", body);
            assertThat(answer.status()).as(body).isEqualTo(400);
            assertThat(answer.json().get("error").asText()).isIn("invalid_json", "invalid_request");
        }
        ApiTestServer.Answer noType = server.send("POST", "/internal/introspect", "token=x", "Authorization",
                "Bearer " + server.switchboard().configuration().secrets().requireInternalApiSecret().value());
        assertThat(noType.status()).isEqualTo(415);
    }

    private static String hint(String key) {
        return key.substring(0, 8) + "..." + key.substring(key.length() - 4);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        assertThat(names).allMatch(n -> !n.isEmpty());
        return names;
    }
}
