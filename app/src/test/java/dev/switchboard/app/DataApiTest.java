package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.core.apps.App;
import dev.switchboard.core.calls.Call;
import dev.switchboard.core.calls.CallEvent;
import dev.switchboard.core.calls.CallStatus;
import dev.switchboard.core.messages.Message;
import dev.switchboard.core.messages.SmsEvent;
import dev.switchboard.http.AppAuthenticator;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.JdbiCallStore;
import dev.switchboard.persistence.JdbiMessageStore;
import dev.switchboard.testkit.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataApiTest {
    @TempDir
    static Path data;

    private static TestDatabase testDatabase;
    private static ApiTestServer server;
    private static Database seed;
    private static App appA;
    private static App appB;
    private static String keyA;
    private static String keyB;
    private static final List<Call> CALLS_A = new ArrayList<>();
    private static Call callB;
    private static final List<Message> MESSAGES_A = new ArrayList<>();
    private static Message messageB;

    @BeforeAll
    static void start() {
        testDatabase = TestDatabase.create();
        server = ApiTestServer.start(testDatabase, data);
        seed = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 2));
        JdbiAppStore apps = JdbiAppStore.create(seed, Clock.systemUTC());
        appA = apps.create("tenant A");
        appB = apps.create("tenant B");
        keyA = server.issueKey(appA.id());
        keyB = server.issueKey(appB.id());

        JdbiCallStore calls = JdbiCallStore.create(seed, Clock.systemUTC());
        CALLS_A.add(call(calls, appA, "1001", "hangup", "inbound", "2024-05-01T10:00:00Z", "u1"));
        CALLS_A.add(call(calls, appA, "1002", "missed", "inbound", "2024-05-02T10:00:00Z", "u2"));
        CALLS_A.add(call(calls, appA, "1003", "ringing", "inbound", "2024-05-03T10:00:00Z", "u1"));
        CALLS_A.add(call(calls, appA, "1004", "connected", "outbound", "2024-05-03T12:00:00Z", "u2"));
        CALLS_A.add(call(calls, appA, "1005", "blocked", "inbound", "2024-05-04T09:00:00Z", "u1"));
        CALLS_A.add(call(calls, appA, "1006", "hangup", "outbound", "2024-05-05T23:59:59Z", "u1"));
        callB = call(calls, appB, "2001", "hangup", "inbound", "2024-05-03T10:00:00Z", "u9");

        JdbiMessageStore messages = JdbiMessageStore.create(seed);
        MESSAGES_A.add(message(messages, appA, "m1", "inbound", "+15550001", "2024-05-01T08:00:00Z", "u1"));
        MESSAGES_A.add(message(messages, appA, "m2", "outbound", "+15550002", "2024-05-02T08:00:00Z", "u2"));
        MESSAGES_A.add(message(messages, appA, "m3", "inbound", "+15550001", "2024-05-03T08:00:00Z", "u1"));
        messageB = message(messages, appB, "m9", "inbound", "+15550009", "2024-05-03T08:00:00Z", "u9");
    }

    @AfterAll
    static void stop() {
        server.close();
        seed.close();
        testDatabase.close();
    }

    private static Call call(JdbiCallStore calls, App app, String id, String state, String direction, String started,
                             String user) {
        long start = Instant.parse(started).toEpochMilli();
        Map<String, Object> payload = new HashMap<>();
        payload.put("call_id", Long.parseLong(id));
        payload.put("state", state);
        payload.put("direction", direction);
        payload.put("external_number", "+1555" + id);
        payload.put("internal_number", "+1666" + id);
        payload.put("target", Map.of("id", user, "type", "user", "name", "Agent " + user));
        payload.put("date_started", start);
        payload.put("event_timestamp", start + 1_000);
        if (state.equals("hangup")) {
            payload.put("date_connected", start + 5_000);
            payload.put("date_ended", start + 65_500);
            payload.put("duration", 60_500);
        }
        CallEvent event = ((CallEvent.Parse.Parsed) CallEvent.parse(payload)).event();
        return calls.apply(app.id(), event).call();
    }

    private static Message message(JdbiMessageStore messages, App app, String id, String direction, String from,
                                   String created, String user) {
        Map<String, Object> payload = Map.of("id", id, "direction", direction, "from_number", from,
                "to_number", List.of("+16660000"), "text", "hello " + id, "target", Map.of("id", user),
                "created_date", Instant.parse(created).toEpochMilli());
        SmsEvent event = ((SmsEvent.Parse.Parsed) SmsEvent.parse(payload)).event();
        return messages.insert(app.id(), event, Instant.now()).message();
    }

    @Test
    void apiWhenKeyMissingOrWrongThen401InBothHeaderForms() {
        for (ApiTestServer.Answer answer : List.of(server.api("/api/calls", null),
                server.get("/api/calls", "Authorization", "Bearer "),
                server.get("/api/calls", "Authorization", "Basic " + keyA))) {
            assertThat(answer.status()).isEqualTo(401);
            assertThat(answer.json().get("error").asText()).isEqualTo("missing_api_key");
            assertThat(answer.header("WWW-Authenticate")).startsWith("Bearer");
        }
        String wrong = "raw_" + "0".repeat(64);
        String tampered = keyA.substring(0, 67) + (keyA.endsWith("0") ? "1" : "0");
        for (ApiTestServer.Answer answer : List.of(server.api("/api/calls", wrong),
                server.get("/api/calls", "Authorization", "Bearer " + wrong),
                server.api("/api/calls", tampered),
                server.get("/api/calls", "Authorization", "Bearer " + tampered),
                server.api("/api/calls", "not-a-key"),
                server.api("/api/calls/" + CALLS_A.get(0).id(), "raw_123"),
                server.api("/api/nothing-here", wrong))) {
            assertThat(answer.status()).isEqualTo(401);
            assertThat(answer.json().get("error").asText()).isEqualTo("invalid_api_key");
            assertThat(answer.raw().body()).doesNotContain(keyA.substring(8, 60));
        }
    }

    @Test
    void apiWhenKeyGoodThenAcceptedInBothHeaderFormsWithNoStore() {
        ApiTestServer.Answer header = server.api("/api/calls", keyA);
        ApiTestServer.Answer bearer = server.get("/api/calls", "Authorization", "Bearer " + keyA);

        assertThat(header.status()).isEqualTo(200);
        assertThat(bearer.status()).isEqualTo(200);
        assertThat(bearer.json()).isEqualTo(header.json());
        assertThat(header.header("Cache-Control")).isEqualTo("no-store");
        assertThat(header.header("X-Request-Id")).isNotBlank();
    }

    @Test
    void listCallsWhenNoFilterThenOwnCallsNewestFirstInTheEnvelope() {
        JsonNode body = server.api("/api/calls", keyA).json();

        assertThat(body.get("success").asBoolean()).isTrue();
        assertThat(ids(body.get("data"))).containsExactlyElementsOf(expectedCalls(c -> true));
        JsonNode pagination = body.get("pagination");
        assertThat(pagination.get("limit").asInt()).isEqualTo(50);
        assertThat(pagination.get("offset").asInt()).isZero();
        assertThat(pagination.get("total").asInt()).isEqualTo(CALLS_A.size());
        assertThat(pagination.get("has_more").asBoolean()).isFalse();
        assertThat(ids(body.get("data"))).doesNotContain(callB.id().toString());
    }

    @Test
    void listCallsWhenPagedThenLimitOffsetTotalAndHasMore() {
        List<String> all = expectedCalls(c -> true);

        JsonNode first = server.api("/api/calls?limit=4", keyA).json();
        JsonNode second = server.api("/api/calls?limit=4&offset=4", keyA).json();
        JsonNode beyond = server.api("/api/calls?limit=4&offset=40", keyA).json();

        assertThat(ids(first.get("data"))).containsExactlyElementsOf(all.subList(0, 4));
        assertThat(first.get("pagination").toString())
                .isEqualTo("{\"limit\":4,\"offset\":0,\"total\":6,\"has_more\":true}");
        assertThat(ids(second.get("data"))).containsExactlyElementsOf(all.subList(4, 6));
        assertThat(second.get("pagination").toString())
                .isEqualTo("{\"limit\":4,\"offset\":4,\"total\":6,\"has_more\":false}");
        assertThat(beyond.get("data")).isEmpty();
        assertThat(beyond.get("pagination").get("total").asInt()).isEqualTo(6);
        assertThat(server.api("/api/calls?limit=100", keyA).json().get("data")).hasSize(6);
        assertThat(server.api("/api/calls?limit=1", keyA).json().get("data")).hasSize(1);
    }

    @Test
    void listCallsWhenFilteredByStatusDirectionAndTimeThenOnlyMatchingCalls() {
        for (CallStatus status : CallStatus.values()) {
            assertThat(ids(server.api("/api/calls?status=" + status.jsonName(), keyA).json().get("data")))
                    .as(status.jsonName())
                    .containsExactlyElementsOf(expectedCalls(c -> c.status() == status));
        }
        assertThat(expectedCalls(c -> c.status() == CallStatus.ENDED)).hasSize(2);
        assertThat(ids(server.api("/api/calls?direction=outbound", keyA).json().get("data")))
                .containsExactlyElementsOf(expectedCalls(c -> c.dialpadCallId().equals("1004")
                        || c.dialpadCallId().equals("1006")));
        assertThat(ids(server.api("/api/calls?direction=inbound&status=ended", keyA).json().get("data")))
                .containsExactlyElementsOf(expectedCalls(c -> c.dialpadCallId().equals("1001")));

        // a date in "to" includes that whole day; an instant in "to" is exclusive
        assertThat(ids(server.api("/api/calls?from=2024-05-02&to=2024-05-03", keyA).json().get("data")))
                .containsExactlyElementsOf(ids("1002", "1003", "1004"));
        assertThat(ids(server.api("/api/calls?from=2024-05-03T10:00:00Z&to=2024-05-03T12:00:00Z", keyA).json()
                .get("data"))).containsExactlyElementsOf(ids("1003"));
        assertThat(ids(server.api("/api/calls?from=2024-05-05T23:59:59%2B00:00", keyA).json().get("data")))
                .containsExactlyElementsOf(ids("1006"));
        assertThat(ids(server.api("/api/calls?to=2024-05-01", keyA).json().get("data")))
                .containsExactlyElementsOf(ids("1001"));
        JsonNode filtered = server.api("/api/calls?from=2024-05-02&limit=2", keyA).json();
        assertThat(filtered.get("pagination").get("total").asInt()).isEqualTo(5);
        assertThat(filtered.get("pagination").get("has_more").asBoolean()).isTrue();
    }

    @Test
    void listCallsWhenAFilterValueIsInvalidThen400NamingTheParameter() {
        Map<String, String> invalid = Map.ofEntries(
                Map.entry("status=open", "status"), Map.entry("status=ENDED", "status"),
                Map.entry("direction=sideways", "direction"),
                Map.entry("from=yesterday", "from"), Map.entry("to=2024-13-01", "to"),
                Map.entry("from=2024-05-01T10:00:00", "from"), Map.entry("from=2024-05-03&to=2024-05-01", "to"),
                Map.entry("limit=0", "limit"), Map.entry("limit=101", "limit"), Map.entry("limit=ten", "limit"),
                Map.entry("limit=-1", "limit"), Map.entry("limit=1.5", "limit"),
                Map.entry("limit=99999999999999999999", "limit"),
                Map.entry("offset=-1", "offset"), Map.entry("offset=x", "offset"),
                Map.entry("status=ended&status=missed", "status"));
        invalid.forEach((query, parameter) -> {
            ApiTestServer.Answer answer = server.api("/api/calls?" + query, keyA);
            assertThat(answer.status()).as(query).isEqualTo(400);
            assertThat(answer.json().get("error").asText()).as(query).isEqualTo("invalid_filter");
            assertThat(answer.json().get("message").asText()).as(query).startsWith(parameter + " ");
        });
        assertThat(server.api("/api/calls?unknown=1&status=&_=123", keyA).status()).isEqualTo(200);
    }

    @Test
    void activeCallsWhenAskedThenRingingAndActiveOnlyOfThisApp() {
        JsonNode body = server.api("/api/calls/active", keyA).json();

        assertThat(body.get("success").asBoolean()).isTrue();
        assertThat(ids(body.get("data"))).containsExactlyElementsOf(
                expectedCalls(c -> c.status() == CallStatus.RINGING || c.status() == CallStatus.ACTIVE));
        assertThat(body.get("data")).hasSize(2);
        assertThat(body.get("pagination").toString())
                .isEqualTo("{\"limit\":50,\"offset\":0,\"total\":2,\"has_more\":false}");
        JsonNode paged = server.api("/api/calls/active?limit=1", keyA).json();
        assertThat(paged.get("data")).hasSize(1);
        assertThat(paged.get("pagination").get("has_more").asBoolean()).isTrue();
        assertThat(server.api("/api/calls/active", keyB).json().get("data")).isEmpty();
        assertThat(server.api("/api/calls/active?limit=0", keyA).status()).isEqualTo(400);
    }

    @Test
    void showCallWhenOwnThenAllFieldsInSnakeCase() {
        Call ended = CALLS_A.get(0);

        ApiTestServer.Answer answer = server.api("/api/calls/" + ended.id(), keyA);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("success").asBoolean()).isTrue();
        assertThat(answer.json().get("pagination").toString())
                .isEqualTo("{\"limit\":1,\"offset\":0,\"total\":1,\"has_more\":false}");
        JsonNode call = answer.json().get("data");
        assertThat(call.get("id").asText()).isEqualTo(ended.id().toString());
        assertThat(call.get("dialpad_call_id").asText()).isEqualTo("1001");
        assertThat(call.get("status").asText()).isEqualTo("ended");
        assertThat(call.get("direction").asText()).isEqualTo("inbound");
        assertThat(call.get("external_number").asText()).isEqualTo("+15551001");
        assertThat(call.get("internal_number").asText()).isEqualTo("+16661001");
        assertThat(call.get("dialpad_user_id").asText()).isEqualTo("u1");
        assertThat(call.get("target").get("name").asText()).isEqualTo("Agent u1");
        assertThat(call.get("started_at").asText()).isEqualTo("2024-05-01T10:00:00Z");
        assertThat(call.get("answered_at").asText()).isEqualTo("2024-05-01T10:00:05Z");
        assertThat(call.get("ended_at").asText()).isEqualTo("2024-05-01T10:01:05.500Z");
        assertThat(call.get("duration").asLong()).isEqualTo(60);
        assertThat(call.get("duration_ms").asLong()).isEqualTo(60_500);
        assertThat(call.has("recording_url")).isTrue();
        assertThat(call.has("voicemail_url")).isTrue();
        assertThat(call.get("states_seen").toString()).isEqualTo("[\"hangup\"]");
    }

    @Test
    void showCallWhenOtherAppsOrUnknownThen404AndBadIdThen400() {
        ApiTestServer.Answer other = server.api("/api/calls/" + callB.id(), keyA);
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.json().get("error").asText()).isEqualTo("call_not_found");
        assertThat(server.api("/api/calls/" + CALLS_A.get(0).id(), keyB).status()).isEqualTo(404);
        assertThat(server.api("/api/calls/" + UUID.randomUUID(), keyA).status()).isEqualTo(404);
        assertThat(server.api("/api/calls/" + callB.id(), keyB).status()).isEqualTo(200);

        ApiTestServer.Answer bad = server.api("/api/calls/1001", keyA);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("error").asText()).isEqualTo("invalid_id");

        JsonNode listB = server.api("/api/calls", keyB).json();
        assertThat(ids(listB.get("data"))).containsExactly(callB.id().toString());
        assertThat(listB.get("pagination").get("total").asInt()).isEqualTo(1);
    }

    @Test
    void listMessagesWhenFilteredThenOnlyOwnMatchingMessagesNewestFirst() {
        JsonNode all = server.api("/api/messages", keyA).json();
        assertThat(all.get("success").asBoolean()).isTrue();
        assertThat(messageIds(all.get("data"))).containsExactly("m3", "m2", "m1");
        assertThat(all.get("pagination").toString())
                .isEqualTo("{\"limit\":50,\"offset\":0,\"total\":3,\"has_more\":false}");

        assertThat(messageIds(server.api("/api/messages?direction=inbound", keyA).json().get("data")))
                .containsExactly("m3", "m1");
        assertThat(messageIds(server.api("/api/messages?dialpad_user_id=u2", keyA).json().get("data")))
                .containsExactly("m2");
        assertThat(messageIds(server.api("/api/messages?from=2024-05-02&to=2024-05-02", keyA).json().get("data")))
                .containsExactly("m2");
        assertThat(messageIds(server.api("/api/messages?from_number=%2B15550001", keyA).json().get("data")))
                .containsExactly("m3", "m1");
        assertThat(messageIds(server.api("/api/messages?dialpad_user_id=u9", keyA).json().get("data"))).isEmpty();
        JsonNode page = server.api("/api/messages?limit=2&offset=1", keyA).json();
        assertThat(messageIds(page.get("data"))).containsExactly("m2", "m1");
        assertThat(page.get("pagination").toString())
                .isEqualTo("{\"limit\":2,\"offset\":1,\"total\":3,\"has_more\":false}");

        for (String query : List.of("direction=up", "from=soon", "to=2024-02-30", "limit=0", "offset=-2",
                "dialpad_user_id=" + "x".repeat(65))) {
            ApiTestServer.Answer answer = server.api("/api/messages?" + query, keyA);
            assertThat(answer.status()).as(query).isEqualTo(400);
            assertThat(answer.json().get("error").asText()).isEqualTo("invalid_filter");
        }
    }

    @Test
    void showMessageWhenOwnThenFieldsElse404Or400() {
        Message m1 = MESSAGES_A.get(0);
        JsonNode message = server.api("/api/messages/" + m1.id(), keyA).json().get("data");
        assertThat(message.get("id").asText()).isEqualTo(m1.id().toString());
        assertThat(message.get("dialpad_message_id").asText()).isEqualTo("m1");
        assertThat(message.get("direction").asText()).isEqualTo("inbound");
        assertThat(message.get("from_number").asText()).isEqualTo("+15550001");
        assertThat(message.get("to_numbers").toString()).isEqualTo("[\"+16660000\"]");
        assertThat(message.get("text").asText()).isEqualTo("hello m1");
        assertThat(message.get("dialpad_user_id").asText()).isEqualTo("u1");
        assertThat(message.get("created_at").asText()).isEqualTo("2024-05-01T08:00:00Z");

        ApiTestServer.Answer other = server.api("/api/messages/" + messageB.id(), keyA);
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.json().get("error").asText()).isEqualTo("message_not_found");
        assertThat(server.api("/api/messages/nope", keyA).status()).isEqualTo(400);
        assertThat(messageIds(server.api("/api/messages", keyB).json().get("data"))).containsExactly("m9");
    }

    @Test
    void apiWhenBurstOfRequestsWithOneBadKeyThenAtMostOneBcryptComparison() {
        AppAuthenticator authenticator = server.switchboard().appAuthenticator();
        // the real key's lookup prefix with another tail: the one shape of bad key that reaches bcrypt at all
        String bad = keyA.substring(0, 64) + (keyA.endsWith("abcd") ? "dcba" : "abcd");
        long before = authenticator.stats().fullChecks();

        for (int i = 0; i < 50; i++) {
            assertThat(server.api("/api/calls", bad).status()).isEqualTo(401);
        }

        assertThat(authenticator.stats().fullChecks() - before).isLessThanOrEqualTo(1);
    }

    @Test
    void apiWhenSameGoodKeyIsRepeatedThenNoBcryptAfterTheFirst() {
        AppAuthenticator authenticator = server.switchboard().appAuthenticator();
        App quiet = JdbiAppStore.create(seed, Clock.systemUTC()).create("tenant C");
        String key = server.issueKey(quiet.id());
        assertThat(server.api("/api/calls", key).status()).isEqualTo(200);
        long before = authenticator.stats().fullChecks();

        for (int i = 0; i < 50; i++) {
            assertThat(server.api("/api/calls", key).status()).isEqualTo(200);
        }

        assertThat(authenticator.stats().fullChecks()).isEqualTo(before);
    }

    private static List<String> expectedCalls(Predicate<Call> filter) {
        return CALLS_A.stream().filter(filter)
                .sorted(Comparator.comparing((Call c) -> c.startedAt().orElseThrow()).reversed())
                .map(c -> c.id().toString()).toList();
    }

    private static List<String> ids(String... dialpadIds) {
        List<String> wanted = List.of(dialpadIds);
        return expectedCalls(c -> wanted.contains(c.dialpadCallId()));
    }

    private static List<String> ids(JsonNode data) {
        List<String> ids = new ArrayList<>();
        data.forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }

    private static List<String> messageIds(JsonNode data) {
        List<String> ids = new ArrayList<>();
        data.forEach(item -> ids.add(item.get("dialpad_message_id").asText()));
        return ids;
    }
}
