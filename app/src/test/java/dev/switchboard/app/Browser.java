package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A browser for the OAuth flow of a Switchboard listening on a loopback port: its own cookie jar, never following a
 * redirect on its own. The server's configured public URL is not where a test server listens, so links it hands
 * out are sent to the port instead ({@link #onPort}).
 */
final class Browser {
    /** The name of the browser-binding cookie outside production. */
    static final String BINDING_COOKIE = "switchboard_oauth";

    private final int port;
    private final CookieManager cookies = new CookieManager();
    private final HttpClient client = HttpClient.newBuilder().cookieHandler(cookies)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    /** A browser with an empty cookie jar, for the server on {@code port}. */
    Browser(int port) {
        this.port = port;
    }

    /** What one consent went through. */
    record Consent(URI authorize, String callback) {
    }

    HttpResponse<String> get(String url) throws Exception {
        return get(URI.create(url));
    }

    HttpResponse<String> get(URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the browser-binding cookie, if the browser holds one. */
    Optional<String> cookie() {
        return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(BINDING_COOKIE))
                .map(HttpCookie::getValue).findFirst();
    }

    /** Puts a browser-binding cookie with {@code value} in the jar, as if the server had set it. */
    void setCookie(String value) {
        HttpCookie cookie = new HttpCookie(BINDING_COOKIE, value);
        cookie.setPath("/");
        cookie.setVersion(0);
        cookies.getCookieStore().add(URI.create("http://127.0.0.1:" + port + "/"), cookie);
    }

    /**
     * Follows a connect link: the server's 302 to Dialpad's (the fake's) authorize URL, and the fake's 302 back to
     * the callback. Returns the authorize URL and the callback URL, pointed at the server's port, not yet visited.
     */
    Consent consent(String link) throws Exception {
        HttpResponse<String> toDialpad = get(link);
        assertThat(toDialpad.statusCode()).as(toDialpad.body()).isEqualTo(302);
        URI authorize = URI.create(toDialpad.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> back = get(authorize);
        assertThat(back.statusCode()).as(back.body()).isEqualTo(302);
        URI callback = URI.create(back.headers().firstValue("Location").orElseThrow());
        assertThat(callback.getPath()).isEqualTo("/auth/dialpad/callback");
        return new Consent(authorize, onPort(port, callback));
    }

    /** {@code uri}'s path and query on the server at {@code port} of the loopback address. */
    static String onPort(int port, URI uri) {
        return "http://127.0.0.1:" + port + uri.getRawPath() + (uri.getRawQuery() == null ? ""
                : "?" + uri.getRawQuery());
    }

    /** The decoded query parameters of {@code uri}. */
    static Map<String, String> query(URI uri) {
        return form(uri.getRawQuery());
    }

    /** The decoded parameters of a form-encoded text. */
    static Map<String, String> form(String encoded) {
        Map<String, String> parameters = new HashMap<>();
        Arrays.stream(encoded.split("&")).map(pair -> pair.split("=", 2)).forEach(pair -> parameters.put(
                URLDecoder.decode(pair[0], StandardCharsets.UTF_8),
                pair.length > 1 ? URLDecoder.decode(pair[1], StandardCharsets.UTF_8) : ""));
        return parameters;
    }
}
