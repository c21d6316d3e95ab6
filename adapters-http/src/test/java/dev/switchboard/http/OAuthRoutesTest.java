package dev.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.apps.App;
import dev.switchboard.core.oauth.TokenGrant;
import dev.switchboard.core.oauth.TokenResponse;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OAuthRoutesTest {
    private RoutesFixture fixture;
    private App app;

    @BeforeEach
    void start() {
        fixture = new RoutesFixture(false, Optional.empty());
        app = fixture.apps.create("CRM");
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void connectWhenInputInvalidThenStatusesInTheContractsOrder() throws Exception {
        assertProblem(fixture.send(fixture.request("/auth/dialpad/connect")), 400, "missing_app_id");
        assertProblem(fixture.send(fixture.request("/auth/dialpad/connect?app_id=not-a-uuid&connect_token=x")),
                400, "invalid_app_id");
        assertProblem(fixture.send(fixture.request("/auth/dialpad/connect?app_id=" + UUID.randomUUID()
                + "&connect_token=x")), 404, "app_not_found");
        assertProblem(fixture.send(fixture.request("/auth/dialpad/connect?app_id=" + app.id() + "&connect_token=x")),
                401, "invalid_connect_token");
        assertProblem(fixture.send(fixture.request("/auth/dialpad/connect?app_id=" + app.id())),
                401, "invalid_connect_token");
        fixture.apps.update(app.id(), null, false);
        assertProblem(fixture.send(fixture.request("/auth/dialpad/connect?app_id=" + app.id() + "&connect_token=x")),
                403, "app_inactive");
    }

    @Test
    void connectWhenLinkValidThenRedirectsWithStateAndS256AndSetsTheBindingCookie() throws Exception {
        HttpResponse<String> response = fixture.send(fixture.request(connectPath(connectUrl())));

        assertThat(response.statusCode()).isEqualTo(302);
        Map<String, String> query = query(URI.create(response.headers().firstValue("Location").orElseThrow()));
        assertThat(query.get("state")).matches("[A-Za-z0-9_-]{43,}");
        assertThat(query.get("code_challenge")).matches("[A-Za-z0-9_-]{43}");
        assertThat(query).containsEntry("code_challenge_method", "S256").containsEntry("scope", "calls:list offline_access");
        String cookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith("switchboard_oauth=").contains("; Path=/").contains("; Max-Age=900")
                .contains("; HttpOnly").contains("; SameSite=Lax").doesNotContain("Secure");
    }

    @Test
    void connectWhenLinkOpenedTwiceThenBothStartAFlowAndAfterACompletedConnectionIt401s() throws Exception {
        String path = connectPath(connectUrl());
        assertThat(fixture.send(fixture.request(path)).statusCode()).isEqualTo(302);
        Flow flow = startFlow(path);
        assertThat(callback("code=c&state=" + flow.state, flow.cookie).statusCode()).isEqualTo(200);

        assertProblem(fixture.send(fixture.request(path)), 401, "invalid_connect_token");
    }

    @Test
    void callbackWhenFlowCompleteThenConnectsAnswersJsonAndClearsTheCookie() throws Exception {
        Flow flow = startFlow();

        HttpResponse<String> response = callback("code=the-code&state=" + flow.state, flow.cookie);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(RoutesFixture.json(response).get("message").asText()).isEqualTo("Dialpad connected");
        assertThat(RoutesFixture.json(response).get("app_id").asText()).isEqualTo(app.id().toString());
        assertThat(RoutesFixture.json(response).get("environment").asText()).isEqualTo("sandbox");
        assertThat(response.headers().firstValue("Set-Cookie")).hasValueSatisfying(
                cookie -> assertThat(cookie).startsWith("switchboard_oauth=;").contains("Max-Age=0"));
        assertThat(fixture.connections.find(app.id()).orElseThrow().organisationId()).isEqualTo("org-42");
        assertThat(fixture.dialpad.exchanged()).containsExactly("the-code");
    }

    @Test
    void callbackWhenStateReplayedThen400AndNoSecondExchange() throws Exception {
        Flow flow = startFlow();
        assertThat(callback("code=the-code&state=" + flow.state, flow.cookie).statusCode()).isEqualTo(200);

        HttpResponse<String> replay = callback("code=the-code&state=" + flow.state, flow.cookie);

        assertProblem(replay, 400, "invalid_state");
        assertThat(replay.headers().firstValue("Set-Cookie")).hasValueSatisfying(
                cookie -> assertThat(cookie).contains("Max-Age=0"));
        assertThat(fixture.dialpad.exchanged()).hasSize(1);
    }

    @Test
    void callbackWhenStateMissingOrFromAnotherBrowserThenRefusedAndBurned() throws Exception {
        assertProblem(callback("code=c", null), 400, "missing_state");

        Flow flow = startFlow();
        Flow other = startFlow();
        assertProblem(callback("code=c&state=" + flow.state, null), 400, "state_mismatch");
        assertProblem(callback("code=c&state=" + flow.state, flow.cookie), 400, "invalid_state");
        assertProblem(callback("code=c&state=" + other.state, flow.cookie), 400, "state_mismatch");
        assertThat(fixture.dialpad.exchanged()).isEmpty();
    }

    @Test
    void callbackWhenStateExpiredThen400() throws Exception {
        Flow flow = startFlow();
        fixture.clock.advance(Duration.ofMinutes(16));
        assertProblem(callback("code=c&state=" + flow.state, flow.cookie), 400, "expired_state");
    }

    @Test
    void callbackWhenConsentDeniedThen400AndTheStateIsUsedUp() throws Exception {
        Flow flow = startFlow();
        assertProblem(callback("error=access_denied&state=" + flow.state, flow.cookie), 400, "consent_denied");
        assertProblem(callback("code=c&state=" + flow.state, flow.cookie), 400, "invalid_state");
        assertThat(fixture.connections.all()).isEmpty();
    }

    @Test
    void callbackWhenRefreshTokenMissingThen502NamingOfflineAccess() throws Exception {
        fixture.dialpad.answerExchange(new TokenGrant.Tokens(new TokenResponse("access-1", null, "bearer", 3600L)));
        Flow flow = startFlow();

        HttpResponse<String> response = callback("code=c&state=" + flow.state, flow.cookie);

        assertProblem(response, 502, "missing_refresh_token");
        assertThat(RoutesFixture.json(response).get("message").asText()).contains("offline_access");
        assertThat(fixture.connections.all()).isEmpty();
    }

    @Test
    void callbackWhenDialpadFailsThen502WithOurOwnWords() throws Exception {
        fixture.dialpad.answerExchange(new TokenGrant.Unavailable("HTTP 500 <html>stack</html>"));
        Flow flow = startFlow();
        HttpResponse<String> response = callback("code=c&state=" + flow.state, flow.cookie);
        assertProblem(response, 502, "dialpad_unavailable");
        assertThat(response.body()).doesNotContain("html");

        fixture.dialpad.answerExchange(new TokenGrant.Refused("invalid_grant", "The code was refused."));
        Flow second = startFlow();
        assertProblem(callback("code=c&state=" + second.state, second.cookie), 502, "token_exchange_failed");
    }

    @Test
    void callbackWhenCodeMissingThen400() throws Exception {
        Flow flow = startFlow();
        assertProblem(callback("state=" + flow.state, flow.cookie), 400, "missing_code");
    }

    @Test
    void disconnectWhenConnectedThenRevokesOnceAndSecondTimeIs404() throws Exception {
        Flow flow = startFlow();
        callback("code=c&state=" + flow.state, flow.cookie);

        assertProblem(fixture.send(fixture.request("/auth/dialpad/disconnect/" + app.id())
                .POST(HttpRequest.BodyPublishers.noBody())), 401, "missing_authorization");
        assertProblem(fixture.send(fixture.internal("/auth/dialpad/disconnect/nope")
                .POST(HttpRequest.BodyPublishers.noBody())), 400, "invalid_app_id");

        HttpResponse<String> first = fixture.send(fixture.internal("/auth/dialpad/disconnect/" + app.id())
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(RoutesFixture.json(first).get("revoked").asBoolean()).isTrue();
        assertThat(RoutesFixture.json(first).get("app_id").asText()).isEqualTo(app.id().toString());
        assertThat(RoutesFixture.json(first).get("message").asText()).isNotBlank();
        assertThat(fixture.dialpad.deauthorized()).containsExactly("access-1");

        assertProblem(fixture.send(fixture.internal("/auth/dialpad/disconnect/" + app.id())
                .POST(HttpRequest.BodyPublishers.noBody())), 404, "not_connected");
    }

    @Test
    void productionWhenConnectingThenCookieIsSecureAndHostPrefixedAndSuccessRedirects() throws Exception {
        fixture.close();
        fixture = new RoutesFixture(true, Optional.of(URI.create("https://crm.example/connected")));
        app = fixture.apps.create("CRM");

        Flow flow = startFlow();
        assertThat(flow.setCookie).startsWith("__Host-switchboard_oauth=").contains("; Secure").contains("; Path=/");
        HttpResponse<String> done = callback("code=c&state=" + flow.state, flow.cookie);

        assertThat(done.statusCode()).isEqualTo(302);
        assertThat(done.headers().firstValue("Location")).hasValue("https://crm.example/connected");
        assertThat(done.headers().firstValue("Set-Cookie")).hasValueSatisfying(
                cookie -> assertThat(cookie).startsWith("__Host-switchboard_oauth=;").contains("Secure"));
    }

    private record Flow(String state, String cookie, String setCookie) {
    }

    private Flow startFlow() throws Exception {
        return startFlow(connectPath(connectUrl()));
    }

    private Flow startFlow(String connectPath) throws Exception {
        HttpResponse<String> response = fixture.send(fixture.request(connectPath));
        assertThat(response.statusCode()).isEqualTo(302);
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        String state = query(URI.create(response.headers().firstValue("Location").orElseThrow())).get("state");
        return new Flow(state, setCookie.substring(0, setCookie.indexOf(';')), setCookie);
    }

    private HttpResponse<String> callback(String query, String cookie) throws Exception {
        HttpRequest.Builder request = fixture.request("/auth/dialpad/callback?" + query);
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return fixture.send(request);
    }

    private String connectUrl() throws Exception {
        HttpResponse<String> response = fixture.postJson("/internal/apps/" + app.id() + "/connect-link", "{}");
        assertThat(response.statusCode()).isEqualTo(201);
        return RoutesFixture.json(response).get("connect_url").asText();
    }

    private static String connectPath(String connectUrl) {
        URI uri = URI.create(connectUrl);
        return uri.getRawPath() + "?" + uri.getRawQuery();
    }

    private static Map<String, String> query(URI uri) {
        return Arrays.stream(uri.getRawQuery().split("&")).map(pair -> pair.split("=", 2))
                .collect(Collectors.toMap(pair -> pair[0], pair -> URLDecoder.decode(pair[1], StandardCharsets.UTF_8)));
    }

    static void assertProblem(HttpResponse<String> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(RoutesFixture.json(response).get("error").asText()).isEqualTo(code);
        assertThat(RoutesFixture.json(response).get("message").asText()).isNotBlank();
    }
}
