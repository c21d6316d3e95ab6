package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.dialpad.DialpadEvents;
import dev.switchboard.testkit.dialpad.Hs256Jwt;
import dev.switchboard.testkit.dialpad.WebhookSender;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code INTERNAL_API_SECRET} and {@code DIALPAD_WEBHOOK_SECRET} holding two values, as during a rotation, against
 * the real server and PostgreSQL: either value is accepted, any other is not.
 */
class TwoValueSecretsTest {
    private static final String INTERNAL_OLD = "internal-old-secret-0123456789abcdefghij";
    private static final String INTERNAL_NEW = "internal-new-secret-0123456789abcdefghij";
    private static final String WEBHOOK_OLD = "webhook-old-secret-0123456789abcdefghijk";
    private static final String WEBHOOK_NEW = "webhook-new-secret-0123456789abcdefghijk";
    private static final String THIRD = "a-third-secret-of-0123456789abcdefghijkl";
    private static final WebhookSender SENDER = WebhookSender.create();
    private static final AtomicLong CALL_IDS = new AtomicLong(9_400_000_000L);
    private static AdminServer server;

    @BeforeAll
    static void start() {
        server = AdminServer.start(Map.of("INTERNAL_API_SECRET", INTERNAL_OLD + ", " + INTERNAL_NEW,
                "DIALPAD_WEBHOOK_SECRET", WEBHOOK_NEW + "," + WEBHOOK_OLD));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void internalApiWhenEitherOfTwoSecretsThenAcceptedAndAThirdOrBothTogetherRefused() {
        assertThat(server.send("GET", "/internal/apps", null, INTERNAL_OLD).status()).isEqualTo(200);
        assertThat(server.send("GET", "/internal/apps", null, INTERNAL_NEW).status()).isEqualTo(200);
        assertThat(server.send("GET", "/internal/apps", null, THIRD).status()).isEqualTo(403);
        assertThat(server.send("GET", "/internal/apps", null, INTERNAL_OLD + ", " + INTERNAL_NEW).status())
                .isEqualTo(403);
    }

    @Test
    void sharedWebhookPathWhenSignedWithEitherOfTwoSecretsThenAcceptedAndWithAThirdRefused() {
        URI shared = URI.create("http://127.0.0.1:" + server.switchboard.port() + "/webhooks/dialpad");

        assertThat(SENDER.sendJwt(shared, WEBHOOK_OLD, event()).status()).isEqualTo(200);
        assertThat(SENDER.sendJwt(shared, WEBHOOK_NEW, event()).status()).isEqualTo(200);
        assertThat(SENDER.sendJwt(shared, THIRD, event()).status()).isEqualTo(401);
    }

    @Test
    void sharedWebhookLegacyPathWhenHmacWithEitherOfTwoSecretsThenAcceptedAndWithAThirdRefused() {
        URI shared = URI.create("http://127.0.0.1:" + server.switchboard.port() + "/webhooks/dialpad");
        for (String secret : new String[] {WEBHOOK_OLD, WEBHOOK_NEW}) {
            byte[] body = event().jsonBytes();
            String signature = Hs256Jwt.hmacSha256Hex(secret.getBytes(StandardCharsets.UTF_8), body);
            assertThat(SENDER.sendSignedJson(shared, body, signature).status()).isEqualTo(200);
        }
        byte[] body = event().jsonBytes();
        assertThat(SENDER.sendSignedJson(shared, body,
                Hs256Jwt.hmacSha256Hex(THIRD.getBytes(StandardCharsets.UTF_8), body)).status()).isEqualTo(401);
    }

    private static dev.switchboard.testkit.dialpad.DialpadEvent event() {
        return DialpadEvents.call(CALL_IDS.incrementAndGet(), "ringing").build();
    }
}
