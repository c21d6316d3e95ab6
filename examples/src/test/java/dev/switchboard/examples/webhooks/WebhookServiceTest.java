package dev.switchboard.examples.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.apikey.ApiKeyCandidate;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apikey.IssuedApiKey;
import dev.switchboard.testkit.dialpad.Hs256Jwt;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookServiceTest {
    private static final String SECRET = "the-webhook-secret-dialpad-signs-with";
    private static final String EVENT = "{\"call_id\":1001,\"state\":\"ringing\",\"direction\":\"inbound\"}";

    private final HttpClient client = HttpClient.newHttpClient();
    private final UUID appId = UUID.randomUUID();
    private final IssuedApiKey key = ApiKeys.create(new SecureRandom()).issue();
    private WebhookService service;

    @BeforeEach
    void start() throws Exception {
        Map<String, ApiKeyCandidate> keys = Map.of(key.lookupPrefix(),
                new ApiKeyCandidate(appId, key.bcryptHash(), key.hint(), true, true));
        service = WebhookService.start(0, SECRET.getBytes(StandardCharsets.UTF_8), keys, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        service.close();
    }

    @Test
    void webhookWhenSignedWithTheSecretThenAccepted() throws Exception {
        assertThat(postWebhook(Hs256Jwt.sign(EVENT, SECRET)).statusCode()).isEqualTo(200);
    }

    @Test
    void webhookWhenSignedWithAnotherSecretThen401() throws Exception {
        assertThat(postWebhook(Hs256Jwt.sign(EVENT, "not-the-secret")).statusCode()).isEqualTo(401);
    }

    @Test
    void webhookWhenNotAJwtThen400() throws Exception {
        assertThat(postWebhook("not a token").statusCode()).isEqualTo(400);
    }

    @Test
    void whoamiWhenKeyIsGoodThenTheAppIsNamed() throws Exception {
        HttpResponse<String> response = whoami(key.plaintext());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(appId.toString());
    }

    @Test
    void whoamiWhenKeyIsUnknownOrMissingThen401() throws Exception {
        String other = ApiKeys.create(new SecureRandom()).issue().plaintext();

        assertThat(whoami(other).statusCode()).isEqualTo(401);
        assertThat(whoami(key.plaintext().substring(0, 20)).statusCode()).isEqualTo(401);
        assertThat(client.send(HttpRequest.newBuilder(uri("/whoami")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(401);
    }

    private HttpResponse<String> postWebhook(String body) throws Exception {
        return client.send(HttpRequest.newBuilder(uri("/webhooks/dialpad"))
                .header("Content-Type", "application/jwt")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> whoami(String presented) throws Exception {
        return client.send(HttpRequest.newBuilder(uri("/whoami")).header("x-app-api-key", presented).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + service.port() + path);
    }
}
