package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.http.HttpServer;
import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.PushClient;
import dev.switchboard.testkit.TestDatabase;
import dev.switchboard.testkit.dialpad.FakeDialpad;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The command line run in-process ({@link CommandLine#execute}) with an environment map and captured output,
 * against a real PostgreSQL and a real server that the {@code serve} command itself starts on the same environment.
 */
class CommandLineTest {
    private static final ObjectMapper JSON = HttpServer.objectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String CLIENT_ID = "command-line-client";
    private static final String CLIENT_SECRET = "command-line-client-secret-0123456789";
    private static final String INTERNAL_SECRET = "internal-secret-of-the-command-line-test-0123";
    private static final String SESSION_SECRET = "session-secret-of-the-command-line-test-0123";
    private static final String WEBHOOK_SECRET = "webhook-secret-of-the-command-line-test-0123";
    /** How long a rotated key may still be accepted by a server that had it cached (the contract's bound). */
    private static final Duration ROTATION_BOUND = Duration.ofSeconds(5);

    private static TestDatabase database;
    private static FakeDialpad dialpad;
    private static Map<String, String> environment;
    private static Switchboard server;

    /** What one run gave: its exit code and everything it wrote. */
    record Run(int code, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        database = TestDatabase.create();
        dialpad = FakeDialpad.start();
        int port = freePort();
        String base = "http://127.0.0.1:" + port;
        dialpad.registerClient(CLIENT_ID, CLIENT_SECRET, base + "/auth/dialpad/callback");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        environment = Map.ofEntries(Map.entry("APP_ENV", "sandbox"), Map.entry("HOST", "127.0.0.1"),
                Map.entry("PORT", Integer.toString(port)), Map.entry("PUBLIC_BASE_URL", base),
                Map.entry("DATABASE_URL", database.jdbcUrl()), Map.entry("DB_MAX_CLIENTS", "4"),
                Map.entry("INTERNAL_API_SECRET", INTERNAL_SECRET), Map.entry("SESSION_SECRET", SESSION_SECRET),
                Map.entry("TOKEN_ENCRYPTION_KEY", Base64.getEncoder().encodeToString(key)),
                Map.entry("DIALPAD_WEBHOOK_SECRET", WEBHOOK_SECRET),
                Map.entry("DIALPAD_SANDBOX_CLIENT_ID", CLIENT_ID),
                Map.entry("DIALPAD_SANDBOX_CLIENT_SECRET", CLIENT_SECRET),
                Map.entry("DIALPAD_SANDBOX_BASE_URL", dialpad.baseUrl()));
        CommandLine line = commandLine(environment);
        assertThat(line.execute("serve")).isZero();
        server = SwitchboardCommand.serving(line).orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        dialpad.close();
        database.close();
    }

    @Test
    void everyCommandHasHelp() {
        List<String[]> commands = List.of(new String[] {}, new String[] {"serve"}, new String[] {"check-config"},
                new String[] {"migrate"}, new String[] {"apps"}, new String[] {"apps", "create"},
                new String[] {"apps", "list"}, new String[] {"connect-link"}, new String[] {"api-key"},
                new String[] {"api-key", "rotate"}, new String[] {"simulate"});
        for (String[] command : commands) {
            String[] args = new String[command.length + 1];
            System.arraycopy(command, 0, args, 0, command.length);
            args[command.length] = "--help";
            Run run = run(environment, args);
            assertThat(run.code()).as(String.join(" ", args)).isZero();
            assertThat(run.out()).as(String.join(" ", args)).startsWith("Usage: switchboard");
        }
        assertThat(run(environment, "--help").out()).contains("check-config", "migrate", "apps", "connect-link",
                "api-key");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertThat(run(environment, "frobnicate").code()).isEqualTo(2);
        assertThat(run(environment, "apps", "create").code()).isEqualTo(2);
        assertThat(run(environment, "apps", "create", "--name", "").code()).isEqualTo(2);
        assertThat(run(environment, "apps").code()).isEqualTo(2);
        assertThat(run(environment, "api-key").code()).isEqualTo(2);
        Run badId = run(environment, "connect-link", "--app", "not-a-uuid");
        assertThat(badId.code()).isEqualTo(2);
        assertThat(badId.err()).contains("--app");
    }

    @Test
    void checkConfigListsEveryProblemOfABadProductionConfigurationWithoutItsSecrets() {
        String shortInternal = "tiny-internal-SECRET";
        String badKey = "not-a-key-SECRET-VALUE";
        String shortWebhook = "short-webhook-SECRET";
        Run run = run(Map.of("APP_ENV", "production", "INTERNAL_API_SECRET", shortInternal,
                "TOKEN_ENCRYPTION_KEY", badKey, "DIALPAD_WEBHOOK_SECRET", shortWebhook, "PORT", "99999"),
                "check-config");

        assertThat(run.code()).isEqualTo(1);
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSizeGreaterThanOrEqualTo(5).allMatch(line -> line.startsWith("configuration problem: "));
        assertThat(run.out()).contains("DATABASE_URL", "INTERNAL_API_SECRET", "TOKEN_ENCRYPTION_KEY",
                "DIALPAD_WEBHOOK_SECRET", "PORT", "SESSION_SECRET");
        assertThat(run.out() + run.err()).doesNotContain(shortInternal, badKey, shortWebhook);
    }

    @Test
    void checkConfigWhenASecretHasAShortSecondOrAThirdValueThenNamesItsPositionWithoutTheValue() {
        String first = "first-internal-secret-0123456789abcdefgh";
        String shortSecond = "short-second-SECRET";
        Run run = run(Map.of("APP_ENV", "production", "INTERNAL_API_SECRET", first + "," + shortSecond,
                "DIALPAD_WEBHOOK_SECRET", first + "," + first + "," + first), "check-config");

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains("INTERNAL_API_SECRET value 2 of 2 must have at least 32 characters")
                .contains("DIALPAD_WEBHOOK_SECRET has 3 comma-separated values");
        assertThat(run.out() + run.err()).doesNotContain(shortSecond).doesNotContain(first);
    }

    @Test
    void checkConfigOfAValidConfigurationSaysSoAndExitsZero() {
        Run run = run(environment, "check-config");
        assertThat(run.code()).isZero();
        assertThat(run.out()).isEqualTo("configuration is valid (sandbox)\n");
        assertThat(run.out() + run.err()).doesNotContain(INTERNAL_SECRET, SESSION_SECRET, WEBHOOK_SECRET);
    }

    @Test
    void serveAndOtherCommandsRefuseAnInvalidConfigurationWithExitOne() {
        Run serve = run(Map.of("PORT", "0"), "serve");
        assertThat(serve.code()).isEqualTo(1);
        assertThat(serve.err()).contains("configuration problem: ").contains("PORT");
        assertThat(run(Map.of("PORT", "0")).code()).isEqualTo(1);
        assertThat(run(Map.of("PORT", "0"), "apps", "list").code()).isEqualTo(1);
    }

    @Test
    void serveStartsTheServerThatAnswersHealth() throws Exception {
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void migrateCreatesTheSchemaOfAnEmptyDatabase() throws Exception {
        try (TestDatabase empty = TestDatabase.create()) {
            Map<String, String> env = new HashMap<>(environment);
            env.put("DATABASE_URL", empty.jdbcUrl());
            assertThat(tables(empty)).doesNotContain("apps");

            Run run = run(env, "migrate");

            assertThat(run.code()).isZero();
            assertThat(run.out()).isEqualTo("database migrated\n");
            assertThat(tables(empty)).contains("apps", "api_keys", "audit_log");
        }
    }

    @Test
    void serveRefusesAKeyRingThatLacksAKeyIdOfStoredRowsNamingTheIdNeverAKey() throws Exception {
        try (TestDatabase sealed = TestDatabase.create()) {
            Map<String, String> env = new HashMap<>(environment);
            env.put("DATABASE_URL", sealed.jdbcUrl());
            env.put("PORT", Integer.toString(freePort()));
            assertThat(run(env, "migrate").code()).isZero();
            try (Connection connection = sealed.connect(); Statement statement = connection.createStatement()) {
                UUID app = UUID.randomUUID();
                statement.executeUpdate("INSERT INTO apps (id, name) VALUES ('" + app + "', 'sealed')");
                statement.executeUpdate("INSERT INTO dialpad_webhooks (id, app_id, dialpad_webhook_id, hook_url, "
                        + "secret_ciphertext, secret_key_id, created_at, updated_at) VALUES ('" + UUID.randomUUID()
                        + "', '" + app + "', 'wh', 'http://h', '\\x00', 'key-gone', now(), now())");
            }
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            String unrelated = Base64.getEncoder().encodeToString(key);
            env.remove("TOKEN_ENCRYPTION_KEY");
            env.put("TOKEN_ENCRYPTION_KEYS", "key-unrelated:" + unrelated);

            Run serve = run(env, "serve");

            assertThat(serve.code()).isEqualTo(1);
            assertThat(serve.err()).startsWith("Switchboard could not start: ").contains("key-gone")
                    .doesNotContain(unrelated);
            assertThat(serve.err().lines()).hasSize(1);
        }
    }

    @Test
    void aDatabaseThatCannotBeReachedIsAFailure() throws Exception {
        Map<String, String> env = new HashMap<>(environment);
        env.put("DATABASE_URL", "postgresql://postgres:db-SECRET-password@127.0.0.1:" + freePort() + "/none");
        Run run = run(env, "migrate");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).startsWith("switchboard: ");
        assertThat(run.out() + run.err()).doesNotContain("db-SECRET-password");
    }

    @Test
    void appsCreatePrintsTheAppAndItsKeyOnceAndAppsListShowsIt() throws Exception {
        Run created = run(environment, "apps", "create", "--name", "Created on the command line");

        assertThat(created.code()).isZero();
        JsonNode app = created.json();
        assertThat(app.get("app_name").asText()).isEqualTo("Created on the command line");
        assertThat(app.get("api_key").asText()).matches("raw_[0-9a-f]{64}");
        assertThat(app.get("warning").asText()).isNotBlank();
        assertThat(api("/api/calls", app.get("api_key").asText()).statusCode()).isEqualTo(200);
        assertThat(audit(app.get("app_id").asText())).containsExactly("app_created command_line",
                "api_key_created command_line");

        Run list = run(environment, "apps", "list");
        assertThat(list.code()).isZero();
        assertThat(list.out()).contains(app.get("app_id").asText() + "\tactive\t")
                .contains("\tCreated on the command line\n")
                .doesNotContain(app.get("api_key").asText());
    }

    @Test
    void connectLinkGivesAUrlThatStartsAConnectionOnTheRunningServer() throws Exception {
        String appId = run(environment, "apps", "create", "--name", "Linked").json().get("app_id").asText();

        Run run = run(environment, "connect-link", "--app", appId, "--dialpad-org-id", "12345");

        assertThat(run.code()).isZero();
        JsonNode link = run.json();
        String url = link.get("connect_url").asText();
        assertThat(url).startsWith(environment.get("PUBLIC_BASE_URL") + "/auth/dialpad/connect?app_id=" + appId);
        assertThat(link.get("dialpad_org_id").asText()).isEqualTo("12345");
        assertThat(Instant.parse(link.get("expires_at").asText())).isAfter(Instant.now());
        HttpResponse<String> opened = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(opened.statusCode()).isEqualTo(302);
        assertThat(opened.headers().firstValue("Location").orElseThrow()).startsWith(dialpad.baseUrl());
        HttpResponse<String> forged = HTTP.send(HttpRequest.newBuilder(URI.create(url + "x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(audit(appId)).contains("connect_link_created command_line");
    }

    @Test
    void rotatingTheKeyMakesTheOldOneFailAndTheNewOneWorkOnTheRunningServer() throws Exception {
        JsonNode app = run(environment, "apps", "create", "--name", "Rotated").json();
        String appId = app.get("app_id").asText();
        String oldKey = app.get("api_key").asText();
        assertThat(api("/api/calls", oldKey).statusCode()).isEqualTo(200);

        Run run = run(environment, "api-key", "rotate", "--app", appId);

        assertThat(run.code()).isZero();
        String newKey = run.json().get("api_key").asText();
        assertThat(newKey).matches("raw_[0-9a-f]{64}").isNotEqualTo(oldKey);
        assertThat(run.json().get("key_hint").asText()).isEqualTo(ApiKeys.hintOf(newKey));
        assertThat(api("/api/calls", newKey).statusCode()).isEqualTo(200);
        // the server had the old key cached as verified: it stops accepting it within the contract's bound
        int status = Await.atMost(ROTATION_BOUND).pollingEvery(Duration.ofMillis(100))
                .until(() -> api("/api/calls", oldKey).statusCode(), answered -> answered != 200);
        assertThat(status).isEqualTo(401);
        assertThat(audit(appId)).endsWith("api_key_rotated command_line");
    }

    @Test
    void rotatingTheKeyWithGraceKeepsBothKeysWorkingOnTheRunningServer() throws Exception {
        JsonNode app = run(environment, "apps", "create", "--name", "Rotated with grace").json();
        String appId = app.get("app_id").asText();
        String oldKey = app.get("api_key").asText();

        Run run = run(environment, "api-key", "rotate", "--app", appId, "--grace", "600");

        assertThat(run.code()).as(run.err()).isZero();
        String newKey = run.json().get("api_key").asText();
        assertThat(Instant.parse(run.json().get("previous_key_expires_at").asText()))
                .isAfter(Instant.now().plusSeconds(590));
        assertThat(api("/api/calls", newKey).statusCode()).isEqualTo(200);
        assertThat(api("/api/calls", oldKey).statusCode()).isEqualTo(200);
        assertThat(run(environment, "api-key", "rotate", "--app", appId, "--grace", "-1").code()).isEqualTo(2);
        assertThat(run(environment, "api-key", "rotate", "--app", appId, "--grace", "604801").code()).isEqualTo(2);
        assertThat(api("/api/calls", newKey).statusCode()).isEqualTo(200);
    }

    @Test
    void simulateMakesTheAppsSocketReceiveACallAVoicemailAndAnSms() throws Exception {
        JsonNode app = run(environment, "apps", "create", "--name", "Simulated").json();
        String appId = app.get("app_id").asText();
        try (PushClient socket = PushClient.connect(server.port(), app.get("api_key").asText(),
                PushClient.KeyPlacement.HEADER)) {
            Run run = run(environment, "simulate", "--app", appId, "--calls", "2");

            assertThat(run.code()).as(run.err()).isZero();
            assertThat(run.out().lines()).hasSize(9).allMatch(line -> line.endsWith(": 200"));
            // the server processes events of different calls in parallel: wait for the last of each kind
            socket.until(message -> "message.received".equals(message.get("type")));
            socket.until(message -> "voicemail.received".equals(message.get("type")));
            List<Object> types = socket.taken().stream().map(message -> message.get("type")).toList();
            assertThat(types).filteredOn("call.ring"::equals).hasSize(3);
            assertThat(types).filteredOn("call.started"::equals).hasSize(2);
            assertThat(types).contains("call.ended", "voicemail.received", "message.received");
        }
        // the second run reuses the app's simulation webhook, with a new secret
        assertThat(run(environment, "simulate", "--app", appId).code()).isZero();
        assertThat(audit(appId)).filteredOn(entry -> entry.startsWith("webhook_created ")).hasSize(2);
        assertThat(webhookRows(appId)).isEqualTo(1);
    }

    @Test
    void simulateIsRefusedInProductionAndForAnUnknownAppAndWithoutAServer() throws Exception {
        Map<String, String> production = new HashMap<>(environment);
        production.put("APP_ENV", "production");
        production.put("PUBLIC_BASE_URL", "https://switchboard.example.com");
        production.put("DIALPAD_PROD_CLIENT_ID", CLIENT_ID);
        production.put("DIALPAD_PROD_CLIENT_SECRET", CLIENT_SECRET);
        Run refused = run(production, "simulate", "--app", UUID.randomUUID().toString());
        assertThat(refused.code()).as(refused.err()).isEqualTo(1);
        assertThat(refused.err()).contains("only in sandbox");

        assertThat(run(environment, "simulate", "--app", UUID.randomUUID().toString()).code()).isEqualTo(1);
        assertThat(run(environment, "simulate", "--app", UUID.randomUUID().toString(), "--calls", "0").code())
                .isEqualTo(2);
        String appId = run(environment, "apps", "create", "--name", "Nobody listens").json().get("app_id").asText();
        Run nowhere = run(environment, "simulate", "--app", appId, "--url", "http://127.0.0.1:" + freePort());
        assertThat(nowhere.code()).isEqualTo(1);
        assertThat(nowhere.err()).contains("could not reach");
    }

    @Test
    void anUnknownAppIsAFailure() {
        String unknown = UUID.randomUUID().toString();
        Run rotate = run(environment, "api-key", "rotate", "--app", unknown);
        assertThat(rotate.code()).isEqualTo(1);
        assertThat(rotate.err()).isEqualTo("switchboard: no app has the app_id " + unknown + "\n");
        Run link = run(environment, "connect-link", "--app", unknown);
        assertThat(link.code()).isEqualTo(1);
        assertThat(link.out()).isEmpty();
    }

    static CommandLine commandLine(Map<String, String> env) {
        return SwitchboardCommand.commandLine(env, new SecureRandom(), Clock.systemUTC());
    }

    static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine line = commandLine(env);
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        int code = line.execute(args);
        SwitchboardCommand.serving(line).ifPresent(Switchboard::close);
        return new Run(code, out.toString(), err.toString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> api(String path, String key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("x-app-api-key", key).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The app's audit entries, oldest first, as "event_type actor". */
    private static List<String> audit(String appId) throws Exception {
        List<String> entries = new ArrayList<>();
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT event, actor FROM audit_log WHERE app_id = '"
                     + UUID.fromString(appId) + "' ORDER BY id")) {
            while (rows.next()) {
                entries.add(rows.getString(1) + " " + rows.getString(2));
            }
        }
        return entries;
    }

    private static int webhookRows(String appId) throws Exception {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM dialpad_webhooks WHERE app_id = '"
                     + UUID.fromString(appId) + "'")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static List<String> tables(TestDatabase target) throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection connection = target.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
        }
        return names;
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
