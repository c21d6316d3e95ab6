package dev.switchboard.dialpad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.oauth2.sdk.util.URLUtils;
import dev.switchboard.core.oauth.CompanyLookup;
import dev.switchboard.core.oauth.Revocation;
import dev.switchboard.core.oauth.TokenGrant;
import dev.switchboard.core.oauth.TokenResponse;
import dev.switchboard.core.oauth.TokenResponseCheck;
import dev.switchboard.testkit.dialpad.AuthorizeOutcome;
import dev.switchboard.testkit.dialpad.DialpadEndpoint;
import dev.switchboard.testkit.dialpad.FakeDialpad;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NimbusDialpadClientTest {
    // RFC 7636 Appendix B.
    static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    static final String CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    static final String CLIENT_ID = "switchboard-test-client";
    static final String CLIENT_SECRET = "client-secret-0123456789abcdef";
    static final URI REDIRECT = URI.create("http://localhost:4000/auth/dialpad/callback?env=sandbox");
    static final List<String> SCOPES = List.of("calls:list", "recordings_export", "offline_access");

    static FakeDialpad fake;
    NimbusDialpadClient client;

    @BeforeAll
    static void startFake() {
        fake = FakeDialpad.start();
        fake.registerClient(CLIENT_ID, CLIENT_SECRET, REDIRECT.toString());
    }

    @AfterAll
    static void stopFake() {
        fake.close();
    }

    @BeforeEach
    void reset() {
        fake.resetBehaviour();
        fake.resetCounters();
        client = NimbusDialpadClient.create(settings());
    }

    static DialpadClientSettings settings() {
        return DialpadClientSettings.of(DialpadEndpoints.of(fake.baseUrl()), CLIENT_ID, CLIENT_SECRET, REDIRECT);
    }

    /** Sends the browser through the fake's consent and returns the authorization code of the callback. */
    static String consent(NimbusDialpadClient client, String challenge) {
        URI authorize = client.authorizeUrl("state-" + System.nanoTime(), challenge, SCOPES);
        AuthorizeOutcome outcome = fake.consent(authorize.toString());
        assertThat(outcome).isInstanceOf(AuthorizeOutcome.Redirected.class);
        return ((AuthorizeOutcome.Redirected) outcome).parameter("code").orElseThrow();
    }

    static TokenResponse tokens(TokenGrant grant) {
        assertThat(grant).isInstanceOf(TokenGrant.Tokens.class);
        return ((TokenGrant.Tokens) grant).response();
    }

    @Test
    void authorizeUrlWhenBuiltThenCarriesTheParametersOfRfc6749And7636() {
        URI url = client.authorizeUrl("the-state", CHALLENGE, SCOPES);

        assertThat(url.getScheme() + "://" + url.getRawAuthority() + url.getRawPath())
                .isEqualTo(fake.baseUrl() + "/oauth2/authorize");
        Map<String, List<String>> params = URLUtils.parseParameters(url.getRawQuery());
        assertThat(params).containsOnlyKeys("response_type", "client_id", "redirect_uri", "scope", "state",
                "code_challenge", "code_challenge_method");
        assertThat(params.get("response_type")).containsExactly("code");
        assertThat(params.get("client_id")).containsExactly(CLIENT_ID);
        assertThat(params.get("redirect_uri")).containsExactly(REDIRECT.toString());
        assertThat(params.get("scope")).containsExactly("calls:list recordings_export offline_access");
        assertThat(params.get("state")).containsExactly("the-state");
        assertThat(params.get("code_challenge")).containsExactly(CHALLENGE);
        assertThat(params.get("code_challenge_method")).containsExactly("S256");
    }

    @Test
    void authorizeUrlWhenFakeDialpadOpensItThenRedirectsBackWithCodeAndTheSameState() {
        AuthorizeOutcome outcome = fake.consent(client.authorizeUrl("state-42", CHALLENGE, SCOPES).toString());

        assertThat(outcome).isInstanceOf(AuthorizeOutcome.Redirected.class);
        AuthorizeOutcome.Redirected redirected = (AuthorizeOutcome.Redirected) outcome;
        assertThat(redirected.parameter("state")).contains("state-42");
        assertThat(redirected.parameter("code")).isPresent();
    }

    @Test
    void authorizeUrlWhenChallengeIsNotAnS256ChallengeOrScopesAreEmptyThenRejected() {
        assertThatThrownBy(() -> client.authorizeUrl("s", "short", SCOPES))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.authorizeUrl("s", CHALLENGE, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.authorizeUrl("s", CHALLENGE, List.of("two scopes")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.authorizeUrl(" ", CHALLENGE, SCOPES))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void exchangeWhenCodeAndVerifierMatchThenTokensThatPassTheExchangeCheck() {
        TokenResponse response = tokens(client.exchange(consent(client, CHALLENGE), VERIFIER));

        assertThat(response.accessToken()).isNotBlank();
        assertThat(response.refreshToken()).isNotBlank();
        assertThat(response.tokenType()).isEqualToIgnoringCase("bearer");
        assertThat(response.expiresIn()).isPositive();
        assertThat(TokenResponseCheck.ofExchange(response)).isInstanceOf(TokenResponseCheck.Valid.class);
        assertThat(fake.tokenExchangeCount()).isEqualTo(1);
        assertThat(fake.isActive(response.accessToken())).isTrue();
    }

    @Test
    void exchangeWhenVerifierDoesNotMatchTheChallengeThenRefusedInvalidGrant() {
        String otherVerifier = "A".repeat(43);

        TokenGrant grant = client.exchange(consent(client, CHALLENGE), otherVerifier);

        assertThat(grant).isInstanceOf(TokenGrant.Refused.class);
        assertThat(((TokenGrant.Refused) grant).errorCode()).isEqualTo("invalid_grant");
        assertThat(((TokenGrant.Refused) grant).description()).contains("PKCE verifier");
    }

    @Test
    void exchangeWhenCodeIsUsedTwiceThenSecondIsRefusedInvalidGrant() {
        String code = consent(client, CHALLENGE);
        tokens(client.exchange(code, VERIFIER));

        TokenGrant second = client.exchange(code, VERIFIER);

        assertThat(second).isInstanceOf(TokenGrant.Refused.class);
        assertThat(((TokenGrant.Refused) second).errorCode()).isEqualTo("invalid_grant");
        assertThat(fake.codeReuseCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(DialpadClientAuth.class)
    void exchangeWhenEitherClientAuthenticationIsConfiguredThenDialpadAcceptsIt(DialpadClientAuth method) {
        NimbusDialpadClient configured = NimbusDialpadClient.create(settings().withClientAuth(method));

        tokens(configured.exchange(consent(configured, CHALLENGE), VERIFIER));

        assertThat(fake.lastClientAuthenticationMethod()).contains(method.name().toLowerCase(java.util.Locale.ROOT));
    }

    @Test
    void exchangeWhenClientSecretIsWrongThenRefusedInvalidClient() {
        NimbusDialpadClient wrong = NimbusDialpadClient.create(new DialpadClientSettings(
                DialpadEndpoints.of(fake.baseUrl()), CLIENT_ID, "not-the-secret", REDIRECT,
                DialpadClientAuth.CLIENT_SECRET_BASIC, Duration.ofSeconds(5), Duration.ofSeconds(5)));

        TokenGrant grant = wrong.exchange(consent(wrong, CHALLENGE), VERIFIER);

        assertThat(grant).isInstanceOf(TokenGrant.Refused.class);
        assertThat(((TokenGrant.Refused) grant).errorCode()).isEqualTo("invalid_client");
    }

    @Test
    void exchangeWhenTokenTypeIsUppercaseThenPassedThroughRawAndAccepted() {
        fake.tokenType("BEARER");

        TokenResponse response = tokens(client.exchange(consent(client, CHALLENGE), VERIFIER));

        assertThat(response.tokenType()).isEqualTo("BEARER");
        assertThat(TokenResponseCheck.ofExchange(response)).isInstanceOf(TokenResponseCheck.Valid.class);
    }

    @Test
    void exchangeWhenRefreshTokenIsOmittedThenTokensWhoseCheckNamesOfflineAccess() {
        fake.omitRefreshToken(true);

        TokenResponse response = tokens(client.exchange(consent(client, CHALLENGE), VERIFIER));

        assertThat(response.refreshToken()).isNull();
        assertThat(TokenResponseCheck.ofExchange(response)).isEqualTo(
                new TokenResponseCheck.Invalid(TokenResponseCheck.Failure.MISSING_REFRESH_TOKEN));
    }

    @Test
    void exchangeWhenExpiresInIsMissingThenNullReachesTheCheck() {
        fake.expiresInField(dev.switchboard.testkit.dialpad.ExpiresInField.MISSING);

        TokenResponse response = tokens(client.exchange(consent(client, CHALLENGE), VERIFIER));

        assertThat(response.expiresIn()).isNull();
    }

    @Test
    void refreshWhenTokenIsCurrentThenDialpadRotatesIt() {
        TokenResponse first = tokens(client.exchange(consent(client, CHALLENGE), VERIFIER));

        TokenResponse second = tokens(client.refresh(first.refreshToken()));

        assertThat(second.accessToken()).isNotEqualTo(first.accessToken());
        assertThat(second.refreshToken()).isNotBlank().isNotEqualTo(first.refreshToken());
        assertThat(fake.isCurrentRefreshToken(second.refreshToken())).isTrue();
        assertThat(fake.isCurrentRefreshToken(first.refreshToken())).isFalse();
        assertThat(TokenResponseCheck.ofRefresh(second, first.refreshToken()))
                .isInstanceOf(TokenResponseCheck.Valid.class);
        assertThat(fake.refreshCount()).isEqualTo(1);
    }

    @Test
    void refreshWhenTokenWasAlreadyRotatedThenRefusedInvalidGrant() {
        TokenResponse first = tokens(client.exchange(consent(client, CHALLENGE), VERIFIER));
        tokens(client.refresh(first.refreshToken()));

        TokenGrant replay = client.refresh(first.refreshToken());

        assertThat(replay).isInstanceOf(TokenGrant.Refused.class);
        assertThat(((TokenGrant.Refused) replay).errorCode()).isEqualTo("invalid_grant");
        assertThat(((TokenGrant.Refused) replay).description()).contains("connected again");
        assertThat(fake.refreshTokenReuseCount()).isEqualTo(1);
    }

    @Test
    void refreshWhenDialpadAnswers500ThenUnavailable() {
        fake.failNext(DialpadEndpoint.TOKEN, 1, 500, "{\"error\":\"server_error\"}");

        TokenGrant grant = client.refresh("some-refresh-token");

        assertThat(grant).isEqualTo(new TokenGrant.Unavailable("Dialpad answered the token refresh with HTTP 500"));
    }

    @Test
    void refreshWhenDialpadAnswers429ThenUnavailableNotRefused() {
        fake.failNext(DialpadEndpoint.TOKEN, 1, 429, "{\"error\":\"rate_limited\"}");

        assertThat(client.refresh("some-refresh-token")).isInstanceOf(TokenGrant.Unavailable.class);
    }

    @Test
    void refreshWhenDialpadIsSlowerThanTheReadTimeoutThenUnavailableWithoutWaitingForIt() {
        NimbusDialpadClient impatient = NimbusDialpadClient.create(
                settings().withTimeouts(Duration.ofMillis(300), Duration.ofMillis(300)));
        fake.latency(DialpadEndpoint.TOKEN, Duration.ofSeconds(10));

        long started = System.nanoTime();
        TokenGrant grant = impatient.refresh("some-refresh-token");
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        assertThat(grant).isEqualTo(new TokenGrant.Unavailable("Dialpad did not answer within the timeout"));
        // The client gave up on its own timeouts (0.6 s plus a guard), long before the fake's 10 s answer.
        assertThat(waited).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void exchangeWhenBodyIsNotJsonThenUnavailable() {
        fake.failNext(DialpadEndpoint.TOKEN, 1, 200, "<html><body>maintenance</body></html>");

        TokenGrant grant = client.exchange("any-code", VERIFIER);

        assertThat(grant).isEqualTo(new TokenGrant.Unavailable("Dialpad's token answer was not a JSON object"));
    }

    @Test
    void exchangeWhenAnswerIsLargerThanTheCapThenUnavailable() {
        String huge = "{\"access_token\":\"" + "x".repeat(DialpadTransport.MAX_BODY_BYTES) + "\"}";
        fake.failNext(DialpadEndpoint.TOKEN, 1, 200, huge);

        assertThat(client.exchange("any-code", VERIFIER)).isInstanceOf(TokenGrant.Unavailable.class);
    }

    @Test
    void exchangeWhenErrorCarriesFreeTextThenRefusalHoldsOnlyTheCodeAndOurWords() {
        fake.failNext(DialpadEndpoint.TOKEN, 1, 400,
                "{\"error\":\"invalid_request\",\"error_description\":\"<script>leak of abc123</script>\"}");

        TokenGrant grant = client.exchange("any-code", VERIFIER);

        assertThat(grant).isEqualTo(new TokenGrant.Refused("invalid_request",
                "Dialpad refused the token exchange (invalid_request)."));
    }

    @Test
    void exchangeWhenErrorCodeIsNotAShortCodeThenStatusNamesIt() {
        fake.failNext(DialpadEndpoint.TOKEN, 1, 400, "{\"error\":\"not a code <b>\"}");

        TokenGrant grant = client.exchange("any-code", VERIFIER);

        assertThat(grant).isInstanceOf(TokenGrant.Refused.class);
        assertThat(((TokenGrant.Refused) grant).errorCode()).isEqualTo("http_400");
    }

    @Test
    void exchangeWhenNothingListensThenUnavailable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        NimbusDialpadClient nowhere = NimbusDialpadClient.create(DialpadClientSettings.of(
                DialpadEndpoints.of("http://127.0.0.1:" + port), CLIENT_ID, CLIENT_SECRET, REDIRECT));

        assertThat(nowhere.exchange("any-code", VERIFIER)).isInstanceOf(TokenGrant.Unavailable.class);
        assertThat(nowhere.deauthorize("any-token")).isInstanceOf(Revocation.Unavailable.class);
        assertThat(nowhere.companyId("any-token")).isInstanceOf(CompanyLookup.Unavailable.class);
    }

    @Test
    void companyIdWhenTokenIsLiveThenTheOrganisationIdAsText() {
        TokenResponse response = tokens(client.exchange(consent(client, CHALLENGE), VERIFIER));

        assertThat(client.companyId(response.accessToken()))
                .isEqualTo(new CompanyLookup.Found(Long.toString(FakeDialpad.DEFAULT_ORGANISATION_ID)));
    }

    @Test
    void companyIdWhenDialpadSendsTheIdAsAStringThenFound() {
        TokenResponse response = tokens(client.exchange(consent(client, CHALLENGE), VERIFIER));
        fake.idsAsStrings(true);

        assertThat(client.companyId(response.accessToken()))
                .isEqualTo(new CompanyLookup.Found(Long.toString(FakeDialpad.DEFAULT_ORGANISATION_ID)));
    }

    @Test
    void companyIdWhenAnswerHasNoIdOrDialpadFailsThenUnavailable() {
        fake.failNext(DialpadEndpoint.COMPANY, 1, 200, "{\"name\":\"Acme\"}");
        assertThat(client.companyId("any-token"))
                .isEqualTo(new CompanyLookup.Unavailable("Dialpad's company answer has no usable id"));

        fake.failNext(DialpadEndpoint.COMPANY, 1, 503, "{}");
        assertThat(client.companyId("any-token")).isInstanceOf(CompanyLookup.Unavailable.class);

        fake.failNext(DialpadEndpoint.COMPANY, 1, 403, "{}");
        assertThat(client.companyId("any-token")).isInstanceOf(CompanyLookup.Refused.class);
    }

    @Test
    void deauthorizeWhenTokenIsLiveThenRevokedAndTheTokenStopsWorking() {
        TokenResponse response = tokens(client.exchange(consent(client, CHALLENGE), VERIFIER));

        assertThat(client.deauthorize(response.accessToken())).isEqualTo(new Revocation.Revoked());

        assertThat(fake.wasDeauthorized(response.accessToken())).isTrue();
        CompanyLookup after = client.companyId(response.accessToken());
        assertThat(after).isInstanceOf(CompanyLookup.Refused.class);
        assertThat(((CompanyLookup.Refused) after).errorCode()).isEqualTo("invalid_token");
        Revocation again = client.deauthorize(response.accessToken());
        assertThat(again).isInstanceOf(Revocation.Refused.class);
        assertThat(((Revocation.Refused) again).errorCode()).isEqualTo("invalid_token");
        TokenGrant refresh = client.refresh(response.refreshToken());
        assertThat(refresh).isInstanceOf(TokenGrant.Refused.class);
    }

    @Test
    void deauthorizeWhenDialpadAnswers502ThenUnavailable() {
        fake.failNext(DialpadEndpoint.DEAUTHORIZE, 1, 502, "<html>bad gateway</html>");

        assertThat(client.deauthorize("any-token"))
                .isEqualTo(new Revocation.Unavailable("Dialpad answered the deauthorize with HTTP 502"));
    }

    @Test
    void toStringWhenPrintedThenTheClientSecretIsRedacted() {
        assertThat(settings().toString()).doesNotContain(CLIENT_SECRET).contains("(redacted)");
        assertThat(client.toString()).doesNotContain(CLIENT_SECRET);
    }

    @Test
    void settingsWhenRedirectUriHasAFragmentOrTimeoutsAreNotPositiveThenRejected() {
        DialpadEndpoints endpoints = DialpadEndpoints.of(fake.baseUrl());
        assertThatThrownBy(() -> DialpadClientSettings.of(endpoints, CLIENT_ID, CLIENT_SECRET,
                URI.create("https://example.com/cb#frag"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> settings().withTimeouts(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
