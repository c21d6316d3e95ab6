package dev.switchboard.testkit.dialpad;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Delivers events to a webhook receiver the way Dialpad does (DIALPAD.md): a {@code POST} whose body is the compact
 * HS256 JWT of the event when the webhook has a secret, with {@code Content-Type: application/jwt; charset=utf-8},
 * and the plain event JSON when it has none; Dialpad's 5 second timeout. Also sends the legacy form (JSON with an
 * {@code x-dialpad-signature} header) and arbitrary bytes, so tests can tamper with any part.
 *
 * <p>Every method returns the receiver's status and body; an I/O failure is an {@link UncheckedIOException}.
 * Thread-safe: one sender may deliver from many threads at once.
 */
public final class WebhookSender {
    /** The content type of Dialpad's signed deliveries. */
    public static final String JWT_CONTENT_TYPE = "application/jwt; charset=utf-8";
    /** The legacy signature header of the predecessor's senders. */
    public static final String SIGNATURE_HEADER = "x-dialpad-signature";

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http;

    private WebhookSender(HttpClient http) {
        this.http = http;
    }

    /** A sender with its own HTTP/1.1 client. */
    public static WebhookSender create() {
        return new WebhookSender(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT).build());
    }

    /** Posts {@code event} signed as an HS256 JWT with {@code secret}, as Dialpad does. */
    public Delivery sendJwt(URI hookUrl, String secret, DialpadEvent event) {
        return sendJwt(hookUrl, Hs256Jwt.sign(event.json(), secret));
    }

    /** Posts a ready-made compact JWT (for tampered, wrong-key or {@code alg: none} tokens). */
    public Delivery sendJwt(URI hookUrl, String compactJwt) {
        return send(hookUrl, compactJwt.getBytes(StandardCharsets.US_ASCII), JWT_CONTENT_TYPE, Map.of());
    }

    /** Posts the plain event JSON with no signature, as Dialpad does for a webhook without a secret. */
    public Delivery sendUnsigned(URI hookUrl, DialpadEvent event) {
        return send(hookUrl, event.jsonBytes(), "application/json", Map.of());
    }

    /**
     * Posts {@code body} as JSON with {@code x-dialpad-signature: signature} (omitted when null), for the legacy
     * HMAC path; compute a correct signature with {@link Hs256Jwt#hmacSha256Hex}.
     */
    public Delivery sendSignedJson(URI hookUrl, byte[] body, String signature) {
        return send(hookUrl, body, "application/json", signature == null ? Map.of() : Map.of(SIGNATURE_HEADER,
                signature));
    }

    /** Posts exactly {@code body} with the given content type and extra headers. */
    public Delivery send(URI hookUrl, byte[] body, String contentType, Map<String, String> headers) {
        Objects.requireNonNull(hookUrl, "hookUrl");
        Objects.requireNonNull(body, "body");
        HttpRequest.Builder request = HttpRequest.newBuilder(hookUrl).timeout(TIMEOUT)
                .header("Content-Type", contentType)
                .header("User-Agent", "Dialpad-Webhooks (switchboard testkit)")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = http.send(request.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Delivery(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("webhook delivery to " + hookUrl.getHost() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while delivering a webhook", e);
        }
    }
}
