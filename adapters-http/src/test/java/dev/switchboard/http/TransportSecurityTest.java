package dev.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TransportSecurityTest {
    private static final RouteGroup ROUTES = routes -> routes.post("/api/things", ctx -> ctx.status(201));

    private HttpServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    private int start(TransportSecurity transport, ClientAddress clientAddress) {
        server = HttpServer.start(HttpSettings.of("127.0.0.1", 0),
                EdgePolicy.defaults().withTransport(transport).withClientAddress(clientAddress), List.of(ROUTES));
        return server.port();
    }

    private int production(ClientAddress clientAddress) {
        return start(TransportSecurity.redirectingTo(URI.create("https://cti.example.com")), clientAddress);
    }

    @Test
    void plainHttpInProductionWhenRequestedThen308ToThePublicHostNeverTheHostHeader() throws Exception {
        int port = production(ClientAddress.trustingNone());

        TestHttp.RawResponse response = TestHttp.raw(port, "GET", "/api/calls/a%20b?status=active&limit=5",
                Map.of("Host", "evil.example"));

        assertThat(response.status()).isEqualTo(308);
        assertThat(response.header("Location")).isEqualTo("https://cti.example.com/api/calls/a%20b?status=active&limit=5");
        assertThat(response.header("Strict-Transport-Security")).isNull();
        assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(TestHttp.raw(port, "POST", "/api/things", Map.of("Host", "evil.example", "Content-Length", "0"))
                .status()).as("308 keeps the method").isEqualTo(308);
    }

    @Test
    void publicBaseUrlWithPortWhenRedirectingThenPortKept() throws Exception {
        int port = start(TransportSecurity.redirectingTo(URI.create("https://cti.example.com:8443/base")),
                ClientAddress.trustingNone());

        assertThat(TestHttp.raw(port, "GET", "/", Map.of("Host", "127.0.0.1")).header("Location"))
                .isEqualTo("https://cti.example.com:8443/");
    }

    @Test
    void probesInProductionWhenPlainHttpThenAnsweredWithoutRedirectOrHsts() throws Exception {
        int port = production(ClientAddress.trustingNone());
        for (String path : List.of("/health", "/ready")) {
            TestHttp.RawResponse response = TestHttp.raw(port, "GET", path, Map.of("Host", "lb.internal"));
            assertThat(response.status()).as(path).isEqualTo(200);
            assertThat(response.header("Strict-Transport-Security")).as(path).isNull();
        }
    }

    @Test
    void forwardedProtoHttpsFromTrustedProxyWhenRequestedThenServedWithHsts() throws Exception {
        int port = production(ClientAddress.trusting(List.of(IpRange.parse("127.0.0.0/8").orElseThrow())));

        TestHttp.RawResponse response = TestHttp.raw(port, "GET", "/health",
                Map.of("Host", "cti.example.com", "X-Forwarded-Proto", "https"));
        TestHttp.RawResponse root = TestHttp.raw(port, "GET", "/",
                Map.of("Host", "cti.example.com", "X-Forwarded-Proto", "https, http"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Strict-Transport-Security")).isEqualTo("max-age=31536000; includeSubDomains");
        assertThat(root.status()).isEqualTo(200);
        assertThat(root.header("Strict-Transport-Security")).isEqualTo(TransportSecurity.HSTS);
        assertThat(TestHttp.raw(port, "GET", "/", Map.of("Host", "cti.example.com", "X-Forwarded-Proto", "http"))
                .status()).isEqualTo(308);
    }

    @Test
    void forwardedProtoHttpsFromAPeerNotInTrustProxyWhenRequestedThenServedWithHstsToo() throws Exception {
        int port = production(ClientAddress.trusting(List.of(IpRange.parse("10.0.0.0/8").orElseThrow())));

        TestHttp.RawResponse response = TestHttp.raw(port, "GET", "/",
                Map.of("Host", "cti.example.com", "X-Forwarded-Proto", "https"));
        TestHttp.RawResponse plain = TestHttp.raw(port, "GET", "/", Map.of("Host", "cti.example.com"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Strict-Transport-Security")).isEqualTo(TransportSecurity.HSTS);
        assertThat(plain.status()).isEqualTo(308);
        assertThat(plain.header("Strict-Transport-Security")).isNull();
    }

    @Test
    void sandboxWhenPlainHttpThenNoRedirectAndNoHsts() throws Exception {
        int port = start(TransportSecurity.off(), ClientAddress.trustingNone());

        TestHttp.RawResponse response = TestHttp.raw(port, "GET", "/", Map.of("Host", "localhost",
                "X-Forwarded-Proto", "https"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Strict-Transport-Security")).isNull();
    }
}
