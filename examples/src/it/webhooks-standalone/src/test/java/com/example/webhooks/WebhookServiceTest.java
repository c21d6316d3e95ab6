package com.example.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.core.apikey.ApiKeyCandidate;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apikey.IssuedApiKey;
import dev.switchboard.core.webhook.WebhookVerifier;
import dev.switchboard.examples.webhooks.WebhookService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Runs the embedded service with switchboard-core as its only Switchboard dependency. */
class WebhookServiceTest {
    private static final byte[] SECRET = "a-webhook-secret".getBytes(StandardCharsets.UTF_8);

    @Test
    void signedWebhookAndGoodKeyAreAcceptedForgedWebhookAndBadKeyAreNot() throws Exception {
        UUID appId = UUID.randomUUID();
        ApiKeys apiKeys = ApiKeys.create(new SecureRandom());
        IssuedApiKey key = apiKeys.issue();
        Map<String, ApiKeyCandidate> keys = Map.of(key.lookupPrefix(),
                new ApiKeyCandidate(appId, key.bcryptHash(), key.hint(), true, true));
        HttpClient client = HttpClient.newHttpClient();
        try (WebhookService service = WebhookService.start(0, SECRET, keys, Clock.systemUTC())) {
            String base = "http://127.0.0.1:" + service.port();
            assertEquals(200, post(client, base, jwt("{\"call_id\":1}", SECRET)));
            assertEquals(401, post(client, base, jwt("{\"call_id\":1}", "forged".getBytes(StandardCharsets.UTF_8))));
            assertEquals(200, whoami(client, base, key.plaintext()));
            assertEquals(401, whoami(client, base, apiKeys.issue().plaintext()));
        }
    }

    private static String jwt(String payload, byte[] secret) {
        Base64.Encoder base64url = Base64.getUrlEncoder().withoutPadding();
        String header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
        String signingInput = base64url.encodeToString(header.getBytes(StandardCharsets.UTF_8))
                + "." + base64url.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        byte[] signature = WebhookVerifier.hmacSha256(secret, signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + base64url.encodeToString(signature);
    }

    private static int post(HttpClient client, String base, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + "/webhooks/dialpad"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static int whoami(HttpClient client, String base, String key) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + "/whoami")).header("x-app-api-key", key).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
