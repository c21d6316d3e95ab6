package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.app.AdminServer.Response;
import dev.switchboard.core.apps.App;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UserMappingAndVoicemailRoutesTest {
    private static AdminServer server;

    @BeforeAll
    static void start() {
        server = AdminServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String users(App app) {
        return "/internal/apps/" + app.id() + "/users";
    }

    @Test
    void mapWhenNewThen201AndWhenRemappedOrUnchangedThen200WithTheSameMapping() {
        App app = server.newApp();

        Response created = server.post(users(app) + "/map", "{\"dialpad_user_id\": \"dp-1\", \"crm_user_id\": \"crm-1\"}");
        Response remapped = server.post(users(app) + "/map", "{\"dialpad_user_id\": \"dp-1\", \"crm_user_id\": \"crm-2\"}");
        Response unchanged = server.post(users(app) + "/map", "{\"dialpad_user_id\": \" dp-1 \", \"crm_user_id\": \"crm-2\"}");

        assertThat(created.status()).isEqualTo(201);
        JsonNode mapping = created.json();
        assertThat(mapping.get("mapping_id").asText()).isNotBlank();
        assertThat(mapping.get("app_id").asText()).isEqualTo(app.id().toString());
        assertThat(mapping.get("dialpad_user_id").asText()).isEqualTo("dp-1");
        assertThat(mapping.get("crm_user_id").asText()).isEqualTo("crm-1");
        assertThat(mapping.get("created_at").asText()).isNotBlank();
        assertThat(mapping.get("outcome").asText()).isEqualTo("created");
        assertThat(remapped.status()).isEqualTo(200);
        assertThat(remapped.json().get("outcome").asText()).isEqualTo("remapped");
        assertThat(remapped.json().get("previous_crm_user_id").asText()).isEqualTo("crm-1");
        assertThat(remapped.json().get("mapping_id")).isEqualTo(mapping.get("mapping_id"));
        assertThat(unchanged.status()).isEqualTo(200);
        assertThat(unchanged.json().get("outcome").asText()).isEqualTo("unchanged");
        List<AuditEvent> audited = server.audit.read(app.id(), Instant.EPOCH, Instant.now().plusSeconds(60), 100);
        assertThat(audited).extracting(AuditEvent::type)
                .containsExactly(AuditEventType.USER_MAPPING_CHANGED, AuditEventType.USER_MAPPING_CHANGED);
        assertThat(audited).extracting(e -> e.details().get("action")).containsExactly("created", "remapped");
    }

    @Test
    void mapWhenIdsAreNumbersThenKeptAsText() {
        App app = server.newApp();

        Response created = server.post(users(app) + "/map", "{\"dialpad_user_id\": 5023, \"crm_user_id\": 17}");

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("dialpad_user_id").asText()).isEqualTo("5023");
    }

    @Test
    void mapWhenInputIsBadThen400AndNothingStored() {
        App app = server.newApp();
        String tooLong = "x".repeat(256);

        assertThat(server.post(users(app) + "/map", "{\"crm_user_id\": \"c\"}").error())
                .isEqualTo("invalid_dialpad_user_id");
        assertThat(server.post(users(app) + "/map", "{\"dialpad_user_id\": \"  \", \"crm_user_id\": \"c\"}").error())
                .isEqualTo("invalid_dialpad_user_id");
        assertThat(server.post(users(app) + "/map",
                "{\"dialpad_user_id\": \"" + tooLong + "\", \"crm_user_id\": \"c\"}").error())
                .isEqualTo("invalid_dialpad_user_id");
        assertThat(server.post(users(app) + "/map", "{\"dialpad_user_id\": \"d\", \"crm_user_id\": true}").error())
                .isEqualTo("invalid_crm_user_id");
        assertThat(server.post(users(app) + "/map", "{\"dialpad_user_id\": [\"d\"], \"crm_user_id\": \"c\"}").error())
                .isEqualTo("invalid_dialpad_user_id");
        assertThat(server.post(users(app) + "/map", "{\"dialpad_user_id\": 1.5, \"crm_user_id\": \"c\"}").error())
                .isEqualTo("invalid_dialpad_user_id");
        Response malformed = server.post(users(app) + "/map", "{\"dialpad_user_id\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.error()).isEqualTo("invalid_json");
        assertThat(server.post(users(app) + "/map", "[]").error()).isEqualTo("invalid_json");
        assertThat(server.post("/internal/apps/not-a-uuid/users/map", "{}").status()).isEqualTo(400);
        assertThat(server.get(users(app) + "/mappings").json().get("mappings")).isEmpty();
    }

    @Test
    void routesWhenAppIsUnknownThen404() {
        String unknown = "/internal/apps/" + UUID.randomUUID() + "/users";

        Response map = server.post(unknown + "/map", "{\"dialpad_user_id\": \"d\", \"crm_user_id\": \"c\"}");

        assertThat(map.status()).isEqualTo(404);
        assertThat(map.error()).isEqualTo("app_not_found");
        assertThat(server.get(unknown + "/mappings").status()).isEqualTo(404);
        assertThat(server.post(unknown + "/batch-map", "{\"mappings\": []}").status()).isEqualTo(404);
        assertThat(server.delete(unknown + "/mappings/dialpad/d").status()).isEqualTo(404);
    }

    @Test
    void routesWhenBearerIsMissingOrWrongThen401Or403() {
        App app = server.newApp();

        assertThat(server.send("GET", users(app) + "/mappings", null, null).status()).isEqualTo(401);
        assertThat(server.send("GET", users(app) + "/mappings", null, "wrong-secret").status()).isEqualTo(403);
        assertThat(server.send("GET", "/internal/audit", null, null).status()).isEqualTo(401);
        assertThat(server.send("GET", "/internal/webhooks/" + UUID.randomUUID(), null, "wrong").status())
                .isEqualTo(403);
    }

    @Test
    void batchMapWhenAllValidThenAppliedInOrderWithCounts() {
        App app = server.newApp();
        server.post(users(app) + "/map", "{\"dialpad_user_id\": \"dp-a\", \"crm_user_id\": \"old\"}");

        Response batch = server.post(users(app) + "/batch-map", "{\"mappings\": ["
                + "{\"dialpad_user_id\": \"dp-a\", \"crm_user_id\": \"crm-a\"},"
                + "{\"dialpad_user_id\": \"dp-b\", \"crm_user_id\": \"crm-b\"},"
                + "{\"dialpad_user_id\": \"dp-b\", \"crm_user_id\": \"crm-b\"}]}");

        assertThat(batch.status()).isEqualTo(200);
        assertThat(batch.json().get("mappings")).extracting(node -> node.get("outcome").asText())
                .containsExactly("remapped", "created", "unchanged");
        assertThat(batch.json().get("created").asInt()).isEqualTo(1);
        assertThat(batch.json().get("remapped").asInt()).isEqualTo(1);
        assertThat(batch.json().get("unchanged").asInt()).isEqualTo(1);
        assertThat(server.get(users(app) + "/mappings").json().get("mappings"))
                .extracting(node -> node.get("crm_user_id").asText()).containsExactly("crm-a", "crm-b");
    }

    @Test
    void batchMapWhenOneEntryIsInvalidThen400NamingItsIndexAndNothingStored() {
        App app = server.newApp();

        Response batch = server.post(users(app) + "/batch-map", "{\"mappings\": ["
                + "{\"dialpad_user_id\": \"dp-1\", \"crm_user_id\": \"crm-1\"},"
                + "{\"dialpad_user_id\": \"dp-2\", \"crm_user_id\": \"crm-2\"},"
                + "{\"dialpad_user_id\": \"dp-3\", \"crm_user_id\": {}}]}");

        assertThat(batch.status()).isEqualTo(400);
        assertThat(batch.error()).isEqualTo("invalid_mapping");
        assertThat(batch.json().get("message").asText()).startsWith("mappings[2]: crm_user_id");
        assertThat(server.get(users(app) + "/mappings").json().get("mappings")).isEmpty();
        assertThat(server.post(users(app) + "/batch-map", "{\"mappings\": [1]}").json().get("message").asText())
                .startsWith("mappings[0]");
        assertThat(server.post(users(app) + "/batch-map", "{\"mappings\": []}").error()).isEqualTo("invalid_mappings");
        assertThat(server.post(users(app) + "/batch-map", "{\"mappings\": {}}").error()).isEqualTo("invalid_mappings");
        assertThat(server.post(users(app) + "/batch-map", "{}").error()).isEqualTo("invalid_mappings");
    }

    @Test
    void batchMapWhenOneDialpadUserGoesToTwoCrmUsersThen409AndNothingStored() {
        App app = server.newApp();

        Response batch = server.post(users(app) + "/batch-map", "{\"mappings\": ["
                + "{\"dialpad_user_id\": \"dp-1\", \"crm_user_id\": \"crm-1\"},"
                + "{\"dialpad_user_id\": \"dp-2\", \"crm_user_id\": \"crm-2\"},"
                + "{\"dialpad_user_id\": \"dp-1\", \"crm_user_id\": \"crm-3\"}]}");

        assertThat(batch.status()).isEqualTo(409);
        assertThat(batch.error()).isEqualTo("conflicting_mappings");
        assertThat(batch.json().get("message").asText()).startsWith("mappings[2]");
        assertThat(server.get(users(app) + "/mappings").json().get("mappings")).isEmpty();
    }

    @Test
    void lookupsAndDeletesWhenMappedThenFoundAndRemovedElse404() {
        App app = server.newApp();
        App other = server.newApp();
        String id = server.post(users(app) + "/map", "{\"dialpad_user_id\": \"dp-1\", \"crm_user_id\": \"crm-x\"}")
                .json().get("mapping_id").asText();
        server.post(users(app) + "/map", "{\"dialpad_user_id\": \"dp-2\", \"crm_user_id\": \"crm-x\"}");

        assertThat(server.get(users(app) + "/mappings/dialpad/dp-1").json().get("mapping_id").asText()).isEqualTo(id);
        assertThat(server.get(users(app) + "/mappings/crm/crm-x").json().get("mappings")).hasSize(2);
        assertThat(server.get(users(app) + "/mappings/dialpad/nobody").error()).isEqualTo("mapping_not_found");
        assertThat(server.get(users(app) + "/mappings/crm/nobody").status()).isEqualTo(404);
        assertThat(server.get(users(other) + "/mappings/dialpad/dp-1").status()).isEqualTo(404);
        assertThat(server.delete(users(other) + "/mappings/" + id).status()).isEqualTo(404);
        assertThat(server.delete(users(app) + "/mappings/not-a-uuid").error()).isEqualTo("invalid_mapping_id");

        Response deleted = server.delete(users(app) + "/mappings/" + id);
        Response deletedByDialpad = server.delete(users(app) + "/mappings/dialpad/dp-2");

        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("deleted").asBoolean()).isTrue();
        assertThat(deletedByDialpad.status()).isEqualTo(200);
        assertThat(server.delete(users(app) + "/mappings/" + id).status()).isEqualTo(404);
        assertThat(server.delete(users(app) + "/mappings/dialpad/dp-2").status()).isEqualTo(404);
        assertThat(server.get(users(app) + "/mappings").json().get("mappings")).isEmpty();
        assertThat(server.audit.read(app.id(), Instant.EPOCH, Instant.now().plusSeconds(60), 100))
                .filteredOn(e -> "deleted".equals(e.details().get("action"))).hasSize(2);
    }

    @Test
    void voicemailsWhenListedThenNewestFirstPaginatedAndOnlyThisApp() throws SQLException {
        App app = server.newApp();
        App other = server.newApp();
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(seedVoicemail(app, Instant.parse("2025-03-01T10:00:00Z").plusSeconds(i)));
        }
        seedVoicemail(other, Instant.parse("2025-03-01T10:00:00Z"));
        String base = "/internal/apps/" + app.id() + "/voicemails";

        Response first = server.get(base + "?limit=2");
        Response second = server.get(base + "?limit=2&offset=2");

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().get("success").asBoolean()).isTrue();
        assertThat(first.json().get("data")).extracting(node -> node.get("id").asText())
                .containsExactly(ids.get(2).toString(), ids.get(1).toString());
        JsonNode pagination = first.json().get("pagination");
        assertThat(pagination.get("limit").asInt()).isEqualTo(2);
        assertThat(pagination.get("offset").asInt()).isEqualTo(0);
        assertThat(pagination.get("total").asInt()).isEqualTo(3);
        assertThat(pagination.get("has_more").asBoolean()).isTrue();
        assertThat(second.json().get("data")).extracting(node -> node.get("id").asText())
                .containsExactly(ids.get(0).toString());
        assertThat(second.json().get("pagination").get("has_more").asBoolean()).isFalse();
        JsonNode voicemail = second.json().get("data").get(0);
        assertThat(voicemail.get("from_number").asText()).isEqualTo("+15550100");
        assertThat(voicemail.get("transcription").asText()).isEqualTo("call me back");
        assertThat(voicemail.get("duration_ms").asLong()).isEqualTo(12_000);
        assertThat(server.get(base + "?limit=0").error()).isEqualTo("invalid_limit");
        assertThat(server.get(base + "?limit=101").error()).isEqualTo("invalid_limit");
        assertThat(server.get(base + "?limit=abc").error()).isEqualTo("invalid_limit");
        assertThat(server.get(base + "?offset=-1").error()).isEqualTo("invalid_offset");
        assertThat(server.get("/internal/apps/" + UUID.randomUUID() + "/voicemails").status()).isEqualTo(404);
    }

    @Test
    void voicemailWhenReadOrDeletedThenFoundOnlyInItsAppAndGoneAfterwards() throws SQLException {
        App app = server.newApp();
        App other = server.newApp();
        UUID id = seedVoicemail(app, Instant.parse("2025-03-02T10:00:00Z"));
        String path = "/internal/apps/" + app.id() + "/voicemails/" + id;

        Response read = server.get(path);

        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("data").get("id").asText()).isEqualTo(id.toString());
        assertThat(read.json().get("data").get("app_id").asText()).isEqualTo(app.id().toString());
        assertThat(server.get("/internal/apps/" + other.id() + "/voicemails/" + id).error())
                .isEqualTo("voicemail_not_found");
        assertThat(server.delete("/internal/apps/" + other.id() + "/voicemails/" + id).status()).isEqualTo(404);
        assertThat(server.get("/internal/apps/" + app.id() + "/voicemails/123").error())
                .isEqualTo("invalid_voicemail_id");

        Response deleted = server.delete(path);

        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("deleted").asBoolean()).isTrue();
        assertThat(server.get(path).status()).isEqualTo(404);
        assertThat(server.delete(path).status()).isEqualTo(404);
    }

    private static UUID seedVoicemail(App app, Instant createdAt) throws SQLException {
        UUID callId = UUID.randomUUID();
        UUID voicemailId = UUID.randomUUID();
        String dialpadCallId = Long.toString(Math.abs(callId.getMostSignificantBits()));
        try (Connection connection = server.testDatabase.connect()) {
            try (PreparedStatement call = connection.prepareStatement(
                    "INSERT INTO calls (id, app_id, dialpad_call_id, status) VALUES (?, ?, ?, 'voicemail')")) {
                call.setObject(1, callId);
                call.setObject(2, app.id());
                call.setString(3, dialpadCallId);
                call.executeUpdate();
            }
            try (PreparedStatement voicemail = connection.prepareStatement("INSERT INTO voicemails (id, app_id, "
                    + "call_id, dialpad_call_id, from_number, recording_url, transcription, duration_ms, created_at) "
                    + "VALUES (?, ?, ?, ?, '+15550100', 'https://dialpad.example/vm/1', 'call me back', 12000, ?)")) {
                voicemail.setObject(1, voicemailId);
                voicemail.setObject(2, app.id());
                voicemail.setObject(3, callId);
                voicemail.setString(4, dialpadCallId);
                voicemail.setTimestamp(5, Timestamp.from(createdAt));
                voicemail.executeUpdate();
            }
        }
        return voicemailId;
    }
}
