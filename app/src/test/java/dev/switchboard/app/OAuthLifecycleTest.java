package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.app.config.AppEnvironment;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.DatabaseConfig;
import dev.switchboard.app.config.DialpadConfig;
import dev.switchboard.http.IpRange;
import dev.switchboard.app.config.LoggingConfig;
import dev.switchboard.http.RateLimitConfig;
import dev.switchboard.core.secrets.Secret;
import dev.switchboard.app.config.SecretSetting;
import dev.switchboard.app.config.Secrets;
import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.oauth.OAuthFlows;
import dev.switchboard.core.oauth.RefreshOutcome;
import dev.switchboard.core.oauth.TokenRefresher;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiConnectionStore;
import dev.switchboard.core.testing.MutableClock;
import dev.switchboard.testkit.TestDatabase;
import dev.switchboard.testkit.dialpad.DialpadEndpoint;
import dev.switchboard.testkit.dialpad.FakeDialpad;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dialpad OAuth lifecycle end to end: the whole server (real HTTP, real PostgreSQL, real Nimbus client) against
 * the fake Dialpad over real HTTP, driven by browsers that keep cookies and never follow redirects on their own.
 */
class OAuthLifecycleTest {
    private static final String INTERNAL_SECRET = "internal-secret-for-the-lifecycle-test-0123456789";
    private static final String SESSION_SECRET = "session-secret-for-the-lifecycle-test-0123456789";
    private static final String CLIENT_ID = "switchboard-lifecycle";
    private static final String CLIENT_SECRET = "client-secret-of-the-lifecycle-test-0123456789";
    private static final String REDIRECT_URI = "http://localhost:4000/auth/dialpad/callback";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path data;

    private static TestDatabase testDatabase;
    private static FakeDialpad dialpad;
    private static Switchboard switchboard;
    private static Database verification;
    private static JdbiConnectionStore connections;
    private static String encryptionKey;
    private static final MutableClock CLOCK = MutableClock.at(Instant.now());
    private static final AtomicLong ORGANISATIONS = new AtomicLong();

    @BeforeAll
    static void start() {
        testDatabase = TestDatabase.create();
        dialpad = FakeDialpad.start();
        dialpad.registerClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        encryptionKey = Base64.getEncoder().encodeToString(key);
        Secrets secrets = new Secrets(provided(INTERNAL_SECRET), provided(SESSION_SECRET), provided(encryptionKey),
                provided("webhook-secret-of-the-lifecycle-test-0123456789"));
        Configuration configuration = new Configuration(AppEnvironment.SANDBOX, "127.0.0.1", 0,
                URI.create("http://localhost:4000"),
                new DialpadConfig(Optional.of(new DialpadConfig.Client(CLIENT_ID, new Secret(CLIENT_SECRET))),
                        URI.create(REDIRECT_URI), dialpad.baseUri(),
                        List.of("calls:list", "recordings_export", "offline_access")),
                secrets, new DatabaseConfig.External(testDatabase.jdbcUrl(), Optional.empty(), Optional.empty(), 4),
                // this class makes far more than 10 failing OAuth requests from one address on purpose; the limit
                // itself is tested in SwitchboardEdgeTest and RateLimitingTest
                List.<IpRange>of(), new RateLimitConfig(RateLimitConfig.Store.MEMORY, 300, 100, 1000, 10_000),
                LoggingConfig.DEFAULTS, Optional.empty(), data);
        switchboard = Switchboard.start(configuration, new SecureRandom(), CLOCK);
        verification = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 2));
        connections = JdbiConnectionStore.create(verification, SecretCipher.fromBase64Key(encryptionKey,
                new SecureRandom()));
    }

    @AfterAll
    static void stop() {
        if (switchboard != null) {
            switchboard.close();
        }
        if (verification != null) {
            verification.close();
        }
        if (dialpad != null) {
            dialpad.close();
        }
        if (testDatabase != null) {
            testDatabase.close();
        }
    }

    @AfterEach
    void resetTheFake() {
        dialpad.resetBehaviour();
    }

    @Test
    void fullFlowWhenEverythingAnswersThenConnectedWithEncryptedTokensAndTheOrganisation() throws Exception {
        UUID appId = createApp("Full flow");
        Browser browser = browser();

        HttpResponse<String> callback = connect(browser, appId);

        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(callback.body());
        assertThat(body.get("message").asText()).isEqualTo("Dialpad connected");
        assertThat(body.get("app_id").asText()).isEqualTo(appId.toString());
        assertThat(body.get("environment").asText()).isEqualTo("sandbox");
        assertThat(browser.cookie()).isEmpty();

        Connection stored = connections.find(appId).orElseThrow();
        assertThat(stored.organisationId()).isEqualTo(Long.toString(FakeDialpad.DEFAULT_ORGANISATION_ID));
        assertThat(dialpad.isActive(stored.accessToken())).isTrue();
        assertThat(dialpad.isCurrentRefreshToken(stored.refreshToken())).isTrue();
        String row = rowText("SELECT * FROM dialpad_connections WHERE app_id = '" + appId + "'");
        assertThat(row).contains(stored.organisationId()).doesNotContain(stored.accessToken())
                .doesNotContain(stored.refreshToken());
    }

    @Test
    void connectWhenInputInvalidThenEachCaseAnswersItsStatus() throws Exception {
        Browser browser = browser();
        UUID appId = createApp("Validation");
        assertProblem(browser.get(url("/auth/dialpad/connect")), 400, "missing_app_id");
        assertProblem(browser.get(url("/auth/dialpad/connect?app_id=12345&connect_token=x")), 400, "invalid_app_id");
        assertProblem(browser.get(url("/auth/dialpad/connect?app_id=" + UUID.randomUUID() + "&connect_token=x")),
                404, "app_not_found");
        assertProblem(browser.get(url("/auth/dialpad/connect?app_id=" + appId + "&connect_token=forged")), 401,
                "invalid_connect_token");

        String link = connectLink(appId);
        UUID other = createApp("Other");
        String otherLink = connectLink(other);
        assertProblem(browser.get(otherLink.replace(other.toString(), appId.toString())), 401,
                "invalid_connect_token");
        assertThat(browser.get(link).statusCode()).isEqualTo(302);
        // opening a link again is no longer an error: only a completed connection uses it up
        assertThat(browser.get(link).statusCode()).isEqualTo(302);

        String inactiveLink = connectLink(appId);
        assertThat(admin("PATCH", "/internal/apps/" + appId, "{\"is_active\": false}").statusCode()).isEqualTo(200);
        assertProblem(browser.get(inactiveLink), 403, "app_inactive");
    }

    @Test
    void callbackWhenStateReplayedThenRefusedAndDialpadAskedOnce() throws Exception {
        UUID appId = createApp("Replay");
        Browser browser = browser();
        String callbackUrl = consentedCallbackUrl(browser, appId);
        String cookie = browser.cookie().orElseThrow();
        assertThat(browser.get(callbackUrl).statusCode()).isEqualTo(200);
        long exchanges = dialpad.tokenExchangeCount();

        Browser same = browser();
        same.setCookie(cookie);
        assertProblem(same.get(callbackUrl), 400, "invalid_state");
        assertThat(dialpad.tokenExchangeCount()).isEqualTo(exchanges);
    }

    @Test
    void callbackWhenNoCookieOrAnotherBrowsersCookieThenRefused() throws Exception {
        UUID appId = createApp("Browsers");
        Browser victim = browser();
        String victimCallback = consentedCallbackUrl(victim, appId);
        assertProblem(browser().get(victimCallback), 400, "state_mismatch");
        assertProblem(victim.get(victimCallback), 400, "invalid_state");

        Browser first = browser();
        Browser attacker = browser();
        String firstCallback = consentedCallbackUrl(first, appId);
        consentedCallbackUrl(attacker, appId);
        assertProblem(attacker.get(firstCallback), 400, "state_mismatch");
        assertThat(connections.find(appId)).isEmpty();
    }

    @Test
    void callbackWhenStateExpiredThenRefused() throws Exception {
        UUID appId = createApp("Expired");
        Browser browser = browser();
        String callbackUrl = consentedCallbackUrl(browser, appId);
        CLOCK.advance(Duration.ofMinutes(16));

        assertProblem(browser.get(callbackUrl), 400, "expired_state");
        assertThat(connections.find(appId)).isEmpty();
    }

    @Test
    void callbackWhenConsentDeniedThenClear400AndNothingStored() throws Exception {
        UUID appId = createApp("Denied");
        dialpad.denyConsent(true);
        Browser browser = browser();
        String callbackUrl = consentedCallbackUrl(browser, appId);
        assertThat(callbackUrl).contains("error=access_denied");

        assertProblem(browser.get(callbackUrl), 400, "consent_denied");
        assertThat(connections.find(appId)).isEmpty();
    }

    @Test
    void callbackWhenRefreshTokenMissingThenErrorNamesOfflineAccess() throws Exception {
        UUID appId = createApp("No refresh token");
        dialpad.omitRefreshToken(true);

        HttpResponse<String> response = connect(browser(), appId);

        assertProblem(response, 502, "missing_refresh_token");
        assertThat(JSON.readTree(response.body()).get("message").asText()).contains("offline_access");
        assertThat(connections.find(appId)).isEmpty();
    }

    @Test
    void callbackWhenTokenEndpointFailsThen502InOurOwnWords() throws Exception {
        UUID appId = createApp("Token endpoint down");
        dialpad.failNext(DialpadEndpoint.TOKEN, 1, 500, "<html>internal dialpad trace</html>");

        HttpResponse<String> response = connect(browser(), appId);

        assertProblem(response, 502, "dialpad_unavailable");
        assertThat(response.body()).doesNotContain("dialpad trace").doesNotContain("html");
        assertThat(connections.find(appId)).isEmpty();
    }

    @Test
    void disconnectWhenConnectedThenRevokedAtDialpadWithTheCurrentTokenAndSecondIs404() throws Exception {
        UUID appId = createApp("Disconnect");
        assertThat(connect(browser(), appId).statusCode()).isEqualTo(200);
        String accessToken = connections.find(appId).orElseThrow().accessToken();
        long before = dialpad.deauthorizationCount();

        HttpResponse<String> first = admin("POST", "/auth/dialpad/disconnect/" + appId, null);

        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(first.body());
        assertThat(body.get("app_id").asText()).isEqualTo(appId.toString());
        assertThat(body.get("revoked").asBoolean()).isTrue();
        assertThat(body.get("message").asText()).isNotBlank();
        assertThat(dialpad.deauthorizationCount()).isEqualTo(before + 1);
        assertThat(dialpad.wasDeauthorized(accessToken)).isTrue();
        assertThat(dialpad.isActive(accessToken)).isFalse();
        assertThat(connections.find(appId)).isEmpty();

        assertProblem(admin("POST", "/auth/dialpad/disconnect/" + appId, null), 404, "not_connected");
        assertThat(dialpad.deauthorizationCount()).isEqualTo(before + 1);
    }

    @Test
    void disconnectWhenNoOrWrongSecretThen401Or403() throws Exception {
        UUID appId = createApp("Guarded");
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> none = client.send(HttpRequest.newBuilder(url("/auth/dialpad/disconnect/" + appId))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertProblem(none, 401, "missing_authorization");
        HttpResponse<String> wrong = client.send(HttpRequest.newBuilder(url("/auth/dialpad/disconnect/" + appId))
                .header("Authorization", "Bearer not-the-secret").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertProblem(wrong, 403, "forbidden");
    }

    @Test
    void appDetailsWhenConnectedThenConnectionStateAndNeverAToken() throws Exception {
        UUID appId = createApp("Details");
        assertThat(connect(browser(), appId).statusCode()).isEqualTo(200);
        Connection stored = connections.find(appId).orElseThrow();

        HttpResponse<String> response = admin("GET", "/internal/apps/" + appId, null);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("connected").asBoolean()).isTrue();
        JsonNode connection = body.get("connection");
        assertThat(connection.get("dialpad_org_id").asText()).isEqualTo(stored.organisationId());
        assertThat(connection.get("environment").asText()).isEqualTo("sandbox");
        assertThat(Instant.parse(connection.get("token_expires_at").asText())).isEqualTo(stored.expiresAt());
        assertThat(connection.get("refresh").get("needs_reconnect").asBoolean()).isFalse();
        assertThat(connection.get("refresh").get("consecutive_failures").asInt()).isZero();
        assertThat(response.body()).doesNotContain(stored.accessToken()).doesNotContain(stored.refreshToken());
        assertThat(admin("GET", "/internal/apps", null).body()).doesNotContain(stored.accessToken());
    }

    @Test
    void logsOfAWholeFlowWhenCapturedAtDebugThenHoldNoSecret() throws Exception {
        List<String> secrets = new ArrayList<>(List.of(INTERNAL_SECRET, SESSION_SECRET, CLIENT_SECRET, encryptionKey));
        List<String> lines;
        try (CapturedLog log = CapturedLog.start()) {
            HttpResponse<String> created = admin("POST", "/internal/apps", "{\"name\": \"Logged\"}");
            JsonNode app = JSON.readTree(created.body());
            secrets.add(app.get("api_key").asText());
            UUID appId = UUID.fromString(app.get("app_id").asText());
            String link = connectLink(appId);
            secrets.add(Browser.query(URI.create(link)).get("connect_token"));

            Browser browser = browser();
            String callbackUrl = consentedCallbackUrl(browser, link);
            secrets.add(browser.cookie().orElseThrow());
            Map<String, String> callbackQuery = Browser.query(URI.create(callbackUrl));
            secrets.add(callbackQuery.get("code"));
            secrets.add(callbackQuery.get("state"));
            assertThat(browser.get(callbackUrl).statusCode()).isEqualTo(200);
            String tokenRequest = dialpad.lastRequest(DialpadEndpoint.TOKEN.path()).orElseThrow().bodyText();
            Map<String, String> tokenParameters = Browser.form(tokenRequest);
            secrets.add(tokenParameters.get("code_verifier"));
            Connection stored = connections.find(appId).orElseThrow();
            secrets.add(stored.accessToken());
            secrets.add(stored.refreshToken());

            assertThat(browser.get(callbackUrl).statusCode()).isEqualTo(400);
            dialpad.failNext(DialpadEndpoint.TOKEN, 1, 500, "{\"error\": \"server_error\"}");
            Browser second = browser();
            String failing = consentedCallbackUrl(second, connectLink(appId));
            secrets.add(Browser.query(URI.create(failing)).get("code"));
            secrets.add(Browser.query(URI.create(failing)).get("state"));
            assertThat(second.get(failing).statusCode()).isEqualTo(502);
            assertThat(admin("POST", "/auth/dialpad/disconnect/" + appId, null).statusCode()).isEqualTo(200);
            lines = log.texts();
        }

        assertThat(lines).anyMatch(line -> line.contains("Dialpad connected") && line.contains("oauth_exchanged"))
                .anyMatch(line -> line.contains("oauth_deauthorized"));
        assertThat(secrets).doesNotContainNull().allSatisfy(secret -> assertThat(secret).isNotBlank());
        for (String secret : secrets) {
            assertThat(lines).as("log lines containing a secret").noneMatch(line -> line.contains(secret));
        }
    }

    @Test
    void connectWhenAMailScannerOpenedTheLinkFirstThenThePersonsClickStillConnects() throws Exception {
        UUID appId = createApp("Scanned");
        String link = connectLink(appId);
        Browser scanner = browser();
        HttpResponse<String> scanned = scanner.get(link);
        assertThat(scanned.statusCode()).as(scanned.body()).isEqualTo(302);

        Browser person = browser();
        HttpResponse<String> callback = person.get(consentedCallbackUrl(person, link));

        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(200);
        assertThat(connections.find(appId)).isPresent();
        assertThat(person.cookie()).isNotEqualTo(scanner.cookie());
    }

    @Test
    void connectWhenTheLinkHasCompletedAConnectionThenAnotherClickIs401() throws Exception {
        UUID appId = createApp("Used link");
        String link = connectLink(appId);
        Browser browser = browser();
        assertThat(browser.get(consentedCallbackUrl(browser, link)).statusCode()).isEqualTo(200);

        assertProblem(browser.get(link), 401, "invalid_connect_token");
        assertProblem(browser().get(link), 401, "invalid_connect_token");
    }

    @Test
    void connectWhenALinkIsOpenedMoreThanItsBoundThen401() throws Exception {
        UUID appId = createApp("Opened often");
        String link = connectLink(appId);
        Browser browser = browser();
        for (int opened = 0; opened < OAuthFlows.MAX_FLOWS_PER_LINK; opened++) {
            assertThat(browser.get(link).statusCode()).isEqualTo(302);
        }

        assertProblem(browser.get(link), 401, "invalid_connect_token");
        assertThat(rowText("SELECT count(*) FROM oauth_flows WHERE app_id = '" + appId + "'"))
                .startsWith(OAuthFlows.MAX_FLOWS_PER_LINK + "|");
    }

    @Test
    void callbackWhenTwoBrowsersRaceOnOneLinkThenExactlyOneConnectsAndNoOtherGrantLingers() throws Exception {
        UUID appId = createApp("Race");
        String link = connectLink(appId);
        long first = organisation();
        long second = organisation();
        Browser one = browser();
        Browser two = browser();
        dialpad.grantNextConsentTo(first);
        String oneCallback = consentedCallbackUrl(one, link);
        dialpad.grantNextConsentTo(second);
        String twoCallback = consentedCallbackUrl(two, link);
        // both exchanges are under way before either stores a connection, so the link's completion decides
        dialpad.latency(DialpadEndpoint.COMPANY, Duration.ofMillis(300));
        long grantsBefore = dialpad.activeGrantCount();

        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<HttpResponse<String>> answers;
        try {
            Future<HttpResponse<String>> oneAnswer = pool.submit(() -> one.get(oneCallback));
            Future<HttpResponse<String>> twoAnswer = pool.submit(() -> two.get(twoCallback));
            answers = List.of(oneAnswer.get(), twoAnswer.get());
        } finally {
            pool.shutdownNow();
        }

        assertThat(answers).extracting(HttpResponse::statusCode).containsExactlyInAnyOrder(200, 401);
        HttpResponse<String> loser = answers.stream().filter(answer -> answer.statusCode() == 401).findFirst()
                .orElseThrow();
        assertProblem(loser, 401, "invalid_connect_token");
        long winner = answers.get(0).statusCode() == 200 ? first : second;
        Connection stored = connections.find(appId).orElseThrow();
        assertThat(stored.organisationId()).isEqualTo(Long.toString(winner));
        assertThat(dialpad.isActive(stored.accessToken())).isTrue();
        assertThat(dialpad.activeGrantCount()).isEqualTo(grantsBefore + 1);
    }

    @Test
    void callbackWhenTheLinkNamesAnotherOrganisationThen403NothingStoredTheGrantRevokedAndTheLinkStillUsable()
            throws Exception {
        UUID appId = createApp("Bound link");
        long expected = organisation();
        String link = connectLink(appId, "{\"dialpad_org_id\": \"" + expected + "\"}");
        long grantsBefore = dialpad.activeGrantCount();
        long revocationsBefore = dialpad.deauthorizationCount();
        Browser otherCompany = browser();
        dialpad.grantNextConsentTo(organisation());

        HttpResponse<String> refused = otherCompany.get(consentedCallbackUrl(otherCompany, link));

        assertProblem(refused, 403, "organisation_mismatch");
        assertThat(refused.body()).doesNotContain(Long.toString(expected));
        assertThat(connections.find(appId)).isEmpty();
        assertThat(rowText("SELECT count(*) FROM dialpad_connections WHERE app_id = '" + appId + "'"))
                .startsWith("0|");
        assertThat(dialpad.deauthorizationCount()).isEqualTo(revocationsBefore + 1);
        assertThat(dialpad.activeGrantCount()).isEqualTo(grantsBefore);
        assertThat(auditEvents(appId, "oauth_exchange_failed"))
                .anySatisfy(event -> assertThat(event.get("details").get("reason").asText())
                        .isEqualTo("organisation_mismatch"));

        Browser rightCompany = browser();
        dialpad.grantNextConsentTo(expected);
        assertThat(rightCompany.get(consentedCallbackUrl(rightCompany, link)).statusCode()).isEqualTo(200);
        assertThat(connections.find(appId).orElseThrow().organisationId()).isEqualTo(Long.toString(expected));
    }

    @Test
    void connectWhenAnOrganisationIsConnectedToASecondAppThenAuditedAndShownInBothApps() throws Exception {
        long shared = organisation();
        UUID first = createApp("Shared first");
        UUID second = createApp("Shared second");
        dialpad.defaultOrganisationId(shared);
        try {
            assertThat(connect(browser(), first).statusCode()).isEqualTo(200);
            assertThat(auditEvents(first, "organisation_shared")).isEmpty();
            assertThat(connect(browser(), second).statusCode()).isEqualTo(200);
        } finally {
            dialpad.defaultOrganisationId(FakeDialpad.DEFAULT_ORGANISATION_ID);
        }

        assertThat(sharedWith(first)).containsExactly(second.toString());
        assertThat(sharedWith(second)).containsExactly(first.toString());
        for (UUID app : List.of(first, second)) {
            assertThat(auditEvents(app, "organisation_shared")).singleElement().satisfies(event -> {
                assertThat(event.get("details").get("organisation_id").asText()).isEqualTo(Long.toString(shared));
                assertThat(event.get("details").get("connected_app_id").asText()).isEqualTo(second.toString());
            });
        }
    }

    @Test
    void reconnectWhenAlreadyConnectedThenTheOldGrantIsRevokedAtDialpad() throws Exception {
        UUID appId = createApp("Reconnected");
        assertThat(connect(browser(), appId).statusCode()).isEqualTo(200);
        String oldToken = connections.find(appId).orElseThrow().accessToken();

        assertThat(connect(browser(), appId).statusCode()).isEqualTo(200);

        String newToken = connections.find(appId).orElseThrow().accessToken();
        assertThat(newToken).isNotEqualTo(oldToken);
        assertThat(dialpad.wasDeauthorized(oldToken)).isTrue();
        assertThat(dialpad.isActive(oldToken)).isFalse();
        assertThat(dialpad.isActive(newToken)).isTrue();
        assertThat(auditEvents(appId, "oauth_deauthorized")).singleElement().satisfies(event -> {
            assertThat(event.get("details").get("reason").asText()).isEqualTo("reconnected");
            assertThat(event.get("details").get("revoked").asText()).isEqualTo("true");
        });
    }

    @Test
    void reconnectWhenRevokingTheOldGrantFailsThenStillConnectedLoggedWithoutTokensAndAudited() throws Exception {
        UUID appId = createApp("Reconnected, revocation failing");
        assertThat(connect(browser(), appId).statusCode()).isEqualTo(200);
        String oldToken = connections.find(appId).orElseThrow().accessToken();
        dialpad.failNext(DialpadEndpoint.DEAUTHORIZE, 1, 500, "{\"error\": \"server_error\"}");

        List<String> lines;
        HttpResponse<String> reconnected;
        try (CapturedLog log = CapturedLog.start()) {
            reconnected = connect(browser(), appId);
            lines = log.texts();
        }

        assertThat(reconnected.statusCode()).as(reconnected.body()).isEqualTo(200);
        String newToken = connections.find(appId).orElseThrow().accessToken();
        assertThat(newToken).isNotEqualTo(oldToken);
        assertThat(dialpad.isActive(newToken)).isTrue();
        assertThat(auditEvents(appId, "oauth_deauthorized")).singleElement().satisfies(event -> {
            assertThat(event.get("details").get("reason").asText()).isEqualTo("reconnected");
            assertThat(event.get("details").get("revoked").asText()).isEqualTo("false");
        });
        assertThat(lines).anyMatch(line -> line.contains("did not confirm the revocation"));
        assertThat(lines).noneMatch(line -> line.contains(oldToken) || line.contains(newToken));
    }

    /** A Dialpad organisation id no other test uses. */
    private static long organisation() {
        return 7_000_000_000_000_000L + ORGANISATIONS.incrementAndGet();
    }

    /** The audit events of {@code appId} of type {@code event}, oldest first, from the export. */
    private static List<JsonNode> auditEvents(UUID appId, String event) throws Exception {
        HttpResponse<String> response = admin("GET", "/internal/audit?app_id=" + appId + "&format=json", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> matching = new ArrayList<>();
        JSON.readTree(response.body()).get("events").forEach(node -> {
            if (node.get("event").asText().equals(event)) {
                matching.add(node);
            }
        });
        return matching;
    }

    /** {@code shared_with_app_ids} of the app's connection state, as text. */
    private static List<String> sharedWith(UUID appId) throws Exception {
        HttpResponse<String> response = admin("GET", "/internal/apps/" + appId, null);
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        JSON.readTree(response.body()).get("connection").get("shared_with_app_ids")
                .forEach(id -> ids.add(id.asText()));
        return ids;
    }

    @Test
    void refreshWhenDialpadSendsNoNewRefreshTokenThenKeptCountedInMetricsAndWarnedOncePerConnection() throws Exception {
        UUID appId = createApp("Refresh without a new refresh token");
        assertThat(connect(browser(), appId).statusCode()).isEqualTo(200);
        Connection connected = connections.find(appId).orElseThrow();
        TokenRefresher refresher = switchboard.refresher().orElseThrow();
        long countedBefore = refresher.snapshot().keptRefreshToken();
        List<String> warnings;
        Connection reconnected;
        dialpad.omitRefreshToken(true);
        try (CapturedLog log = CapturedLog.start()) {
            assertThat(refresher.refreshNow(appId)).isInstanceOf(RefreshOutcome.Refreshed.class);
            assertThat(refresher.refreshNow(appId)).isInstanceOf(RefreshOutcome.Refreshed.class);
            Connection refreshed = connections.find(appId).orElseThrow();
            assertThat(refreshed.refreshToken()).isEqualTo(connected.refreshToken());
            assertThat(refreshed.accessToken()).isNotEqualTo(connected.accessToken());
            assertThat(dialpad.isCurrentRefreshToken(refreshed.refreshToken())).isTrue();

            // a new connection of the same app is warned about again, once
            dialpad.omitRefreshToken(false);
            CLOCK.advance(Duration.ofSeconds(1));
            assertThat(connect(browser(), appId).statusCode()).isEqualTo(200);
            reconnected = connections.find(appId).orElseThrow();
            dialpad.omitRefreshToken(true);
            assertThat(refresher.refreshNow(appId)).isInstanceOf(RefreshOutcome.Refreshed.class);
            warnings = log.texts().stream().filter(line -> line.contains("oauth_refresh_token_kept")).toList();
        } finally {
            dialpad.omitRefreshToken(false);
        }

        assertThat(refresher.snapshot().keptRefreshToken()).isEqualTo(countedBefore + 3);
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("switchboard_refresh_without_new_refresh_token_total "
                + (double) (countedBefore + 3));
        assertThat(warnings).hasSize(2).allSatisfy(line -> assertThat(line).contains(appId.toString())
                .doesNotContain(connected.refreshToken()).doesNotContain(connected.accessToken())
                .doesNotContain(reconnected.refreshToken()).doesNotContain(reconnected.accessToken()));
    }

    private static Browser browser() {
        return new Browser(switchboard.port());
    }

    /** Creates an app, asks for a connect link, and runs the browser through connect, Dialpad and the callback. */
    private static HttpResponse<String> connect(Browser browser, UUID appId) throws Exception {
        return browser.get(consentedCallbackUrl(browser, appId));
    }

    private static String consentedCallbackUrl(Browser browser, UUID appId) throws Exception {
        return consentedCallbackUrl(browser, connectLink(appId));
    }

    /**
     * Follows a connect link to Dialpad's (the fake's) authorize page and returns the callback URL Dialpad sends the
     * browser back to, pointed at this server's real port.
     */
    private static String consentedCallbackUrl(Browser browser, String link) throws Exception {
        Browser.Consent consent = browser.consent(link);
        assertThat(consent.authorize().toString()).startsWith(dialpad.baseUrl() + "/oauth2/authorize?");
        assertThat(Browser.query(consent.authorize())).containsEntry("code_challenge_method", "S256")
                .containsEntry("response_type", "code").containsEntry("client_id", CLIENT_ID)
                .containsEntry("redirect_uri", REDIRECT_URI);
        return consent.callback();
    }

    private static String connectLink(UUID appId) throws Exception {
        return connectLink(appId, null);
    }

    /** A connect link for {@code appId}, asked for with {@code json} as the body (none when null). */
    private static String connectLink(UUID appId, String json) throws Exception {
        HttpResponse<String> response = admin("POST", "/internal/apps/" + appId + "/connect-link", json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        URI link = URI.create(JSON.readTree(response.body()).get("connect_url").asText());
        assertThat(link.toString()).startsWith("http://localhost:4000/auth/dialpad/connect?app_id=" + appId);
        return Browser.onPort(switchboard.port(), link);
    }

    private static UUID createApp(String name) throws Exception {
        HttpResponse<String> response = admin("POST", "/internal/apps", "{\"name\": \"" + name + "\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return UUID.fromString(JSON.readTree(response.body()).get("app_id").asText());
    }

    private static HttpResponse<String> admin(String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(url(path))
                .header("Authorization", "Bearer " + INTERNAL_SECRET);
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json));
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI url(String path) {
        return URI.create("http://127.0.0.1:" + switchboard.port() + path);
    }

    private static void assertProblem(HttpResponse<String> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("error").asText()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotBlank();
    }

    private static String rowText(String sql) throws Exception {
        StringBuilder text = new StringBuilder();
        try (java.sql.Connection connection = testDatabase.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            assertThat(rows.next()).isTrue();
            for (int column = 1; column <= rows.getMetaData().getColumnCount(); column++) {
                byte[] raw = rows.getBytes(column);
                text.append(rows.getString(column)).append('|');
                if (raw != null) {
                    text.append(new String(raw, StandardCharsets.UTF_8)).append('|');
                }
            }
        }
        return text.toString();
    }

    private static SecretSetting provided(String value) {
        return new SecretSetting.Provided(new Secret(value));
    }
}
