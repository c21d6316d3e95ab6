package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.core.apps.App;
import dev.switchboard.core.calls.CallEvent;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.JdbiCallStore;
import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /api/*} reuses an answer only while the app's data is unchanged: every committed write to calls or messages
 * is seen by the next request once its change notice arrived, and an unchanged app is answered without reading.
 */
class DataApiFreshnessTest {
    @TempDir
    Path data;

    private TestDatabase testDatabase;
    private ApiTestServer server;
    private Database seed;
    private JdbiCallStore calls;
    private App app;
    private App other;
    private String key;
    private String otherKey;

    @BeforeEach
    void start() {
        testDatabase = TestDatabase.create();
        server = ApiTestServer.start(testDatabase, data);
        seed = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 2));
        JdbiAppStore apps = JdbiAppStore.create(seed, Clock.systemUTC());
        app = apps.create("fresh");
        other = apps.create("other");
        key = server.issueKey(app.id());
        otherKey = server.issueKey(other.id());
        calls = JdbiCallStore.create(seed, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        server.close();
        seed.close();
        testDatabase.close();
    }

    private void call(App owner, long id, String state) {
        Map<String, Object> payload = Map.of("call_id", id, "state", state, "direction", "inbound",
                "external_number", "+15550100", "date_started", Instant.now().toEpochMilli(),
                "event_timestamp", Instant.now().toEpochMilli());
        calls.apply(owner.id(), ((CallEvent.Parse.Parsed) CallEvent.parse(payload)).event());
    }

    private void sql(String statement) throws Exception {
        try (Connection connection = DriverManager.getConnection(testDatabase.jdbcUrl());
             Statement st = connection.createStatement()) {
            st.execute(statement);
        }
    }

    /** Asks until the answer satisfies {@code condition} (a change notice takes a moment); returns the last one. */
    private JsonNode awaitAnswer(String path, String apiKey, Predicate<JsonNode> condition) throws Exception {
        return Await.atMost(Duration.ofSeconds(10)).pollingEvery(Duration.ofMillis(20))
                .until(() -> server.api(path, apiKey).json(), condition);
    }

    @Test
    void everyCommittedWriteIsSeenByTheNextListing() throws Exception {
        assertThat(server.api("/api/calls", key).json().at("/pagination/total").asLong()).isZero();

        call(app, 5001, "ringing");
        JsonNode one = awaitAnswer("/api/calls", key, b -> b.at("/pagination/total").asLong() == 1);
        assertThat(one.at("/pagination/total").asLong()).isEqualTo(1);
        assertThat(one.at("/data/0/status").asText()).isEqualTo("ringing");

        call(app, 5001, "connected");
        JsonNode answered = awaitAnswer("/api/calls", key, b -> b.at("/data/0/status").asText().equals("active"));
        assertThat(answered.at("/data/0/status").asText()).isEqualTo("active");
        assertThat(awaitAnswer("/api/calls/active", key, b -> b.at("/pagination/total").asLong() == 1)
                .at("/data/0/dialpad_call_id").asText()).isEqualTo("5001");

        sql("DELETE FROM calls WHERE app_id = '" + app.id() + "'");
        assertThat(awaitAnswer("/api/calls", key, b -> b.at("/pagination/total").asLong() == 0)
                .at("/pagination/total").asLong()).isZero();
    }

    @Test
    void anUnchangedAppIsAnsweredWithoutReadingAgainAndAChangeNoticeEndsThat() throws Exception {
        call(app, 6001, "ringing");
        awaitAnswer("/api/calls", key, b -> b.at("/pagination/total").asLong() == 1);
        assertThat(server.api("/api/calls", otherKey).json().at("/pagination/total").asLong()).isZero();

        // a write that sends no notice (the trigger is off) is not seen: the kept answer is reused
        sql("ALTER TABLE calls DISABLE TRIGGER calls_updated");
        sql("UPDATE calls SET status = 'ended' WHERE app_id = '" + app.id() + "'");
        for (int i = 0; i < 5; i++) {
            assertThat(server.api("/api/calls", key).json().at("/data/0/status").asText()).isEqualTo("ringing");
        }
        // the other app's change notice leaves this app's answer as it was
        call(other, 6002, "ringing");
        awaitAnswer("/api/calls", otherKey, b -> b.at("/pagination/total").asLong() == 1);
        assertThat(server.api("/api/calls", key).json().at("/data/0/status").asText()).isEqualTo("ringing");

        // with notices back, the next write of this app makes every kept answer of it stale
        sql("ALTER TABLE calls ENABLE TRIGGER calls_updated");
        sql("UPDATE calls SET external_number = '+15550199' WHERE app_id = '" + app.id() + "'");
        JsonNode fresh = awaitAnswer("/api/calls", key, b -> b.at("/data/0/status").asText().equals("ended"));
        assertThat(fresh.at("/data/0/status").asText()).isEqualTo("ended");
        assertThat(fresh.at("/data/0/external_number").asText()).isEqualTo("+15550199");
    }

    @Test
    void differentQueriesAreAnsweredSeparatelyAndRefusalsAreNotKept() throws Exception {
        call(app, 7001, "ringing");
        call(app, 7002, "connected");
        awaitAnswer("/api/calls", key, b -> b.at("/pagination/total").asLong() == 2);

        assertThat(server.api("/api/calls?limit=1", key).json().at("/data").size()).isEqualTo(1);
        assertThat(server.api("/api/calls?status=ringing", key).json().at("/pagination/total").asLong())
                .isEqualTo(1);
        assertThat(server.api("/api/calls?status=bogus", key).status()).isEqualTo(400);
        assertThat(server.api("/api/calls?status=bogus", key).status()).isEqualTo(400);
        assertThat(server.api("/api/calls", key).json().at("/pagination/total").asLong()).isEqualTo(2);
        assertThat(server.api("/api/calls", otherKey).json().at("/pagination/total").asLong()).isZero();
    }
}
