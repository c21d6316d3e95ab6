package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.app.AdminServer.Response;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuditExportRoutesTest {
    private static final Instant T0 = Instant.parse("2025-05-01T08:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static AdminServer server;
    private static UUID app;

    @BeforeAll
    static void start() {
        server = AdminServer.start();
        app = UUID.randomUUID();
        server.audit.record(new AuditEvent(T0, AuditEventType.APP_CREATED, Optional.of(app), "internal_api",
                Optional.of("203.0.113.9"), Map.of("app_name", "Acme, \"CRM\"\nline two")));
        server.audit.record(new AuditEvent(T0.plusSeconds(1), AuditEventType.USER_MAPPING_CHANGED, Optional.of(app),
                "+SUM(A1)", Optional.of("=cmd|' /C calc'!A0"), Map.of("action", "-2+3", "crm_user_id", "@me")));
        server.audit.record(new AuditEvent(T0.plusSeconds(2), AuditEventType.WEBHOOK_CREATED, Optional.of(app),
                "internal_api", Optional.empty(), Map.of()));
        server.audit.record(new AuditEvent(T0.plusSeconds(1), AuditEventType.WEBHOOK_REJECTED, Optional.empty(),
                "dialpad", Optional.empty(), Map.of("reason", "bad_signature")));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void exportWhenJsonThenEventsObjectOldestFirstWithEveryField() {
        Response response = server.get("/internal/audit?app_id=" + app + "&format=json");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/json");
        JsonNode events = response.json().get("events");
        assertThat(events).extracting(e -> e.get("event").asText())
                .containsExactly("app_created", "user_mapping_changed", "webhook_created");
        JsonNode first = events.get(0);
        assertThat(first.get("at").asText()).isEqualTo("2025-05-01T08:00:00Z");
        assertThat(first.get("app_id").asText()).isEqualTo(app.toString());
        assertThat(first.get("actor").asText()).isEqualTo("internal_api");
        assertThat(first.get("client_ip").asText()).isEqualTo("203.0.113.9");
        assertThat(first.get("details").get("app_name").asText()).isEqualTo("Acme, \"CRM\"\nline two");
        assertThat(events.get(2).get("client_ip").isNull()).isTrue();
        assertThat(server.get("/internal/audit?app_id=" + app).json().get("events")).hasSize(3);
    }

    @Test
    void exportWhenNdjsonThenOneObjectPerLine() throws Exception {
        Response response = server.get("/internal/audit?app_id=" + app + "&format=ndjson");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/x-ndjson");
        String[] lines = response.body().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(JSON.readTree(lines[1]).get("details").get("crm_user_id").asText()).isEqualTo("@me");
        assertThat(response.body()).endsWith("\n");
    }

    @Test
    void exportWhenCsvThenHeaderQuotedFieldsAndFormulasNeutralised() {
        Response response = server.get("/internal/audit?app_id=" + app + "&format=csv");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("text/csv");
        assertThat(response.body()).isEqualTo("at,event,app_id,actor,client_ip,details\r\n"
                + "2025-05-01T08:00:00Z,app_created," + app + ",internal_api,203.0.113.9,"
                + "\"{\"\"app_name\"\":\"\"Acme, \\\"\"CRM\\\"\"\\nline two\"\"}\"\r\n"
                + "2025-05-01T08:00:01Z,user_mapping_changed," + app + ",'+SUM(A1),'=cmd|' /C calc'!A0,"
                + "\"{\"\"action\"\":\"\"-2+3\"\",\"\"crm_user_id\"\":\"\"@me\"\"}\"\r\n"
                + "2025-05-01T08:00:02Z,webhook_created," + app + ",internal_api,,\r\n");
    }

    @Test
    void exportWhenNoAppAndATimeRangeThenEveryAppInTheHalfOpenRange() {
        Response response = server.get("/internal/audit?since=2025-05-01T08:00:01Z&until=2025-05-01T10:00:02%2B02:00");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("events")).extracting(e -> e.get("event").asText())
                .containsExactly("user_mapping_changed", "webhook_rejected");
    }

    @Test
    void exportWhenMoreEventsThanOnePageThenEveryOneOnceInOrder() {
        UUID busy = UUID.randomUUID();
        Instant at = T0.plusSeconds(3600);
        for (int i = 0; i < 1_203; i++) {
            // three events per instant, so pages end in the middle of an instant
            server.audit.record(AuditEvent.of(at.plusMillis(i / 3), AuditEventType.OAUTH_REFRESHED, busy, "system",
                    Map.of("n", Integer.toString(i))));
        }

        Response response = server.get("/internal/audit?app_id=" + busy + "&format=ndjson");

        List<String> numbers = response.body().lines().map(line -> {
            try {
                return JSON.readTree(line).get("details").get("n").asText();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
        assertThat(numbers).hasSize(1_203);
        for (int i = 0; i < numbers.size(); i++) {
            assertThat(numbers.get(i)).isEqualTo(Integer.toString(i));
        }
    }

    @Test
    void exportWhenTheAppIdIsNeitherAnAppNorInTheLogThen404() {
        Response unknown = server.get("/internal/audit?app_id=" + UUID.randomUUID());

        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error()).isEqualTo("app_not_found");
    }

    @Test
    void exportWhenFilterIsBadThen400() {
        assertThat(server.get("/internal/audit?app_id=nope").error()).isEqualTo("invalid_app_id");
        assertThat(server.get("/internal/audit?since=yesterday").error()).isEqualTo("invalid_since");
        assertThat(server.get("/internal/audit?until=2025-13-01T00:00:00Z").error()).isEqualTo("invalid_until");
        assertThat(server.get("/internal/audit?until=%2B100000-01-01T00:00:00Z").error()).isEqualTo("invalid_until");
        assertThat(server.get("/internal/audit?since=2025-05-02T00:00:00Z&until=2025-05-01T00:00:00Z").error())
                .isEqualTo("invalid_range");
        Response format = server.get("/internal/audit?format=xml");
        assertThat(format.status()).isEqualTo(400);
        assertThat(format.error()).isEqualTo("invalid_format");
    }
}
