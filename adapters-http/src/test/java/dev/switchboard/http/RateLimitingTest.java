package dev.switchboard.http;

import static dev.switchboard.http.TestHttp.get;
import static dev.switchboard.http.TestHttp.request;
import static dev.switchboard.http.TestHttp.send;
import static dev.switchboard.testkit.PushClient.handshakeStatus;
import static dev.switchboard.testkit.PushClient.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.ratelimit.RateLimiter;
import dev.switchboard.testkit.PushClient.KeyPlacement;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RateLimitingTest {
    private static final RateLimitConfig SMALL = new RateLimitConfig(RateLimitConfig.Store.MEMORY, 3, 2, 4, 10);
    private static final String GOOD_KEY = "good-key";

    /** Routes under every limited prefix; the OAuth ones and the WebSocket succeed or fail on demand. */
    private static final RouteGroup ROUTES = routes -> {
        routes.get("/api/calls/{id}", ctx -> ctx.json(List.of()));
        routes.wsBeforeUpgrade("/ws", ctx -> {
            if (!GOOD_KEY.equals(ctx.queryParam("api_key"))) {
                throw Problems.unauthorized("invalid_api_key", "The API key is not valid.");
            }
        });
        routes.ws("/ws", ws -> ws.onMessage(ctx -> { }));
        routes.get("/internal/apps", ctx -> ctx.json(List.of()));
        routes.post("/webhooks/dialpad", ctx -> {
            // as the webhook routes do: a delivery that does not verify is reported, one that does is not
            if (!"signed".equals(ctx.body())) {
                RateLimiting.countRejection(ctx);
                throw Problems.unauthorized("invalid_signature", "The webhook signature is missing or not valid.");
            }
            ctx.json(List.of());
        });
        routes.get("/auth/dialpad/connect", ctx -> {
            if (!"yes".equals(ctx.queryParam("ok"))) {
                throw Problems.unauthorized("invalid_connect_token", "The connect link is not valid.");
            }
            ctx.status(302).header("Location", "https://dialpad.example/authorize");
        });
    };

    private HttpServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    private int start(RateLimitConfig limits, ClientAddress clientAddress) {
        RateLimiting rateLimiting = RateLimiting.of(
                RateLimiter.using(MemoryRateLimitStore.create(Clock.systemUTC())), limits);
        server = HttpServer.start(HttpSettings.of("127.0.0.1", 0),
                EdgePolicy.defaults().withRateLimiting(rateLimiting).withClientAddress(clientAddress), List.of(ROUTES));
        return server.port();
    }

    @Test
    void apiLimitWhenReachedThenNextIs429WithHeadersAndNotBefore() throws Exception {
        int port = start(SMALL, ClientAddress.trustingNone());
        for (int i = 1; i <= 3; i++) {
            HttpResponse<String> response = get(port, "/api/calls/" + i);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("RateLimit-Limit")).hasValue("3");
            assertThat(response.headers().firstValue("RateLimit-Remaining")).hasValue(Integer.toString(3 - i));
            assertThat(response.headers().firstValue("RateLimit-Reset")).hasValueSatisfying(
                    reset -> assertThat(Long.parseLong(reset)).isBetween(1L, 60L));
        }
        HttpResponse<String> refused = get(port, "/api/calls/4");

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).isEqualTo(
                "{\"error\":\"too_many_requests\",\"message\":\"Too many requests. Please try again later.\"}");
        assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(
                seconds -> assertThat(Long.parseLong(seconds)).isBetween(1L, 60L));
        assertThat(refused.headers().firstValue("RateLimit-Remaining")).hasValue("0");
        assertThat(refused.headers().firstValue("X-Request-Id")).isPresent();
        assertThat(get(port, "/health").statusCode()).as("unlimited paths stay open").isEqualTo(200);
    }

    @Test
    void apiLimitWhenWebSocketUpgradesReachItThenTheNextUpgradeIs429WithHeadersBeforeItsOwnCheck() throws Exception {
        int port = start(SMALL, ClientAddress.trustingNone());
        assertThat(handshakeStatus(port, GOOD_KEY, KeyPlacement.QUERY)).isEqualTo(101);
        assertThat(handshakeStatus(port, "bad-key", KeyPlacement.QUERY)).as("a refused upgrade counts too")
                .isEqualTo(401);
        assertThat(handshakeStatus(port, GOOD_KEY, KeyPlacement.QUERY)).isEqualTo(101);

        HttpResponse<?> refused = refusal(port, GOOD_KEY, KeyPlacement.QUERY).orElseThrow();
        int guessing = handshakeStatus(port, "bad-key", KeyPlacement.QUERY);

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(
                seconds -> assertThat(Long.parseLong(seconds)).isBetween(1L, 60L));
        assertThat(refused.headers().firstValue("RateLimit-Limit")).hasValue("3");
        assertThat(refused.headers().firstValue("RateLimit-Remaining")).hasValue("0");
        assertThat(refused.headers().firstValue("RateLimit-Reset")).isPresent();
        assertThat(refused.headers().firstValue("RateLimit-Policy")).hasValue("3;w=60");
        assertThat(refused.headers().firstValue("X-Request-Id")).isPresent();
        assertThat(guessing).as("the limit runs before the route's own check").isEqualTo(429);
        assertThat(get(port, "/api/calls/1").statusCode()).as("one budget with /api").isEqualTo(429);
        TestHttp.RawResponse answer = TestHttp.raw(port, "GET", "/ws?api_key=" + GOOD_KEY, Map.of("Host", "localhost",
                "Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==",
                "Sec-WebSocket-Version", "13"));
        assertThat(answer.status()).isEqualTo(429);
        assertThat(answer.header("Content-Type")).startsWith("application/json");
        assertThat(answer.body()).as("the error in JSON, as on every route").isEqualTo(
                "{\"error\":\"too_many_requests\",\"message\":\"Too many requests. Please try again later.\"}");
    }

    @Test
    void apiLimitWhenHttpRequestsUseItUpThenWebSocketUpgradesAre429() throws Exception {
        int port = start(SMALL, ClientAddress.trustingNone());
        for (int i = 0; i < 3; i++) {
            assertThat(get(port, "/api/calls/" + i).statusCode()).isEqualTo(200);
        }

        assertThat(handshakeStatus(port, GOOD_KEY, KeyPlacement.QUERY)).isEqualTo(429);
    }

    @Test
    void internalLimitWhenReachedThen429AtItsOwnNumber() throws Exception {
        int port = start(SMALL, ClientAddress.trustingNone());
        assertThat(get(port, "/internal/apps").statusCode()).isEqualTo(200);
        assertThat(get(port, "/internal/apps").statusCode()).isEqualTo(200);
        assertThat(get(port, "/internal/apps").statusCode()).isEqualTo(429);
        assertThat(get(port, "/api/calls/1").statusCode()).as("each limit has its own budget").isEqualTo(200);
    }

    @Test
    void webhookLimitWhenRejectionsReachItThenOnlyRejectionsAre429AndVerifiedDeliveriesAlwaysPass() throws Exception {
        int port = start(SMALL, ClientAddress.trustingNone());
        HttpRequest.Builder signed = request(port, "/webhooks/dialpad")
                .POST(HttpRequest.BodyPublishers.ofString("signed"));
        HttpRequest.Builder forged = request(port, "/webhooks/dialpad")
                .POST(HttpRequest.BodyPublishers.ofString("forged"));
        for (int i = 0; i < 40; i++) {
            HttpResponse<String> verified = send(signed);
            assertThat(verified.statusCode()).as("verified delivery %d, ten times the limit", i).isEqualTo(200);
            assertThat(verified.headers().firstValue("RateLimit-Remaining")).as("not even looked up").isEmpty();
        }
        for (int i = 1; i <= 4; i++) {
            HttpResponse<String> rejected = send(forged);
            assertThat(rejected.statusCode()).isEqualTo(401);
            assertThat(rejected.headers().firstValue("RateLimit-Remaining")).hasValue(Integer.toString(4 - i));
        }

        HttpResponse<String> refused = send(forged);
        HttpResponse<String> stillVerified = send(signed);

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).isEqualTo(
                "{\"error\":\"too_many_requests\",\"message\":\"Too many requests. Please try again later.\"}");
        assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(
                seconds -> assertThat(Long.parseLong(seconds)).isBetween(1L, 60L));
        assertThat(refused.headers().firstValue("RateLimit-Policy")).hasValue("4;w=60");
        assertThat(stillVerified.statusCode()).as("the limit never refuses a verified delivery").isEqualTo(200);
        assertThat(send(forged).statusCode()).isEqualTo(429);
        assertThat(get(port, "/api/calls/1").statusCode()).as("each limit has its own budget").isEqualTo(200);
    }

    @Test
    void unknownPathsUnderALimitedPrefixWhenCalledThenCountToo() throws Exception {
        int port = start(SMALL, ClientAddress.trustingNone());
        assertThat(get(port, "/internal/nothing").statusCode()).isEqualTo(404);
        assertThat(get(port, "/internal/nothing").statusCode()).isEqualTo(404);
        assertThat(get(port, "/internal/apps").statusCode()).isEqualTo(429);
    }

    @Test
    void oauthLimitAtDefaultNumbersWhenTenFailuresThenEleventhIs429AndSuccessesNeverCount() throws Exception {
        int port = start(RateLimitConfig.DEFAULTS, ClientAddress.trustingNone());
        for (int i = 1; i <= 10; i++) {
            HttpResponse<String> failed = get(port, "/auth/dialpad/connect?connect_token=wrong");
            assertThat(failed.statusCode()).as("failure %d", i).isEqualTo(401);
            if (i < 10) {
                HttpResponse<String> succeeded = get(port, "/auth/dialpad/connect?ok=yes");
                assertThat(succeeded.statusCode()).as("success after failure %d", i).isEqualTo(302);
            }
        }
        // the window is full of failures: whatever the 11th and later would have answered, they are refused
        for (String query : List.of("?connect_token=wrong", "?ok=yes")) {
            HttpResponse<String> refused = get(port, "/auth/dialpad/connect" + query);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.body()).isEqualTo("{\"error\":\"too_many_requests\",\"message\":\""
                    + RateLimiting.OAUTH_MESSAGE + "\"}");
            assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(
                    seconds -> assertThat(Long.parseLong(seconds)).isBetween(1L, 900L));
            assertThat(refused.headers().firstValue("RateLimit-Limit")).hasValue("10");
        }
    }

    @Test
    void oauthLimitWhenNineFailuresThenTenthStillRuns() throws Exception {
        int port = start(RateLimitConfig.DEFAULTS, ClientAddress.trustingNone());
        for (int i = 0; i < 9; i++) {
            get(port, "/auth/dialpad/connect");
        }
        assertThat(get(port, "/auth/dialpad/connect?ok=yes").statusCode()).isEqualTo(302);
        assertThat(get(port, "/auth/dialpad/connect").statusCode()).isEqualTo(401);
        assertThat(get(port, "/auth/dialpad/connect?ok=yes").statusCode()).isEqualTo(429);
    }

    @Test
    void forwardedForWhenPeerIsATrustedProxyThenEachClientHasItsOwnBudget() throws Exception {
        int port = start(SMALL, ClientAddress.trusting(List.of(IpRange.parse("127.0.0.1").orElseThrow())));
        for (int i = 0; i < 2; i++) {
            assertThat(send(request(port, "/internal/apps").header("X-Forwarded-For", "198.51.100.1")).statusCode())
                    .isEqualTo(200);
        }
        assertThat(send(request(port, "/internal/apps").header("X-Forwarded-For", "198.51.100.1")).statusCode())
                .isEqualTo(429);
        assertThat(send(request(port, "/internal/apps").header("X-Forwarded-For", "198.51.100.2")).statusCode())
                .isEqualTo(200);
        assertThat(send(request(port, "/internal/apps").header("X-Forwarded-For", "198.51.100.1, 127.0.0.1"))
                .statusCode()).as("the proxy's own hop is skipped").isEqualTo(429);
    }

    @Test
    void forwardedForWhenPeerIsNotTrustedThenIgnoredAndTheBudgetIsThePeers() throws Exception {
        int port = start(SMALL, ClientAddress.trusting(List.of(IpRange.parse("10.0.0.0/8").orElseThrow())));
        assertThat(send(request(port, "/internal/apps").header("X-Forwarded-For", "198.51.100.1")).statusCode())
                .isEqualTo(200);
        assertThat(send(request(port, "/internal/apps").header("X-Forwarded-For", "198.51.100.2")).statusCode())
                .isEqualTo(200);
        assertThat(send(request(port, "/internal/apps").header("X-Forwarded-For", "198.51.100.3")).statusCode())
                .as("a client cannot buy a fresh budget by inventing addresses").isEqualTo(429);
    }

    @Test
    void forwardedForWhenClientsAreIpv6ThenEachSlash64SharesOneBudgetAndIpv4StaysPerAddress() throws Exception {
        int port = start(SMALL, ClientAddress.trusting(List.of(IpRange.parse("127.0.0.1").orElseThrow())));
        assertThat(send(request(port, "/internal/apps").header("X-Forwarded-For", "2001:db8:1:2::1")).statusCode())
                .isEqualTo(200);
        assertThat(send(request(port, "/internal/apps").header("X-Forwarded-For", "[2001:db8:1:2::2]:443"))
                .statusCode()).isEqualTo(200);
        assertThat(send(request(port, "/internal/apps").header("X-Forwarded-For", "2001:db8:1:2:ffff:ffff:ffff:ffff"))
                .statusCode()).as("another address of the same /64 is the same client").isEqualTo(429);
        assertThat(send(request(port, "/internal/apps").header("X-Forwarded-For", "2001:db8:1:3::1")).statusCode())
                .as("the next /64 is another client").isEqualTo(200);
        for (String ipv4 : List.of("198.51.100.1", "198.51.100.1", "198.51.100.2", "198.51.100.2")) {
            assertThat(send(request(port, "/internal/apps").header("X-Forwarded-For", ipv4)).statusCode())
                    .as("IPv4 clients are counted per address").isEqualTo(200);
        }
    }
}
