package dev.switchboard.dialpad;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.switchboard.core.oauth.CompanyLookup;
import dev.switchboard.core.oauth.Revocation;
import dev.switchboard.core.oauth.TokenGrant;
import dev.switchboard.core.oauth.TokenResponse;
import dev.switchboard.core.webhook.DialpadWebhookAdmin;
import dev.switchboard.core.webhook.DialpadWebhookSecret;
import dev.switchboard.testkit.dialpad.AuthorizeOutcome;
import dev.switchboard.testkit.dialpad.DialpadEndpoint;
import dev.switchboard.testkit.dialpad.FakeDialpad;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Runs every call at DEBUG and searches everything that reached the log for the secrets the calls carried. */
class DialpadLogSecrecyTest {
    static final String CLIENT_ID = "log-test-client";
    static final String CLIENT_SECRET = "log-test-client-secret-5f4e3d2c1b0a";
    static final URI REDIRECT = URI.create("http://localhost:4000/auth/dialpad/callback");
    static final String WEBHOOK_SECRET = "log-test-webhook-secret-a1b2c3d4";

    FakeDialpad fake;
    ListAppender<ILoggingEvent> appender;
    Logger root;
    Level rootLevel;

    @BeforeEach
    void capture() {
        fake = FakeDialpad.start();
        fake.registerClient(CLIENT_ID, CLIENT_SECRET, REDIRECT.toString());
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        root.setLevel(Level.DEBUG);
        appender = new ListAppender<>();
        appender.start();
        root.addAppender(appender);
    }

    @AfterEach
    void release() {
        root.detachAppender(appender);
        root.setLevel(rootLevel);
        fake.close();
    }

    @Test
    void logWhenAFullLifecycleRunsAtDebugThenNoSecretTokenCodeOrVerifierAppears() {
        NimbusDialpadClient client = NimbusDialpadClient.create(DialpadClientSettings.of(
                DialpadEndpoints.of(fake.baseUrl()), CLIENT_ID, CLIENT_SECRET, REDIRECT));
        DialpadWebhooksClient webhooks = DialpadWebhooksClient.create(DialpadEndpoints.of(fake.baseUrl()));
        List<String> secrets = new ArrayList<>(List.of(CLIENT_SECRET, WEBHOOK_SECRET,
                NimbusDialpadClientTest.VERIFIER));

        URI authorize = client.authorizeUrl("log-state-0123456789", NimbusDialpadClientTest.CHALLENGE,
                NimbusDialpadClientTest.SCOPES);
        String code = ((AuthorizeOutcome.Redirected) fake.consent(authorize.toString())).parameter("code")
                .orElseThrow();
        secrets.add(code);
        TokenResponse exchanged = ((TokenGrant.Tokens) client.exchange(code, NimbusDialpadClientTest.VERIFIER))
                .response();
        secrets.add(exchanged.accessToken());
        secrets.add(exchanged.refreshToken());
        TokenResponse refreshed = ((TokenGrant.Tokens) client.refresh(exchanged.refreshToken())).response();
        secrets.add(refreshed.accessToken());
        secrets.add(refreshed.refreshToken());
        // Failures log too: a replayed refresh token, a Dialpad outage, later a reused code.
        assertThat(client.refresh(exchanged.refreshToken())).isInstanceOf(TokenGrant.Refused.class);
        fake.failNext(DialpadEndpoint.TOKEN, 1, 200, "{\"access_token\":" + "\"" + refreshed.accessToken());
        assertThat(client.refresh(refreshed.refreshToken())).isInstanceOf(TokenGrant.Unavailable.class);
        assertThat(client.companyId(refreshed.accessToken())).isInstanceOf(CompanyLookup.Found.class);
        String webhookId = ((DialpadWebhookAdmin.Created) webhooks.createWebhook(refreshed.accessToken(),
                URI.create("https://switchboard.example/webhooks/dialpad/app"),
                new DialpadWebhookSecret(WEBHOOK_SECRET))).id();
        assertThat(webhooks.createCallSubscription(refreshed.accessToken(), webhookId, List.of("all")))
                .isInstanceOf(DialpadWebhookAdmin.Created.class);
        assertThat(webhooks.listWebhooks(refreshed.accessToken())).isInstanceOf(DialpadWebhookAdmin.Listed.class);
        assertThat(client.deauthorize(refreshed.accessToken())).isEqualTo(new Revocation.Revoked());
        assertThat(client.companyId(refreshed.accessToken())).isInstanceOf(CompanyLookup.Refused.class);
        assertThat(client.exchange(code, NimbusDialpadClientTest.VERIFIER)).isInstanceOf(TokenGrant.Refused.class);

        List<String> logged = new ArrayList<>();
        for (ILoggingEvent event : appender.list) {
            logged.add(event.getFormattedMessage());
            if (event.getArgumentArray() != null) {
                for (Object argument : event.getArgumentArray()) {
                    logged.add(String.valueOf(argument));
                }
            }
            for (IThrowableProxy thrown = event.getThrowableProxy(); thrown != null; thrown = thrown.getCause()) {
                logged.add(thrown.getMessage());
            }
        }
        assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(line -> line.contains("token exchange answered 200"))
                .anyMatch(line -> line.contains("token refresh answered 400"))
                .anyMatch(line -> line.contains("deauthorize answered 204"));
        for (String line : logged) {
            if (line == null) {
                continue;
            }
            for (String secret : secrets) {
                assertThat(line).as("a log line").doesNotContain(secret);
            }
        }
    }
}
