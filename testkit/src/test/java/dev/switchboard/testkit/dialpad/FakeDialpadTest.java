package dev.switchboard.testkit.dialpad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FakeDialpadTest {
    /** RFC 7636 Appendix B. */
    private static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    private static final String CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    private static final String CLIENT_ID = "switchboard-test";
    private static final String CLIENT_SECRET = "s3cret-of-the-client";
    private static final String REDIRECT_URI = "https://switchboard.example/auth/dialpad/callback?env=sandbox";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private FakeDialpad dialpad;

    @BeforeEach
    void start() {
        dialpad = FakeDialpad.start();
        dialpad.registerClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI);
    }

    @AfterEach
    void stop() {
        dialpad.close();
    }

    // ---- authorize ----

    @Test
    void consentWhenAuthorizeUrlIsValidThenRedirectsWithCodeAndSameStateKeepingTheRedirectQuery() {
        AuthorizeOutcome outcome = dialpad.consent(authorizeUrl("state-123"));

        assertThat(outcome).isInstanceOf(AuthorizeOutcome.Redirected.class);
        AuthorizeOutcome.Redirected redirected = (AuthorizeOutcome.Redirected) outcome;
        assertThat(redirected.location().toString()).startsWith(REDIRECT_URI + "&code=");
        assertThat(redirected.parameter("state")).contains("state-123");
        assertThat(redirected.parameter("env")).contains("sandbox");
        assertThat(redirected.parameter("code")).isPresent();
        assertThat(redirected.toString()).doesNotContain(redirected.parameter("code").get());
        assertThat(dialpad.requestCount("/oauth2/authorize")).isEqualTo(1);
    }

    @Test
    void consentWhenDeniedThenRedirectsWithAccessDeniedAndState() {
        dialpad.denyConsent(true);

        AuthorizeOutcome.Redirected redirected = redirected(dialpad.consent(authorizeUrl("s1")));

        assertThat(redirected.parameter("error")).contains("access_denied");
        assertThat(redirected.parameter("state")).contains("s1");
        assertThat(redirected.parameter("code")).isEmpty();
    }

    @Test
    void authorizeWhenRedirectUriIsNotRegisteredThenRefusedWithoutRedirect() {
        Map<String, String> params = authorizeParams("s");
        params.put("redirect_uri", "https://switchboard.example/auth/dialpad/callback");

        AuthorizeOutcome outcome = dialpad.authorize(params);

        assertThat(outcome).isInstanceOf(AuthorizeOutcome.Refused.class);
        assertThat(((AuthorizeOutcome.Refused) outcome).status()).isEqualTo(400);
    }

    @Test
    void authorizeWhenClientIsUnknownThenRefusedWithoutRedirect() {
        Map<String, String> params = authorizeParams("s");
        params.put("client_id", "someone-else");

        assertThat(dialpad.authorize(params)).isInstanceOf(AuthorizeOutcome.Refused.class);
    }

    @Test
    void authorizeWhenCodeChallengeIsMissingThenInvalidRequest() {
        Map<String, String> params = authorizeParams("s");
        params.remove("code_challenge");
        params.remove("code_challenge_method");

        AuthorizeOutcome.Redirected redirected = redirected(dialpad.authorize(params));

        assertThat(redirected.parameter("error")).contains("invalid_request");
        assertThat(redirected.parameter("code")).isEmpty();
    }

    @Test
    void authorizeWhenPlainIsRejectedThenInvalidRequestElsePlainVerifierWorks() throws Exception {
        Map<String, String> params = authorizeParams("s");
        params.put("code_challenge", VERIFIER);
        params.put("code_challenge_method", "plain");
        dialpad.rejectPlainPkce(true);
        assertThat(redirected(dialpad.authorize(params)).parameter("error")).contains("invalid_request");

        dialpad.rejectPlainPkce(false);
        String code = redirected(dialpad.authorize(params)).parameter("code").orElseThrow();
        assertThat(exchange(code, VERIFIER, REDIRECT_URI).statusCode()).isEqualTo(200);
    }

    @Test
    void registerClientWhenRedirectUriHasFragmentThenRefused() {
        assertThatThrownBy(() -> dialpad.registerClient("c", "s", "https://app.example/cb#frag"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- code exchange ----

    @Test
    void exchangeWhenVerifierMatchesS256ChallengeThenTokensAndCompanyOfTheGrantedOrganisation() throws Exception {
        String code = code(authorizeUrl("s"), 4242L);

        HttpResponse<String> response = exchange(code, VERIFIER, REDIRECT_URI);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
        JsonNode tokens = JSON.readTree(response.body());
        assertThat(tokens.get("token_type").asText()).isEqualTo("bearer");
        assertThat(tokens.get("expires_in").asLong()).isEqualTo(3600);
        assertThat(tokens.has("id_token")).isFalse();
        String accessToken = tokens.get("access_token").asText();
        assertThat(accessToken).isNotBlank();
        assertThat(tokens.get("refresh_token").asText()).isNotBlank().isNotEqualTo(accessToken);

        HttpResponse<String> company = get("/api/v2/company", accessToken);
        assertThat(company.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(company.body()).get("id").asLong()).isEqualTo(4242L);
        assertThat(dialpad.tokenExchangeCount()).isEqualTo(1);
        assertThat(dialpad.companyLookupCount()).isEqualTo(1);
        assertThat(dialpad.lastClientAuthenticationMethod()).contains("client_secret_post");
    }

    @Test
    void exchangeWhenNoOrganisationIsChosenThenTheDefaultAndQueuedOnesAreGranted() throws Exception {
        dialpad.grantNextConsentTo(77L);
        String first = tokens(exchange(code(authorizeUrl("a")), VERIFIER, REDIRECT_URI)).get("access_token").asText();
        String second = tokens(exchange(code(authorizeUrl("b")), VERIFIER, REDIRECT_URI)).get("access_token").asText();

        assertThat(JSON.readTree(get("/api/v2/company", first).body()).get("id").asLong()).isEqualTo(77L);
        assertThat(JSON.readTree(get("/api/v2/company", second).body()).get("id").asLong())
                .isEqualTo(FakeDialpad.DEFAULT_ORGANISATION_ID);
    }

    @Test
    void exchangeWhenVerifierIsWrongThenInvalidGrantAndTheCodeIsBurnt() throws Exception {
        String code = code(authorizeUrl("s"));

        HttpResponse<String> wrong = exchange(code, "x".repeat(43), REDIRECT_URI);
        HttpResponse<String> retry = exchange(code, VERIFIER, REDIRECT_URI);

        assertOAuthError(wrong, 400, "invalid_grant");
        assertOAuthError(retry, 400, "invalid_grant");
        assertThat(dialpad.tokenExchangeCount()).isZero();
        assertThat(dialpad.tokenExchangeFailureCount()).isEqualTo(2);
        assertThat(dialpad.codeReuseCount()).isZero();
    }

    @Test
    void exchangeWhenVerifierIsMissingThenInvalidGrant() throws Exception {
        Map<String, String> form = codeForm(code(authorizeUrl("s")), null, REDIRECT_URI);

        assertOAuthError(postForm("/oauth2/token", form, null), 400, "invalid_grant");
    }

    @Test
    void exchangeWhenCodeIsReusedThenInvalidGrantCountedAndItsTokensRevoked() throws Exception {
        String code = code(authorizeUrl("s"));
        String accessToken = tokens(exchange(code, VERIFIER, REDIRECT_URI)).get("access_token").asText();

        HttpResponse<String> again = exchange(code, VERIFIER, REDIRECT_URI);

        assertOAuthError(again, 400, "invalid_grant");
        assertThat(dialpad.codeReuseCount()).isEqualTo(1);
        assertThat(dialpad.isActive(accessToken)).isFalse();
        assertThat(get("/api/v2/company", accessToken).statusCode()).isEqualTo(401);
    }

    @Test
    void exchangeWhenRedirectUriDiffersFromTheAuthorizeRequestThenInvalidGrant() throws Exception {
        String code = code(authorizeUrl("s"));

        assertOAuthError(exchange(code, VERIFIER, "https://switchboard.example/auth/dialpad/callback"), 400,
                "invalid_grant");
    }

    @Test
    void exchangeWhenCodeHasExpiredThenInvalidGrant() throws Exception {
        String code = code(authorizeUrl("s"));
        dialpad.advanceTime(Duration.ofMinutes(10));

        assertOAuthError(exchange(code, VERIFIER, REDIRECT_URI), 400, "invalid_grant");
    }

    @Test
    void exchangeWhenCodeIsUnknownThenInvalidGrant() throws Exception {
        assertOAuthError(exchange("no-such-code", VERIFIER, REDIRECT_URI), 400, "invalid_grant");
    }

    // ---- client authentication and body formats ----

    @Test
    void tokenWhenClientAuthenticatesWithBasicThenAccepted() throws Exception {
        Map<String, String> form = codeForm(code(authorizeUrl("s")), VERIFIER, REDIRECT_URI);
        form.remove("client_secret");
        form.remove("client_id");

        HttpResponse<String> response = postForm("/oauth2/token", form, basic(CLIENT_ID, CLIENT_SECRET));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(dialpad.lastClientAuthenticationMethod()).contains("client_secret_basic");
    }

    @Test
    void tokenWhenBasicAndBodySecretAreBothSentThenInvalidRequest() throws Exception {
        Map<String, String> form = codeForm(code(authorizeUrl("s")), VERIFIER, REDIRECT_URI);

        assertOAuthError(postForm("/oauth2/token", form, basic(CLIENT_ID, CLIENT_SECRET)), 400, "invalid_request");
    }

    @Test
    void tokenWhenSecretIsWrongThenInvalidClient() throws Exception {
        Map<String, String> form = codeForm(code(authorizeUrl("s")), VERIFIER, REDIRECT_URI);
        form.put("client_secret", "wrong");

        assertOAuthError(postForm("/oauth2/token", form, null), 401, "invalid_client");
        HttpResponse<String> basic = postForm("/oauth2/token", Map.of("grant_type", "refresh_token",
                "refresh_token", "x"), basic(CLIENT_ID, "wrong"));
        assertOAuthError(basic, 401, "invalid_client");
        assertThat(basic.headers().firstValue("WWW-Authenticate")).isPresent();
    }

    @Test
    void tokenWhenBodyIsJsonThenAccepted() throws Exception {
        Map<String, String> form = codeForm(code(authorizeUrl("s")), VERIFIER, REDIRECT_URI);

        HttpResponse<String> response = post("/oauth2/token", "application/json", JSON.writeValueAsString(form),
                null);

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void tokenWhenContentTypeIsUnsupportedOrGrantTypeUnknownThenRefused() throws Exception {
        assertOAuthError(post("/oauth2/token", "text/plain", "grant_type=refresh_token", null), 400,
                "invalid_request");
        assertOAuthError(postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", CLIENT_ID,
                "client_secret", CLIENT_SECRET), null), 400, "unsupported_grant_type");
    }

    // ---- refresh ----

    @Test
    void refreshWhenRotatedThenNewPairIssuedAndReusingTheOldTokenIsInvalidGrantAndCounted() throws Exception {
        JsonNode first = tokens(exchange(code(authorizeUrl("s")), VERIFIER, REDIRECT_URI));
        String oldRefresh = first.get("refresh_token").asText();

        JsonNode second = tokens(refresh(oldRefresh));
        HttpResponse<String> reuse = refresh(oldRefresh);

        assertThat(second.get("refresh_token").asText()).isNotEqualTo(oldRefresh);
        assertThat(second.get("access_token").asText()).isNotEqualTo(first.get("access_token").asText());
        assertOAuthError(reuse, 400, "invalid_grant");
        assertThat(dialpad.refreshCount()).isEqualTo(1);
        assertThat(dialpad.refreshFailureCount()).isEqualTo(1);
        assertThat(dialpad.refreshTokenReuseCount()).isEqualTo(1);
        assertThat(dialpad.isCurrentRefreshToken(second.get("refresh_token").asText())).isTrue();
        assertThat(refresh(second.get("refresh_token").asText()).statusCode()).isEqualTo(200);
    }

    @Test
    void refreshWhenManyClientsRaceWithOneTokenThenExactlyOneWinsAndTheRestAreCountedAsReuse() throws Exception {
        String refreshToken = dialpad.issueTokens(CLIENT_ID, 1L, "offline_access").refreshToken();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<Integer>> racers = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                racers.add(() -> refresh(refreshToken).statusCode());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> status : pool.invokeAll(racers)) {
                statuses.add(status.get());
            }
            assertThat(statuses).filteredOn(status -> status == 200).hasSize(1);
            assertThat(statuses).filteredOn(status -> status == 400).hasSize(31);
        } finally {
            pool.shutdownNow();
        }
        assertThat(dialpad.refreshTokenReuseCount()).isEqualTo(31);
    }

    @Test
    void refreshWhenReuseRevokesTheGrantThenTheCurrentTokenDiesToo() throws Exception {
        dialpad.revokeGrantOnRefreshTokenReuse(true);
        IssuedTokens issued = dialpad.issueTokens(CLIENT_ID, 1L, "offline_access");
        String current = tokens(refresh(issued.refreshToken())).get("refresh_token").asText();

        refresh(issued.refreshToken());

        assertOAuthError(refresh(current), 400, "invalid_grant");
    }

    @Test
    void tokenResponseWhenSwitchedThenOmitsRefreshTokenVariesTokenTypeAndExpiresIn() throws Exception {
        IssuedTokens issued = dialpad.issueTokens(CLIENT_ID, 1L, "offline_access");
        dialpad.omitRefreshToken(true);
        dialpad.tokenType("BEARER");
        dialpad.expiresInField(ExpiresInField.MISSING);

        JsonNode refreshed = tokens(refresh(issued.refreshToken()));

        assertThat(refreshed.has("refresh_token")).isFalse();
        assertThat(refreshed.has("expires_in")).isFalse();
        assertThat(refreshed.get("token_type").asText()).isEqualTo("BEARER");
        // without a new refresh token the client keeps the old one, which must still work
        dialpad.resetBehaviour();
        dialpad.expiresInField(ExpiresInField.ZERO);
        JsonNode again = tokens(refresh(issued.refreshToken()));
        assertThat(again.get("expires_in").asLong()).isZero();
        assertThat(dialpad.isActive(again.get("access_token").asText())).isTrue();
    }

    @Test
    void companyWhenAccessTokenHasExpiredThen401() throws Exception {
        dialpad.accessTokenLifetime(Duration.ofSeconds(5));
        JsonNode tokens = tokens(exchange(code(authorizeUrl("s")), VERIFIER, REDIRECT_URI));
        assertThat(tokens.get("expires_in").asLong()).isEqualTo(5);
        String accessToken = tokens.get("access_token").asText();
        assertThat(get("/api/v2/company", accessToken).statusCode()).isEqualTo(200);

        dialpad.advanceTime(Duration.ofSeconds(5));

        HttpResponse<String> expired = get("/api/v2/company", accessToken);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.headers().firstValue("WWW-Authenticate")).isPresent();
    }

    // ---- deauthorize ----

    @Test
    void deauthorizeWhenBearerIsLiveThen204AndTheGrantIsRevoked() throws Exception {
        JsonNode tokens = tokens(exchange(code(authorizeUrl("s")), VERIFIER, REDIRECT_URI));
        String accessToken = tokens.get("access_token").asText();

        HttpResponse<String> response = post("/oauth2/deauthorize", null, null, "Bearer " + accessToken);

        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.body()).isEmpty();
        assertThat(get("/api/v2/company", accessToken).statusCode()).isEqualTo(401);
        assertOAuthError(refresh(tokens.get("refresh_token").asText()), 400, "invalid_grant");
        assertThat(dialpad.deauthorizationCount()).isEqualTo(1);
        assertThat(dialpad.wasDeauthorized(accessToken)).isTrue();
        assertThat(post("/oauth2/deauthorize", null, null, "Bearer " + accessToken).statusCode()).isEqualTo(401);
    }

    @Test
    void deauthorizeWhenTokenIsUnknownOrMissingThen401() throws Exception {
        assertThat(post("/oauth2/deauthorize", null, null, "Bearer nope").statusCode()).isEqualTo(401);
        assertThat(post("/oauth2/deauthorize", null, null, null).statusCode()).isEqualTo(401);
        assertThat(dialpad.deauthorizationCount()).isZero();
    }

    // ---- faults and latency ----

    @Test
    void failNextWhenSetThenThatManyRequestsFailWithTheStatusThenServiceResumes() throws Exception {
        IssuedTokens issued = dialpad.issueTokens(CLIENT_ID, 1L, "offline_access");
        dialpad.failNext(DialpadEndpoint.TOKEN, 2, 503, "{\"error\":\"temporarily_unavailable\"}");

        assertThat(refresh(issued.refreshToken()).statusCode()).isEqualTo(503);
        assertThat(refresh(issued.refreshToken()).statusCode()).isEqualTo(503);
        // a faulted request never reached the grant, so the refresh token is still the current one
        assertThat(refresh(issued.refreshToken()).statusCode()).isEqualTo(200);
        assertThat(dialpad.injectedFaultCount()).isEqualTo(2);
        assertThat(dialpad.refreshTokenReuseCount()).isZero();
    }

    @Test
    void failAlwaysWhenSetOnCompanyThenEveryLookupFailsUntilStopped() throws Exception {
        IssuedTokens issued = dialpad.issueTokens(CLIENT_ID, 1L, "offline_access");
        dialpad.failNext(DialpadEndpoint.ALL, 1, 429, "{\"error\":\"rate_limited\"}", Map.of("Retry-After", "2"));
        HttpResponse<String> limited = get("/api/v2/company", issued.accessToken());
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).contains("2");
        assertThat(limited.body()).contains("rate_limited");

        dialpad.failAlways(DialpadEndpoint.COMPANY, 500, "{}");
        assertThat(get("/api/v2/company", issued.accessToken()).statusCode()).isEqualTo(500);
        assertThat(get("/api/v2/company", issued.accessToken()).statusCode()).isEqualTo(500);
        dialpad.stopFailing(DialpadEndpoint.COMPANY);
        assertThat(get("/api/v2/company", issued.accessToken()).statusCode()).isEqualTo(200);
    }

    @Test
    void latencyWhenSetThenRequestsTakeAtLeastThatLong() throws Exception {
        IssuedTokens issued = dialpad.issueTokens(CLIENT_ID, 1L, "offline_access");
        dialpad.latency(DialpadEndpoint.COMPANY, Duration.ofMillis(200));

        long started = System.nanoTime();
        HttpResponse<String> response = get("/api/v2/company", issued.accessToken());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void latencyWhenManySlowRequestsArriveTogetherThenTheyAreServedConcurrently() throws Exception {
        List<IssuedTokens> grants = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            grants.add(dialpad.issueTokens(CLIENT_ID, i, "offline_access"));
        }
        dialpad.latency(Duration.ofSeconds(2));
        ExecutorService pool = Executors.newFixedThreadPool(64);
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (IssuedTokens grant : grants) {
                calls.add(() -> refresh(grant.refreshToken()).statusCode());
            }
            for (Future<Integer> status : pool.invokeAll(calls)) {
                assertThat(status.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        // two seconds of latency each, all sent at once: a fake serving one at a time would peak at 1
        assertThat(dialpad.peakInFlight()).isGreaterThanOrEqualTo(32);
        assertThat(dialpad.refreshCount()).isEqualTo(64);
    }

    // ---- webhooks and subscriptions ----

    @Test
    void webhooksAndSubscriptionsWhenCreatedThenRecordedPerOrganisationAndListable() throws Exception {
        String token = dialpad.issueTokens(CLIENT_ID, 11L, "offline_access").accessToken();
        String otherOrg = dialpad.issueTokens(CLIENT_ID, 22L, "offline_access").accessToken();

        HttpResponse<String> created = postJson("/api/v2/webhooks",
                "{\"hook_url\":\"https://switchboard.example/webhooks/dialpad/app-1\",\"secret\":\"hook-secret\"}",
                token);
        assertThat(created.statusCode()).isEqualTo(200);
        JsonNode webhook = JSON.readTree(created.body());
        long webhookId = webhook.get("id").asLong();
        assertThat(webhook.get("signature").get("algo").asText()).isEqualTo("HS256");
        assertThat(webhook.get("signature").get("type").asText()).isEqualTo("jwt");
        assertThat(webhook.get("signature").get("secret").asText()).isEqualTo("hook-secret");

        HttpResponse<String> call = postJson("/api/v2/subscriptions/call", "{\"endpoint_id\":" + webhookId
                + ",\"call_states\":[\"ringing\",\"connected\",\"hangup\"],\"enabled\":true,"
                + "\"group_calls_only\":false}", token);
        assertThat(call.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(call.body()).get("webhook").get("id").asLong()).isEqualTo(webhookId);
        HttpResponse<String> sms = postJson("/api/v2/subscriptions/sms", "{\"webhook_id\":\"" + webhookId
                + "\",\"direction\":\"inbound\",\"target_type\":\"user\",\"target_id\":5}", token);
        assertThat(sms.statusCode()).isEqualTo(200);

        assertThat(dialpad.webhooks(11L)).singleElement().satisfies(hook -> {
            assertThat(hook.signingSecret()).contains("hook-secret");
            assertThat(hook.toString()).doesNotContain("hook-secret");
        });
        assertThat(dialpad.subscriptions(11L)).extracting(FakeSubscription::kind)
                .containsExactly(DialpadEvent.Kind.CALL, DialpadEvent.Kind.SMS);
        assertThat(JSON.readTree(get("/api/v2/webhooks", token).body()).get("items")).hasSize(1);
        assertThat(JSON.readTree(get("/api/v2/webhooks", otherOrg).body()).get("items")).isEmpty();
        assertThat(get("/api/v2/webhooks/" + webhookId, otherOrg).statusCode()).isEqualTo(404);
        assertThat(postJson("/api/v2/subscriptions/call", "{\"endpoint_id\":" + webhookId
                + ",\"call_states\":[\"ringing\"]}", otherOrg).statusCode()).isEqualTo(400);

        long callId = JSON.readTree(call.body()).get("id").asLong();
        assertThat(delete("/api/v2/subscriptions/call/" + callId, token).statusCode()).isEqualTo(200);
        assertThat(get("/api/v2/subscriptions/call/" + callId, token).statusCode()).isEqualTo(404);
        assertThat(delete("/api/v2/webhooks/" + webhookId, token).statusCode()).isEqualTo(200);
        assertThat(dialpad.webhooks(11L)).isEmpty();
    }

    @Test
    void subscriptionsWhenInputIsInvalidOrTokenMissingThenRefused() throws Exception {
        String token = dialpad.issueTokens(CLIENT_ID, 11L, "offline_access").accessToken();
        long webhookId = JSON.readTree(postJson("/api/v2/webhooks", "{\"hook_url\":\"https://h.example/x\"}", token)
                .body()).get("id").asLong();

        assertThat(postJson("/api/v2/subscriptions/call", "{\"endpoint_id\":" + webhookId
                + ",\"call_states\":[\"exploded\"]}", token).statusCode()).isEqualTo(400);
        assertThat(postJson("/api/v2/subscriptions/call", "{\"call_states\":[\"ringing\"]}", token).statusCode())
                .isEqualTo(400);
        assertThat(postJson("/api/v2/webhooks", "{\"hook_url\":\"not a url\"}", token).statusCode()).isEqualTo(400);
        assertThat(postJson("/api/v2/webhooks", "{\"hook_url\":\"https://h.example/x\"}", null).statusCode())
                .isEqualTo(401);
    }

    @Test
    void idsAsStringsWhenSetThenCompanyAndWebhookIdsAreJsonStrings() throws Exception {
        dialpad.idsAsStrings(true);
        String token = dialpad.issueTokens(CLIENT_ID, 11L, "offline_access").accessToken();

        assertThat(JSON.readTree(get("/api/v2/company", token).body()).get("id").isTextual()).isTrue();
        assertThat(JSON.readTree(postJson("/api/v2/webhooks", "{\"hook_url\":\"https://h.example/x\"}", token)
                .body()).get("id").isTextual()).isTrue();
    }

    // ---- webhook sender ----

    @Test
    void deliverWhenSubscribedThenReceiverGetsAJwtWhoseSignatureVerifiesWithJavaxCrypto() throws Exception {
        AtomicReference<String> contentType = new AtomicReference<>();
        AtomicReference<byte[]> received = new AtomicReference<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            contentType.set(exchange.getRequestHeaders().getFirst("Content-Type"));
            received.set(exchange.getRequestBody().readAllBytes());
            byte[] answer = "{\"received\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        receiver.start();
        try {
            String hookUrl = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            String token = dialpad.issueTokens(CLIENT_ID, 11L, "offline_access").accessToken();
            long webhookId = JSON.readTree(postJson("/api/v2/webhooks", "{\"hook_url\":\"" + hookUrl
                    + "\",\"secret\":\"hook-secret\"}", token).body()).get("id").asLong();
            postJson("/api/v2/subscriptions/call", "{\"endpoint_id\":" + webhookId
                    + ",\"call_states\":[\"ringing\"]}", token);

            DialpadEvent ringing = DialpadEvents.call(9001L, "ringing").build();
            List<Delivery> deliveries = dialpad.deliver(11L, ringing);
            List<Delivery> none = dialpad.deliver(11L, DialpadEvents.call(9001L, "hangup").build());

            assertThat(deliveries).singleElement().satisfies(delivery -> {
                assertThat(delivery.succeeded()).isTrue();
                assertThat(delivery.body()).contains("received");
            });
            assertThat(none).isEmpty();
            assertThat(contentType.get()).isEqualTo("application/jwt; charset=utf-8");
            String[] parts = new String(received.get(), StandardCharsets.US_ASCII).split("\\.");
            assertThat(parts).hasSize(3);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec("hook-secret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] expected = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            assertThat(MessageDigest.isEqual(expected, Base64.getUrlDecoder().decode(parts[2]))).isTrue();
            JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
            assertThat(header.get("alg").asText()).isEqualTo("HS256");
            assertThat(header.get("typ").asText()).isEqualTo("JWT");
            JsonNode payload = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            assertThat(payload.get("call_id").asLong()).isEqualTo(9001L);
            assertThat(payload.get("state").asText()).isEqualTo("ringing");

            byte[] body = "{\"call_id\":1}".getBytes(StandardCharsets.UTF_8);
            Delivery legacy = WebhookSender.create().sendSignedJson(URI.create(hookUrl), body,
                    Hs256Jwt.hmacSha256Hex("k".getBytes(StandardCharsets.UTF_8), body));
            assertThat(legacy.status()).isEqualTo(200);
            assertThat(received.get()).isEqualTo(body);
        } finally {
            receiver.stop(0);
        }
    }

    // ---- helpers ----

    private Map<String, String> authorizeParams(String state) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("response_type", "code");
        params.put("client_id", CLIENT_ID);
        params.put("redirect_uri", REDIRECT_URI);
        params.put("scope", "calls:list recordings_export offline_access");
        params.put("state", state);
        params.put("code_challenge", CHALLENGE);
        params.put("code_challenge_method", "S256");
        return params;
    }

    private String authorizeUrl(String state) {
        return dialpad.authorizeUrl(authorizeParams(state));
    }

    private String code(String authorizeUrl) {
        return redirected(dialpad.consent(authorizeUrl)).parameter("code").orElseThrow();
    }

    private String code(String authorizeUrl, long organisationId) {
        return redirected(dialpad.consent(authorizeUrl, organisationId)).parameter("code").orElseThrow();
    }

    private static AuthorizeOutcome.Redirected redirected(AuthorizeOutcome outcome) {
        assertThat(outcome).isInstanceOf(AuthorizeOutcome.Redirected.class);
        return (AuthorizeOutcome.Redirected) outcome;
    }

    private static Map<String, String> codeForm(String code, String verifier, String redirectUri) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", redirectUri);
        if (verifier != null) {
            form.put("code_verifier", verifier);
        }
        form.put("client_id", CLIENT_ID);
        form.put("client_secret", CLIENT_SECRET);
        return form;
    }

    private HttpResponse<String> exchange(String code, String verifier, String redirectUri) throws Exception {
        return postForm("/oauth2/token", codeForm(code, verifier, redirectUri), null);
    }

    private HttpResponse<String> refresh(String refreshToken) throws Exception {
        return postForm("/oauth2/token", Map.of("grant_type", "refresh_token", "refresh_token", refreshToken,
                "client_id", CLIENT_ID, "client_secret", CLIENT_SECRET), null);
    }

    private static JsonNode tokens(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static void assertOAuthError(HttpResponse<String> response, int status, String error) throws Exception {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo(error);
    }

    private static String basic(String id, String secret) {
        String pair = URLEncoder.encode(id, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(secret,
                StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> postForm(String path, Map<String, String> form, String authorization)
            throws Exception {
        StringJoiner body = new StringJoiner("&");
        form.forEach((name, value) -> body.add(URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return post(path, "application/x-www-form-urlencoded", body.toString(), authorization);
    }

    private HttpResponse<String> postJson(String path, String json, String bearer) throws Exception {
        return post(path, "application/json", json, bearer == null ? null : "Bearer " + bearer);
    }

    private HttpResponse<String> post(String path, String contentType, String body, String authorization)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(dialpad.baseUrl() + path))
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String bearer) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(dialpad.baseUrl() + path))
                .header("Authorization", "Bearer " + bearer).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> delete(String path, String bearer) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(dialpad.baseUrl() + path))
                .header("Authorization", "Bearer " + bearer).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }
}
