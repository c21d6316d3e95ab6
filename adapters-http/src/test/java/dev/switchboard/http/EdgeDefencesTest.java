package dev.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.testkit.RawHttp.Answer;
import dev.switchboard.testkit.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the server answers to requests that no well-behaved client sends, and to clients that send slowly: the
 * contract's JSON error with a 4xx and the security headers, whoever refuses them (a route, Javalin or Jetty), and
 * connections cut at the deadlines.
 */
class EdgeDefencesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BODY = 1024;
    private static HttpServer server;

    @BeforeAll
    static void start() {
        RouteGroup probes = routes -> {
            routes.get("/items/{id}", ctx -> ctx.result(Requests.uuidPath(ctx, "id", "invalid_id").toString()));
            routes.post("/probe/text", ctx -> ctx.result("read " + ctx.body().length()));
        };
        HttpSettings settings = new HttpSettings("127.0.0.1", 0, MAX_BODY)
                .withDeadlines(Duration.ofSeconds(1), Duration.ofSeconds(5), 100);
        server = HttpServer.start(settings, List.of(probes));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Answer send(String method, String target, Map<String, String> headers, String body)
            throws IOException {
        return RawHttp.exchange(server.port(), RawHttp.request(method, target, headers,
                body == null ? null : body.getBytes(StandardCharsets.ISO_8859_1)));
    }

    /** A 4xx of the contract's shape, with the edge's headers; returns its error code. */
    private static String assertJsonError(Answer answer, int status) throws IOException {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).as(answer.toString()).startsWith("application/json");
        assertThat(answer.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(answer.header("Cache-Control")).isEqualTo("no-store");
        assertThat(answer.header("X-Request-Id")).isNotBlank();
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.size()).as(answer.body()).isEqualTo(2);
        assertThat(body.path("message").asText()).isNotBlank();
        return body.path("error").asText();
    }

    @Test
    void contentTypeWhenItsCharsetIsUnknownOrIllegalThen415Json() throws IOException {
        for (String charset : List.of("foo", "@@@", "\"\"", "utf-8,utf-16", "x".repeat(300))) {
            Answer answer = send("POST", "/probe/text", Map.of("Content-Type", "text/plain; charset=" + charset),
                    "hello");
            assertThat(assertJsonError(answer, 415)).as(charset).isEqualTo("unsupported_media_type");
        }
        assertThat(send("POST", "/probe/text", Map.of("Content-Type", "text/plain; charset=\"UTF-8\""), "hello")
                .body()).isEqualTo("read 5");
    }

    @Test
    void pathOrQueryWhenPercentEncodingIsBrokenThen400Json() throws IOException {
        for (String target : List.of("/items/%u002e", "/items/%zz", "/items/abc%", "/items/%2", "/health?x=%u0041",
                "/items/%u002e%u002e/%u002e")) {
            // Jetty refuses some itself (bad_request), the edge the rest (invalid_uri): a JSON 400 either way
            assertThat(assertJsonError(send("GET", target, Map.of(), null), 400)).as(target)
                    .isIn("invalid_uri", "bad_request");
        }
        assertThat(assertJsonError(send("GET", "/items/%41", Map.of(), null), 400)).isEqualTo("invalid_id");
    }

    @Test
    void chunkedBodyWhenAChunkSizeIsBrokenThen400Json() throws IOException {
        for (String body : List.of("zz\r\nabc\r\n0\r\n\r\n", "-5\r\nabc\r\n0\r\n\r\n",
                "fffffffffffffffffff\r\nabc\r\n0\r\n\r\n", "3\r\nabcdef\r\n0\r\n\r\n")) {
            Answer answer = send("POST", "/probe/text", Map.of("Content-Type", "text/plain",
                    "Transfer-Encoding", "chunked"), body);
            assertThat(answer.status()).as(body).isBetween(400, 499);
            assertJsonError(answer, answer.status());
        }
    }

    @Test
    void bodyWhenOverTheLimitDeclaredOrChunkedThen413Json() throws IOException {
        String big = "x".repeat((int) MAX_BODY + 1);
        assertThat(assertJsonError(send("POST", "/probe/text", Map.of("Content-Type", "text/plain"), big), 413))
                .isEqualTo("payload_too_large");
        String chunked = Integer.toHexString(big.length()) + "\r\n" + big + "\r\n0\r\n\r\n";
        assertThat(assertJsonError(send("POST", "/probe/text", Map.of("Content-Type", "text/plain",
                "Transfer-Encoding", "chunked"), chunked), 413)).isEqualTo("payload_too_large");
    }

    @Test
    void requestWhenJettyRefusesItBeforeAnyRouteThenJsonNotHtml() throws IOException {
        assertJsonError(send("GET", "/health?" + "a".repeat(20_000), Map.of(), null), 414);
        assertJsonError(send("GET", "/health", Map.of("X-Padding", "b".repeat(20_000)), null), 431);
        assertJsonError(RawHttp.exchange(server.port(), "GARBAGE\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
                400);
        assertJsonError(RawHttp.exchange(server.port(), "GET /health HTTP/7.3\r\nHost: x\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII)), 400);
        assertJsonError(send("GET", "/health", Map.of("Content-Length", "12", "Transfer-Encoding", "chunked"),
                "0\r\n\r\n"), 400);
        assertJsonError(send("POST", "/probe/text", Map.of("Content-Length", "abc"), "hello"), 400);
    }

    @Test
    void upgradeWhenThePathHasNoSocketThenJson404WithTheEdgeHeaders() throws IOException {
        Map<String, String> upgrade = Map.of("Upgrade", "websocket", "Connection", "Upgrade",
                "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version", "13");
        for (String path : List.of("/health", "/nowhere", "/items/x")) {
            assertThat(assertJsonError(send("GET", path, upgrade, null), 404)).isEqualTo("not_found");
        }
    }

    @Test
    void headWhenItArrivesSlowerThanItsDeadlineThenTheConnectionIsClosed() throws IOException {
        byte[] head = "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            socket.setSoTimeout(300);
            boolean closed = false;
            // a byte every 300 ms keeps Jetty's idle timeout from ever firing; only the head deadline cuts this
            for (int i = 0; i < 200 && !closed; i++) {
                try {
                    out.write(i < head.length ? head[i] : 'a');
                    out.flush();
                    closed = in.read() < 0;
                } catch (java.net.SocketTimeoutException e) {
                    // nothing to read yet: still open
                } catch (IOException e) {
                    closed = true;
                }
            }
            assertThat(closed).as("closed by the server before 200 bytes at 300 ms each").isTrue();
        }
    }

    @Test
    void bodyWhenItArrivesBelowTheMinimumRateThen408Json() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /probe/text HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: 1000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // one byte, then up to 300 ms waiting for the answer: the trickle's pace is the read's timeout
            socket.setSoTimeout(300);
            PushbackInputStream in = new PushbackInputStream(socket.getInputStream());
            Answer answer = null;
            for (int i = 0; i < 200 && answer == null; i++) {
                try {
                    out.write('x');
                    out.flush();
                    int first = in.read();
                    if (first < 0) {
                        break;
                    }
                    in.unread(first);
                    socket.setSoTimeout(5_000);
                    answer = RawHttp.read(in);
                } catch (SocketTimeoutException stillReading) {
                    // no answer yet: the next byte follows
                } catch (IOException e) {
                    break;
                }
            }
            assertThat(answer).as("answered before the body was done").isNotNull();
            assertThat(assertJsonError(answer, 408)).isEqualTo("request_timeout");
            assertThat(answer.header("Connection")).isEqualTo("close");
        }
    }

    @Test
    void connectionsWhenOneClientOpensMoreThanItsLimitThenTheNewestAre429Json() throws IOException {
        HttpSettings settings = HttpSettings.of("127.0.0.1", 0).withMaxConnectionsPerClient(2);
        try (HttpServer limited = HttpServer.start(settings, List.of())) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    Socket socket = new Socket(InetAddress.getLoopbackAddress(), limited.port());
                    held.add(socket);
                    // an answered request proves the server has counted this connection before the next one
                    socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(200);
                }
                Answer refused = RawHttp.exchange(limited.port(), RawHttp.request("GET", "/health", Map.of(), null));
                assertThat(assertJsonError(refused, 429)).isEqualTo("too_many_requests");
                assertThat(refused.header("Retry-After")).isNotBlank();
            } finally {
                for (Socket socket : held) {
                    socket.close();
                }
            }
            int status = 0;
            // the server notices the closed connections a moment later
            for (int i = 0; i < 100 && status != 200; i++) {
                status = RawHttp.exchange(limited.port(), RawHttp.request("GET", "/health", Map.of(), null)).status();
            }
            assertThat(status).isEqualTo(200);
        }
    }
}
