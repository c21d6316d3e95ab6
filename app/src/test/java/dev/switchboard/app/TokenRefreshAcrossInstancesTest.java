package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.app.config.AppEnvironment;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.DatabaseConfig;
import dev.switchboard.app.config.DialpadConfig;
import dev.switchboard.app.config.LoggingConfig;
import dev.switchboard.app.config.SecretSetting;
import dev.switchboard.app.config.Secrets;
import dev.switchboard.core.apps.App;
import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.oauth.DialpadEnvironment;
import dev.switchboard.core.oauth.RefreshHealth;
import dev.switchboard.core.oauth.TokenRefresher;
import dev.switchboard.core.secrets.Secret;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.http.IpRange;
import dev.switchboard.http.RateLimitConfig;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.JdbiConnectionStore;
import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.TestDatabase;
import dev.switchboard.testkit.dialpad.FakeDialpad;
import dev.switchboard.testkit.dialpad.IssuedTokens;
import dev.switchboard.testkit.dialpad.OAuthClient;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Switchboard instances on one database refresh 200 connections whose access tokens live 6 seconds, against
 * one fake Dialpad that rotates refresh tokens and counts every reuse. Runs until every connection has been
 * refreshed {@value #REFRESHES_EACH} times (about a minute).
 */
class TokenRefreshAcrossInstancesTest {
    private static final int CONNECTIONS = 200;
    private static final int REFRESHES_EACH = 15;
    private static final Duration TOKEN_LIFETIME = Duration.ofSeconds(6);
    private static final String REDIRECT_URI = "http://localhost:4000/auth/dialpad/callback";
    /** Stops a broken run from hanging the build; the test asserts counts, never durations. */
    private static final Duration HANG_GUARD = Duration.ofMinutes(5);

    private static TestDatabase testDatabase;
    private static FakeDialpad dialpad;

    @TempDir
    Path dataOne;
    @TempDir
    Path dataTwo;

    @BeforeAll
    static void startDependencies() {
        testDatabase = TestDatabase.create();
        dialpad = FakeDialpad.start();
    }

    @AfterAll
    static void stopDependencies() {
        dialpad.close();
        testDatabase.close();
    }

    @Test
    void refreshWhenTwoInstancesShareOneDatabaseThenEveryConnectionRefreshedWithoutReuseOrReconnect()
            throws Exception {
        OAuthClient client = dialpad.registerNewClient(REDIRECT_URI);
        dialpad.accessTokenLifetime(TOKEN_LIFETIME);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String tokenKey = Base64.getEncoder().encodeToString(key);
        // refresh 6-second tokens at half their lifetime, checking for due connections twice a second
        RefresherConfig refresher = new RefresherConfig(16, Duration.ofSeconds(3), Duration.ofMillis(500));
        DatabaseConfig sharedDatabase = new DatabaseConfig.External(testDatabase.jdbcUrl(), Optional.empty(),
                Optional.empty(), 20);

        try (Database database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 4))) {
            JdbiConnectionStore connections = JdbiConnectionStore.create(database,
                    SecretCipher.fromBase64Key(tokenKey, new SecureRandom()));
            List<UUID> appIds = seed(database, connections, client, refresher);
            TokenRefresher.Snapshot second;
            String metrics;

            Switchboard one = Switchboard.start(configuration(dataOne, sharedDatabase, client, tokenKey), refresher,
                    new SecureRandom());
            try {
                Switchboard two = Switchboard.start(configuration(dataTwo, sharedDatabase, client, tokenKey),
                        refresher, new SecureRandom());
                try {
                    awaitEveryConnectionRefreshed(REFRESHES_EACH);
                    metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                                    java.net.URI.create("http://127.0.0.1:" + one.port() + "/metrics")).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                } finally {
                    two.close();
                }
                second = two.refresher().orElseThrow().snapshot();
            } finally {
                one.close();
            }
            TokenRefresher.Snapshot first = one.refresher().orElseThrow().snapshot();

            assertThat(dialpad.refreshTokenReuseCount()).isZero();
            assertThat(dialpad.refreshFailureCount()).isZero();
            assertThat(first.refreshed()).isPositive();
            assertThat(second.refreshed()).isPositive();
            assertThat(first.refreshed() + second.refreshed()).isEqualTo(dialpad.refreshCount());
            assertThat(first.failed() + second.failed() + first.needsReconnect() + second.needsReconnect()
                    + first.tokensLost() + second.tokensLost()).isZero();
            assertThat(first.peakInFlight()).isLessThanOrEqualTo(16);
            assertThat(second.peakInFlight()).isLessThanOrEqualTo(16);
            for (UUID appId : appIds) {
                Connection connection = connections.find(appId).orElseThrow();
                assertThat(connection.health().needsReconnect()).isFalse();
                assertThat(connection.health().consecutiveFailures()).isZero();
                assertThat(dialpad.isCurrentRefreshToken(connection.refreshToken())).isTrue();
            }
            assertThat(countEvents("oauth_refresh_failed") + countEvents("oauth_needs_reconnect")).isZero();
            // the refresher's outcomes, as /metrics shows them
            assertThat(metrics).containsPattern("switchboard_token_refreshes_total\\{outcome=\"refreshed\",?\\} [1-9]")
                    .contains("switchboard_token_refreshes_total{outcome=\"failed\"} 0.0");
        }
    }

    private static List<UUID> seed(Database database, JdbiConnectionStore connections, OAuthClient client,
                                   RefresherConfig refresher) {
        JdbiAppStore apps = JdbiAppStore.create(database, Clock.systemUTC());
        List<UUID> appIds = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            App app = apps.create("crm-" + i);
            long organisation = 7_000_000_000L + i;
            IssuedTokens tokens = dialpad.issueTokens(client.clientId(), organisation, "offline_access");
            Instant now = Instant.now();
            connections.save(new Connection(app.id(), Long.toString(organisation), tokens.accessToken(),
                    tokens.refreshToken(), tokens.accessTokenExpiresAt(), DialpadEnvironment.SANDBOX, now, now,
                    RefreshHealth.initial(refresher.policy().dueAt(now, tokens.accessTokenExpiresAt()))));
            appIds.add(app.id());
        }
        return appIds;
    }

    private static void awaitEveryConnectionRefreshed(int times) throws Exception {
        long least = Await.atMost(HANG_GUARD).pollingEvery(Duration.ofMillis(500))
                .until(TokenRefreshAcrossInstancesTest::leastRefreshes, refreshes -> refreshes >= times);
        if (least < times) {
            throw new AssertionError("some connection was refreshed only " + least + " times");
        }
    }

    /** The fewest successful refreshes any connection has had, from the audit log. */
    private static long leastRefreshes() throws SQLException {
        try (java.sql.Connection jdbc = testDatabase.connect(); Statement statement = jdbc.createStatement();
             ResultSet rows = statement.executeQuery("""
                     SELECT coalesce(min(refreshes), 0) FROM (
                         SELECT count(l.id) AS refreshes FROM apps a
                         LEFT JOIN audit_log l ON l.app_id = a.id AND l.event = 'oauth_refreshed'
                         GROUP BY a.id) per_app""")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static long countEvents(String event) throws SQLException {
        try (java.sql.Connection jdbc = testDatabase.connect(); Statement statement = jdbc.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT count(*) FROM audit_log WHERE event = '" + event + "'")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static Configuration configuration(Path data, DatabaseConfig database, OAuthClient client,
                                               String tokenKey) {
        Secrets secrets = new Secrets(new SecretSetting.GenerateInSandbox(), new SecretSetting.GenerateInSandbox(),
                SecretSetting.provided(tokenKey), new SecretSetting.GenerateInSandbox());
        DialpadConfig dialpadConfig = new DialpadConfig(
                Optional.of(new DialpadConfig.Client(client.clientId(), new Secret(client.clientSecret()))),
                URI.create(REDIRECT_URI), dialpad.baseUri(), List.of("calls:list", "offline_access"));
        return new Configuration(AppEnvironment.SANDBOX, "127.0.0.1", 0, URI.create("http://localhost:4000"),
                dialpadConfig, secrets, database, List.<IpRange>of(), RateLimitConfig.DEFAULTS,
                LoggingConfig.DEFAULTS, Optional.empty(), data);
    }
}
