package dev.switchboard.http;

import static dev.switchboard.http.OAuthRoutesTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.core.apikey.ApiKeyStatus;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.oauth.DialpadEnvironment;
import dev.switchboard.core.oauth.TokenResponseCheck;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AppRoutesTest {
    private static RoutesFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new RoutesFixture(false, Optional.empty());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void createWhenNameGivenThen201WithTheKeyShownOnceAndAudited() throws Exception {
        HttpResponse<String> response = fixture.postJson("/internal/apps", "{\"name\": \"  Acme CRM \"}");

        assertThat(response.statusCode()).isEqualTo(201);
        JsonNode body = RoutesFixture.json(response);
        assertThat(body.properties()).extracting(java.util.Map.Entry::getKey)
                .containsExactly("app_id", "app_name", "api_key", "created_at", "warning");
        assertThat(body.get("app_name").asText()).isEqualTo("Acme CRM");
        assertThat(body.get("api_key").asText()).matches("raw_[0-9a-f]{64}");
        assertThat(body.get("warning").asText()).isEqualTo("Store this immediately - it will never be shown again");
        assertThat(Instant.parse(body.get("created_at").asText())).isNotNull();
        UUID appId = UUID.fromString(body.get("app_id").asText());
        assertThat(fixture.apiKeys.status(appId).state()).isEqualTo(ApiKeyStatus.State.ACTIVE);
        assertThat(fixture.audit.events()).filteredOn(event -> event.appId().equals(Optional.of(appId)))
                .extracting(AuditEvent::type).contains(AuditEventType.APP_CREATED, AuditEventType.API_KEY_CREATED);
        assertThat(fixture.audit.events().toString()).doesNotContain(body.get("api_key").asText());
    }

    @Test
    void createWhenBodyBadThen4xxWithClearCodes() throws Exception {
        assertProblem(fixture.postJson("/internal/apps", "{\"name\": "), 400, "invalid_json");
        assertProblem(fixture.postJson("/internal/apps", "[1]"), 400, "invalid_json");
        assertProblem(fixture.postJson("/internal/apps", "{}"), 400, "invalid_name");
        assertProblem(fixture.postJson("/internal/apps", "{\"name\": 42}"), 400, "invalid_name");
        assertProblem(fixture.postJson("/internal/apps", "{\"name\": \"   \"}"), 400, "invalid_name");
        assertProblem(fixture.postJson("/internal/apps", "{\"name\": \"" + "x".repeat(201) + "\"}"), 400,
                "invalid_name");
        assertProblem(fixture.send(fixture.internal("/internal/apps").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"x\"}"))), 415, "unsupported_media_type");
        assertProblem(fixture.send(fixture.internal("/internal/apps")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"x\"}"))), 415, "unsupported_media_type");
    }

    @Test
    void createWhenBodyBreaksAJsonLimitThen400InvalidJsonAndNothingCreated() throws Exception {
        int before = fixture.apps.list().size();

        assertProblem(fixture.postJson("/internal/apps", "{\"name\": \"a\", \"name\": \"b\"}"), 400, "invalid_json");
        assertProblem(fixture.postJson("/internal/apps", "{\"name\": \"a\", \"n\": " + "9".repeat(500) + "}"), 400,
                "invalid_json");
        assertProblem(fixture.postJson("/internal/apps", "{\"name\": \"a\", \"x\": " + "[".repeat(100)
                + "]".repeat(100) + "}"), 400, "invalid_json");

        assertThat(fixture.apps.list()).hasSize(before);
    }

    @Test
    void internalRoutesWhenSecretMissingOrWrongThen401Or403() throws Exception {
        assertProblem(fixture.send(fixture.request("/internal/apps")), 401, "missing_authorization");
        assertProblem(fixture.send(fixture.request("/internal/apps").header("Authorization", "Bearer wrong")),
                403, "forbidden");
        assertProblem(fixture.send(fixture.request("/internal/apps/" + UUID.randomUUID() + "/connect-link")
                .POST(HttpRequest.BodyPublishers.noBody())), 401, "missing_authorization");
    }

    @Test
    void showWhenConnectedThenConnectionStateAndNeverAToken() throws Exception {
        UUID appId = createApp("Shown");
        Instant now = Instant.parse("2025-06-01T08:00:00Z");
        fixture.connections.save(Connection.established(appId, "org-7",
                new TokenResponseCheck.Valid("secret-access", "secret-refresh", Duration.ofHours(1)),
                DialpadEnvironment.SANDBOX, now, now.plus(Duration.ofMinutes(48))));

        HttpResponse<String> response = fixture.send(fixture.internal("/internal/apps/" + appId));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = RoutesFixture.json(response);
        assertThat(body.get("app_id").asText()).isEqualTo(appId.toString());
        assertThat(body.get("is_active").asBoolean()).isTrue();
        assertThat(body.get("connected").asBoolean()).isTrue();
        JsonNode connection = body.get("connection");
        assertThat(connection.get("dialpad_org_id").asText()).isEqualTo("org-7");
        assertThat(connection.get("environment").asText()).isEqualTo("sandbox");
        assertThat(connection.get("token_expires_at").asText()).isEqualTo("2025-06-01T09:00:00Z");
        assertThat(connection.get("refresh").get("consecutive_failures").asInt()).isZero();
        assertThat(connection.get("refresh").get("needs_reconnect").asBoolean()).isFalse();
        assertThat(connection.get("refresh").get("last_success_at").isNull()).isTrue();
        assertThat(connection.get("shared_with_app_ids").isArray()).isTrue();
        assertThat(connection.get("shared_with_app_ids")).isEmpty();
        assertThat(response.body()).doesNotContain("secret-access").doesNotContain("secret-refresh");
    }

    @Test
    void showWhenNotConnectedOrUnknownOrBadIdThenAnswersAccordingly() throws Exception {
        UUID appId = createApp("Lonely");
        JsonNode body = RoutesFixture.json(fixture.send(fixture.internal("/internal/apps/" + appId)));
        assertThat(body.get("connected").asBoolean()).isFalse();
        assertThat(body.get("connection").isNull()).isTrue();
        assertProblem(fixture.send(fixture.internal("/internal/apps/" + UUID.randomUUID())), 404, "app_not_found");
        assertProblem(fixture.send(fixture.internal("/internal/apps/12345")), 400, "invalid_app_id");
    }

    @Test
    void listWhenAppsExistThenEachWithItsConnectedFlag() throws Exception {
        UUID appId = createApp("Listed");
        JsonNode apps = RoutesFixture.json(fixture.send(fixture.internal("/internal/apps"))).get("apps");
        JsonNode listed = null;
        for (JsonNode app : apps) {
            if (app.get("app_id").asText().equals(appId.toString())) {
                listed = app;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.get("app_name").asText()).isEqualTo("Listed");
        assertThat(listed.get("is_active").asBoolean()).isTrue();
        assertThat(listed.get("connected").asBoolean()).isFalse();
        assertThat(listed.has("created_at")).isTrue();
    }

    @Test
    void patchWhenFieldsValidThenUpdatesAndAuditsElse400() throws Exception {
        UUID appId = createApp("Before");
        HttpResponse<String> response = patch(appId.toString(), "{\"name\": \"After\", \"is_active\": false}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(RoutesFixture.json(response).get("app_name").asText()).isEqualTo("After");
        assertThat(RoutesFixture.json(response).get("is_active").asBoolean()).isFalse();
        assertThat(fixture.audit.events()).filteredOn(event -> event.appId().equals(Optional.of(appId)))
                .extracting(AuditEvent::type).contains(AuditEventType.APP_UPDATED);

        assertProblem(patch(appId.toString(), "{}"), 400, "empty_update");
        assertProblem(patch(appId.toString(), "{\"other\": 1}"), 400, "empty_update");
        assertProblem(patch(appId.toString(), "{\"is_active\": \"yes\"}"), 400, "invalid_is_active");
        assertProblem(patch(appId.toString(), "{\"name\": null}"), 400, "invalid_name");
        assertProblem(patch(appId.toString(), "nope"), 400, "invalid_json");
        assertProblem(patch(UUID.randomUUID().toString(), "{\"is_active\": true}"), 404, "app_not_found");
        assertProblem(patch("bad", "{\"is_active\": true}"), 400, "invalid_app_id");
    }

    @Test
    void connectLinkWhenAppActiveThen201WithAUrlOnThePublicBase() throws Exception {
        UUID appId = createApp("Linked");
        HttpResponse<String> response = fixture.postJson("/internal/apps/" + appId + "/connect-link", "");

        assertThat(response.statusCode()).isEqualTo(201);
        JsonNode body = RoutesFixture.json(response);
        assertThat(body.get("connect_url").asText()).matches(
                "https://switchboard\\.example/auth/dialpad/connect\\?app_id=" + appId + "&connect_token=[A-Za-z0-9_-]{43}");
        assertThat(Instant.parse(body.get("expires_at").asText()))
                .isEqualTo(fixture.clock.instant().plus(Duration.ofMinutes(15)));
    }

    @Test
    void connectLinkWhenBodyNamesAnOrganisationThenTheLinkIsBoundAndSaysSo() throws Exception {
        UUID appId = createApp("Bound");
        HttpResponse<String> asText = fixture.postJson("/internal/apps/" + appId + "/connect-link",
                "{\"dialpad_org_id\": \"5000000000000001\"}");
        HttpResponse<String> asNumber = fixture.postJson("/internal/apps/" + appId + "/connect-link",
                "{\"dialpad_org_id\": 5000000000000002}");
        HttpResponse<String> unbound = fixture.send(fixture.internal("/internal/apps/" + appId + "/connect-link")
                .POST(HttpRequest.BodyPublishers.noBody()));

        assertThat(asText.statusCode()).isEqualTo(201);
        assertThat(RoutesFixture.json(asText).get("dialpad_org_id").asText()).isEqualTo("5000000000000001");
        assertThat(RoutesFixture.json(asNumber).get("dialpad_org_id").asText()).isEqualTo("5000000000000002");
        assertThat(unbound.statusCode()).isEqualTo(201);
        assertThat(RoutesFixture.json(unbound).has("dialpad_org_id")).isFalse();
        assertThat(fixture.audit.events()).filteredOn(event -> event.type() == AuditEventType.CONNECT_LINK_CREATED
                        && event.appId().equals(Optional.of(appId)))
                .extracting(event -> event.details().get("organisation_id"))
                .containsExactly("5000000000000001", "5000000000000002", null);
    }

    @Test
    void connectLinkWhenTheOrganisationHasAWrongTypeOrSizeThen400AndNoLink() throws Exception {
        UUID appId = createApp("Badly bound");
        String path = "/internal/apps/" + appId + "/connect-link";
        for (String body : List.of("{\"dialpad_org_id\": true}", "{\"dialpad_org_id\": null}",
                "{\"dialpad_org_id\": 1.5}", "{\"dialpad_org_id\": [\"1\"]}", "{\"dialpad_org_id\": {}}",
                "{\"dialpad_org_id\": \"\"}", "{\"dialpad_org_id\": \"" + "9".repeat(201) + "\"}",
                "{\"dialpad_org_id\": 123456789012345678901234567890}",
                "{\"dialpad_org_id\": \"line\\nbreak\"}")) {
            assertProblem(fixture.postJson(path, body), 400, "invalid_dialpad_org_id");
        }
        assertProblem(fixture.postJson(path, "[1]"), 400, "invalid_json");
        assertProblem(fixture.send(fixture.internal(path).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"dialpad_org_id\": \"1\"}"))), 415,
                "unsupported_media_type");
        assertThat(fixture.audit.events()).noneMatch(event -> event.type() == AuditEventType.CONNECT_LINK_CREATED
                && event.appId().equals(Optional.of(appId)));
    }

    @Test
    void connectLinkWhenAppUnknownInactiveOrBadIdThen404Or403Or400() throws Exception {
        assertProblem(fixture.postJson("/internal/apps/" + UUID.randomUUID() + "/connect-link", ""), 404,
                "app_not_found");
        UUID appId = createApp("Inactive");
        patch(appId.toString(), "{\"is_active\": false}");
        assertProblem(fixture.postJson("/internal/apps/" + appId + "/connect-link", ""), 403, "app_inactive");
        assertProblem(fixture.postJson("/internal/apps/x/connect-link", ""), 400, "invalid_app_id");
    }

    private static UUID createApp(String name) throws Exception {
        HttpResponse<String> response = fixture.postJson("/internal/apps", "{\"name\": \"" + name + "\"}");
        assertThat(response.statusCode()).isEqualTo(201);
        return UUID.fromString(RoutesFixture.json(response).get("app_id").asText());
    }

    private static HttpResponse<String> patch(String appId, String json) throws Exception {
        return fixture.send(fixture.internal("/internal/apps/" + appId).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
    }
}
