package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.testkit.RawHttp;
import dev.switchboard.testkit.RawHttp.Answer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * More than a thousand hostile requests across every route family ({@code /api}, {@code /internal}, {@code /auth},
 * {@code /webhooks}, {@code /ws}, the probes), built as the product of the routes with hostile ids, limits and
 * offsets, bodies, content types and headers, plus requests broken below HTTP's semantics (request lines, framing,
 * chunk sizes, sizes, upgrades). None may answer 5xx; every error is the contract's JSON error with the edge's
 * headers; no answer carries a stack trace, an exception's name or SQL; the server is healthy afterwards.
 */
class HostileRequestsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9_]*");
    /** Whole words only: a random token or key in an answer may contain any three letters. */
    private static final Pattern LEAK = Pattern.compile("exception\\b|\\b(sql|sqlstate|psql|jdbc|jdbi|jetty"
            + "|javalin|stack ?trace|caused by|syntax error|insert into|select\\s.+\\sfrom)\\b|\\tat |\\bjava\\."
            + "|org\\.eclipse|<html",
            Pattern.CASE_INSENSITIVE);

    private static AdminServer server;
    private static String apiKey;
    private static String appId;

    @BeforeAll
    static void start() {
        // clients arrive through a trusted proxy with forged addresses, so the rate limits, which are tested
        // elsewhere, leave the routes to answer; the OAuth failure limit still answers 429 on its own
        server = AdminServer.start(Map.of("TRUST_PROXY", "127.0.0.1", "RATE_LIMIT_API_PER_MINUTE", "100000",
                "RATE_LIMIT_INTERNAL_PER_MINUTE", "100000", "RATE_LIMIT_WEBHOOKS_PER_MINUTE", "100000"));
        JsonNode created = server.post("/internal/apps", "{\"name\": \"hostile target\"}").json();
        apiKey = created.get("api_key").asText();
        // the internal routes are aimed at another app, so a request that revokes or deactivates leaves the key
        appId = server.newApp().id().toString();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void hostileRequestsWhenSentToEveryRouteFamilyThenNo5xxAndEveryErrorIsTheContractsJson() throws IOException {
        List<Case> cases = cases();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(1000);
        Map<String, Integer> perFamily = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        int forged = 0;
        for (Case hostile : cases) {
            perFamily.merge(hostile.family(), 1, Integer::sum);
            byte[] request = hostile.forwarded() ? withForwardedFor(hostile.bytes(), forged++) : hostile.bytes();
            Answer answer = RawHttp.exchange(server.switchboard.port(), request);
            String problem = problemWith(hostile, answer);
            if (problem != null) {
                failures.add(hostile.name() + ": " + problem + " (" + answer.status() + " " + answer.body() + ")");
            }
        }

        assertThat(failures).isEmpty();
        assertThat(perFamily).containsKeys("api", "internal", "auth", "webhooks", "ws", "probes", "http");
        assertThat(server.get("/health").status()).isEqualTo(200);
        assertThat(server.get("/ready").status()).isEqualTo(200);
    }

    /** What is wrong with {@code answer} to {@code hostile}, or null when nothing is. */
    private static String problemWith(Case hostile, Answer answer) {
        int status = answer.status();
        if (status == 0) {
            return "no answer";
        }
        if (status >= 500) {
            return "a 5xx";
        }
        Matcher leak = LEAK.matcher(answer.body());
        if (!hostile.target().startsWith("/metrics") && leak.find()) {
            return "the answer contains '" + leak.group() + "'";
        }
        if (status < 400) {
            return null;
        }
        if (answer.header("Content-Type") == null || !answer.header("Content-Type").startsWith("application/json")) {
            return "an error that is not JSON";
        }
        if (!"nosniff".equals(answer.header("X-Content-Type-Options")) || answer.header("X-Request-Id") == null) {
            return "an error without the edge's headers";
        }
        try {
            JsonNode error = JSON.readTree(answer.body());
            boolean shaped = error != null && error.isObject() && error.size() == 2
                    && error.path("error").isTextual() && SNAKE_CASE.matcher(error.get("error").asText()).matches()
                    && error.path("message").isTextual() && !error.get("message").asText().isBlank();
            return shaped ? null : "an error not shaped {\"error\", \"message\"}";
        } catch (IOException e) {
            return "an error body that does not parse";
        }
    }

    /** One request: its family, a readable name, its target, its bytes, and whether it comes through the proxy. */
    private record Case(String family, String name, String target, byte[] bytes, boolean forwarded) {
    }

    /** A route as a template: {@code {app}} and {@code {id}} are replaced by hostile values, as is {@code ?q}. */
    private record Route(String family, String method, String template, Auth auth, boolean body) {
    }

    private enum Auth { NONE, API_KEY, BEARER }

    private static final List<Route> ROUTES = List.of(
            new Route("api", "GET", "/api/calls?limit={limit}&offset={offset}", Auth.API_KEY, false),
            new Route("api", "GET", "/api/calls/{id}", Auth.API_KEY, false),
            new Route("api", "GET", "/api/calls/active?limit={limit}", Auth.API_KEY, false),
            new Route("api", "GET", "/api/messages?limit={limit}&offset={offset}&since={id}", Auth.API_KEY, false),
            new Route("api", "GET", "/api/messages/{id}", Auth.API_KEY, false),
            new Route("api", "GET", "/api/calls?app_id={app}&limit={limit}", Auth.NONE, false),
            new Route("internal", "GET", "/internal/apps?limit={limit}&offset={offset}", Auth.BEARER, false),
            new Route("internal", "POST", "/internal/apps", Auth.BEARER, true),
            new Route("internal", "GET", "/internal/apps/{app}", Auth.BEARER, false),
            new Route("internal", "PATCH", "/internal/apps/{app}", Auth.BEARER, true),
            new Route("internal", "POST", "/internal/apps/{app}/api-key", Auth.BEARER, true),
            new Route("internal", "POST", "/internal/apps/{app}/api-key/revoke", Auth.BEARER, true),
            new Route("internal", "GET", "/internal/apps/{app}/api-key/status", Auth.BEARER, false),
            new Route("internal", "GET", "/internal/apps/{app}/api-key/audit?limit={limit}", Auth.BEARER, false),
            new Route("internal", "POST", "/internal/apps/{app}/connect-link", Auth.BEARER, true),
            new Route("internal", "POST", "/internal/apps/{app}/users/map", Auth.BEARER, true),
            new Route("internal", "POST", "/internal/apps/{app}/users/batch-map", Auth.BEARER, true),
            new Route("internal", "GET", "/internal/apps/{app}/users/mappings?limit={limit}&offset={offset}",
                    Auth.BEARER, false),
            new Route("internal", "GET", "/internal/apps/{app}/users/mappings/dialpad/{id}", Auth.BEARER, false),
            new Route("internal", "DELETE", "/internal/apps/{app}/users/mappings/{id}", Auth.BEARER, false),
            new Route("internal", "GET", "/internal/apps/{app}/voicemails?limit={limit}&offset={offset}",
                    Auth.BEARER, false),
            new Route("internal", "GET", "/internal/apps/{app}/voicemails/{id}", Auth.BEARER, false),
            new Route("internal", "GET", "/internal/audit?app_id={app}&limit={limit}&from={id}", Auth.BEARER, false),
            new Route("internal", "GET", "/internal/webhooks?app_id={app}", Auth.BEARER, false),
            new Route("internal", "GET", "/internal/webhooks/{id}", Auth.BEARER, false),
            new Route("internal", "POST", "/internal/webhooks/create?app_id={app}", Auth.BEARER, true),
            new Route("internal", "POST", "/internal/introspect", Auth.BEARER, true),
            new Route("internal", "GET", "/internal/apps/{app}", Auth.NONE, false),
            new Route("auth", "GET", "/auth/dialpad/connect?app_id={app}&connect_token={id}", Auth.NONE, false),
            new Route("auth", "GET", "/auth/dialpad/callback?code={id}&state={limit}", Auth.NONE, false),
            new Route("auth", "POST", "/auth/dialpad/disconnect/{app}", Auth.BEARER, true),
            new Route("webhooks", "POST", "/webhooks/dialpad", Auth.NONE, true),
            new Route("webhooks", "POST", "/webhooks/dialpad/{app}", Auth.NONE, true),
            new Route("probes", "GET", "/health?x={id}", Auth.NONE, false),
            new Route("probes", "GET", "/ready?x={limit}", Auth.NONE, false),
            new Route("probes", "GET", "/metrics?x={id}", Auth.NONE, false),
            new Route("probes", "POST", "/health", Auth.NONE, true));

    private static final List<String> IDS = List.of("not-a-uuid", "123", "' OR '1'='1", "1;DROP TABLE apps;--",
            "%u002e", "%u002e%u002e%u2215etc", "%zz", "%", "..%2F..%2Fetc%2Fpasswd", "%00", "%F0%28%8C%BC", "%C3%28",
            "00000000-0000-0000-0000-00000000000G", "7D0F5C1E-3D2A-4C55-9B1E-2F8F6A0F4E11", "a".repeat(3000),
            "%22%3E%3Cscript%3E", "$%7Bjndi:ldap://x%7D", "-1", "%E2%80%AE", "null");
    private static final List<String> LIMITS = List.of("-1", "0", "999999999999", "2147483648", "1e9", "abc", "",
            "%u0031", "1%20OR%201=1", "NaN", "0x10", "+5", "%EF%BC%95", "1.5");

    /** Bodies: malformed, wrongly typed, invalid UTF-8, SQL, truncated, deep, large. */
    private static List<byte[]> bodies() {
        List<byte[]> bodies = new ArrayList<>();
        for (String text : List.of("{", "[]", "null", "\"text\"", "{\"name\":123}", "{\"name\":{\"a\":[1,2]}}",
                "{\"name\":\"x\",\"name\":\"y\"}", "{\"name\":\"'; DROP TABLE apps; --\"}", "{\"name\":\"ab",
                "{\"active\":\"yes\",\"name\":null}", "{\"dialpad_user_id\":-1,\"crm_user_id\":[]}",
                "{\"mappings\":[{\"dialpad_user_id\":\"1e99999\"}]}", "{\"token\":{\"$ne\":null}}",
                "[".repeat(5000) + "]".repeat(5000), "{\"a\":" + "9".repeat(2000) + "}", "a.b.c", "a.b.c.d",
                "eyJhbGciOiJub25lIn0.eyJ9.", "%%%")) {
            bodies.add(text.getBytes(StandardCharsets.UTF_8));
        }
        bodies.add(new byte[] {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
        bodies.add(new byte[] {(byte) 0xFF, (byte) 0xFE, 0, '{', 0});
        bodies.add(("{\"name\":\"" + "x".repeat(900_000) + "\"}").getBytes(StandardCharsets.UTF_8));
        return bodies;
    }

    private static final List<String> CONTENT_TYPES = List.of("application/json", "application/json; charset=foo",
            "application/json; charset=@@", "text/plain", "application/jwt; charset=utf-8",
            "application/json; charset=utf-16", "application/x-www-form-urlencoded", "multipart/form-data; boundary=");

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        List<byte[]> bodies = bodies();
        int n = 0;
        for (Route route : ROUTES) {
            // hostile ids and numbers in the path and query
            for (int i = 0; i < IDS.size(); i++) {
                String target = route.template().replace("{app}", i % 3 == 0 ? appId : IDS.get(i))
                        .replace("{id}", IDS.get(i)).replace("{limit}", LIMITS.get(i % LIMITS.size()))
                        .replace("{offset}", LIMITS.get((i + 3) % LIMITS.size()));
                byte[] body = route.body() ? bodies.get(i % bodies.size()) : null;
                cases.add(routeCase(route, target, headers(route, CONTENT_TYPES.get(n++ % CONTENT_TYPES.size())),
                        body));
            }
            if (!route.body()) {
                continue;
            }
            // every body with a JSON or JWT content type, and some with hostile ones
            String target = route.template().replace("{app}", appId).replace("{id}", UUID.randomUUID().toString())
                    .replace("{limit}", "10").replace("{offset}", "0");
            for (int i = 0; i < bodies.size(); i++) {
                String type = i % 4 == 3 ? CONTENT_TYPES.get(n++ % CONTENT_TYPES.size())
                        : route.family().equals("webhooks") ? "application/jwt; charset=utf-8" : "application/json";
                cases.add(routeCase(route, target, headers(route, type), bodies.get(i)));
            }
        }
        cases.addAll(upgrades());
        cases.addAll(brokenHttp());
        return cases;
    }

    private static Map<String, String> headers(Route route, String contentType) {
        Map<String, String> headers = new LinkedHashMap<>();
        switch (route.auth()) {
            case API_KEY -> headers.put("x-app-api-key", apiKey);
            case BEARER -> headers.put("Authorization", "Bearer " + AdminServer.INTERNAL_SECRET);
            case NONE -> { }
        }
        if (route.body()) {
            headers.put("Content-Type", contentType);
        }
        return headers;
    }

    private static Case routeCase(Route route, String target, Map<String, String> headers, byte[] body) {
        String name = route.method() + " " + abbreviated(target) + (body == null ? "" : " [" + body.length + " B, "
                + headers.get("Content-Type") + "]");
        return new Case(route.family(), name, target, RawHttp.request(route.method(), target, headers, body), true);
    }

    /** Upgrade requests: on {@code /ws} with every kind of broken handshake, and on paths that have no socket. */
    private static List<Case> upgrades() {
        List<Case> cases = new ArrayList<>();
        List<Map<String, String>> handshakes = new ArrayList<>();
        for (String version : List.of("13", "99", "", "abc", "8")) {
            for (String key : List.of("dGhlIHNhbXBsZSBub25jZQ==", "", "short", "%%%")) {
                Map<String, String> headers = new LinkedHashMap<>();
                headers.put("Upgrade", "websocket");
                headers.put("Connection", "Upgrade");
                headers.put("Sec-WebSocket-Version", version);
                headers.put("Sec-WebSocket-Key", key);
                handshakes.add(headers);
            }
        }
        handshakes.add(Map.of("Sec-WebSocket-Version", "13"));
        handshakes.add(Map.of("Upgrade", "h2c", "Connection", "Upgrade, HTTP2-Settings",
                "HTTP2-Settings", "AAMAAABkAAQAAP__"));
        handshakes.add(Map.of("Upgrade", "websocket", "Connection", "keep-alive", "Sec-WebSocket-Version", "13"));
        List<String> keys = List.of("", "?api_key=raw_" + "0".repeat(64), "?api_key=%u002e", "?api_key=' OR 1=1");
        int i = 0;
        for (Map<String, String> handshake : handshakes) {
            for (String path : List.of("/ws", "/api/calls", "/health", "/internal/apps", "/nowhere")) {
                String target = path + keys.get(i++ % keys.size());
                String method = i % 5 == 0 ? "POST" : "GET";
                cases.add(new Case("ws", method + " upgrade " + target + " " + handshake, target,
                        RawHttp.request(method, target, handshake, method.equals("POST") ? new byte[] {'{'} : null),
                        true));
            }
        }
        return cases;
    }

    /** Requests broken below the routes: request lines, framing, chunk sizes, sizes of the URI and headers. */
    private static List<Case> brokenHttp() {
        List<Case> cases = new ArrayList<>();
        for (String raw : List.of("GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/9.9\r\nHost: x\r\n\r\n",
                "GET /health HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n", "GET /health HTTP/1.1\r\nHost: x\r\n"
                        + "X-Bad: a\u0000b\r\n\r\n", "GET /health HTTP/1.1\r\n\r\n",
                "GET /he alth HTTP/1.1\r\nHost: x\r\n\r\n", "GET http://evil.example/health HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /health HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", "\r\n\r\nGET /ready HTTP/1.0\r\n\r\n",
                "GET /%u002e%u002e/%u002e%u002e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /health HTTP/1.1\r\nHost: x\r\n Folded: header\r\n\r\n")) {
            cases.add(new Case("http", abbreviated(raw), "/", raw.getBytes(StandardCharsets.ISO_8859_1), false));
        }
        Map<String, String> jwt = Map.of("Content-Type", "application/jwt; charset=utf-8");
        for (String path : List.of("/webhooks/dialpad", "/internal/apps", "/api/calls")) {
            for (String chunks : List.of("zz\r\nabc\r\n0\r\n\r\n", "-5\r\nabc\r\n0\r\n\r\n",
                    "fffffffffffffffffff\r\nabc\r\n0\r\n\r\n", "3\r\nabcdef\r\n0\r\n\r\n", "3;ext=\"\r\nabc\r\n0\r\n\r\n",
                    "0x3\r\nabc\r\n0\r\n\r\n", "3\r\nabc", " 3\r\nabc\r\n0\r\n\r\n")) {
                Map<String, String> headers = new LinkedHashMap<>(jwt);
                headers.put("Transfer-Encoding", "chunked");
                cases.add(new Case("http", "chunked " + path + " " + abbreviated(chunks), path,
                        RawHttp.request("POST", path, headers, chunks.getBytes(StandardCharsets.ISO_8859_1)), true));
            }
            List<Map<String, String>> framings = List.of(Map.of("Content-Length", "-1"),
                    Map.of("Content-Length", "abc"), Map.of("Content-Length", "99999999999999999999"),
                    Map.of("Content-Length", "3", "Transfer-Encoding", "chunked"),
                    Map.of("Transfer-Encoding", "gzip, chunked"), Map.of("Transfer-Encoding", "identity"),
                    Map.of("Content-Length", "100"), Map.of("Content-Length", "2000000"));
            for (Map<String, String> framing : framings) {
                Map<String, String> headers = new LinkedHashMap<>(jwt);
                headers.putAll(framing);
                cases.add(new Case("http", "framing " + path + " " + framing, path,
                        RawHttp.request("POST", path, headers, "abc".getBytes(StandardCharsets.US_ASCII)), true));
            }
            cases.add(new Case("http", "oversized body " + path, path,
                    RawHttp.request("POST", path, jwt, new byte[2 * 1024 * 1024]), true));
            cases.add(new Case("http", "huge URI " + path, path,
                    RawHttp.request("GET", path + "?q=" + "a".repeat(70_000), Map.of(), null), true));
            cases.add(new Case("http", "huge header " + path, path,
                    RawHttp.request("GET", path, Map.of("X-Huge", "b".repeat(70_000)), null), true));
            Map<String, String> many = new LinkedHashMap<>();
            for (int i = 0; i < 1000; i++) {
                many.put("X-Many-" + i, "v".repeat(20));
            }
            cases.add(new Case("http", "many headers " + path, path, RawHttp.request("GET", path, many, null), true));
        }
        return cases;
    }

    /** {@code request} with an {@code X-Forwarded-For} of a forged documentation address after its request line. */
    private static byte[] withForwardedFor(byte[] request, int index) {
        int lineEnd = 0;
        while (lineEnd < request.length - 1 && !(request[lineEnd] == '\r' && request[lineEnd + 1] == '\n')) {
            lineEnd++;
        }
        String forged = index % 2 == 0 ? "198.51." + (index / 256 % 256) + "." + (index % 256)
                : "2001:db8:" + Integer.toHexString(index) + "::1";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(request, 0, lineEnd + 2);
        bytes.writeBytes(("X-Forwarded-For: " + forged + "\r\n").getBytes(StandardCharsets.US_ASCII));
        bytes.write(request, lineEnd + 2, request.length - lineEnd - 2);
        return bytes.toByteArray();
    }

    private static String abbreviated(String text) {
        String clean = text.replace("\r", "\\r").replace("\n", "\\n").replace("\u0000", "\\0");
        return clean.length() > 80 ? clean.substring(0, 80) + "..." : clean;
    }
}
