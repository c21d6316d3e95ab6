package dev.switchboard.bench;

import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apikey.IssuedApiKey;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.ConfigurationReader;
import dev.switchboard.app.config.ConfigurationResult;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.core.webhook.DialpadWebhookSecret;
import dev.switchboard.core.webhook.NewDialpadWebhook;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiApiKeyStore;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.JdbiDialpadWebhookStore;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * How the benchmarks start the real server: a sandbox configuration read by {@link ConfigurationReader} from
 * variables, as an operator would set them, on an external database, listening on a free loopback port, with the
 * per-address rate limits raised (the whole load comes from one address, so the limits would otherwise measure 429s)
 * and a token encryption key shared by every instance of one bench.
 */
final class BenchServers {
    private final String url;
    private final String encryptionKey;

    private BenchServers(String url, String encryptionKey) {
        this.url = url;
        this.encryptionKey = encryptionKey;
    }

    /** Servers on the database at {@code url}, sharing one fresh token encryption key. */
    static BenchServers on(String url) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return new BenchServers(url, Base64.getEncoder().encodeToString(key));
    }

    /** The token encryption key (base64) every server of this bench gets as {@code TOKEN_ENCRYPTION_KEY}. */
    String encryptionKey() {
        return encryptionKey;
    }

    /** A configuration with a pool of {@code poolSize} connections; {@code extra} variables override the defaults. */
    Configuration configuration(int poolSize, Map<String, String> extra) {
        ConfigurationResult read = ConfigurationReader.read(environment(poolSize, extra));
        if (!(read instanceof ConfigurationResult.Valid valid)) {
            throw new IllegalStateException("bench configuration refused: " + read);
        }
        return valid.configuration().withListenAddress("127.0.0.1", 0);
    }

    /**
     * Starts the server as an operator does, {@code java -jar app/target/switchboard.jar} (JVM options from the
     * system property {@code bench.server.jvm}, space-separated, by default those of the README's start command), in
     * its own process, with this bench's variables and a free port, and waits until {@code /ready} answers 200.
     */
    ServerProcess launch(String name, int poolSize, Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(environment(poolSize, extra));
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        env.put("PORT", Integer.toString(port));
        return ServerProcess.start(name, port, env);
    }

    private Map<String, String> environment(int poolSize, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("APP_ENV", "sandbox");
        env.put("HOST", "127.0.0.1");
        env.put("DATABASE_URL", url);
        env.put("DB_MAX_CLIENTS", Integer.toString(poolSize));
        env.put("INTERNAL_API_SECRET", "bench-internal-api-secret-0123456789abcdef");
        env.put("SESSION_SECRET", "bench-session-secret-0123456789abcdef-0123");
        env.put("TOKEN_ENCRYPTION_KEY", encryptionKey);
        env.put("DIALPAD_WEBHOOK_SECRET", "bench-shared-webhook-secret-0123456789abcdef");
        env.put("RATE_LIMIT_WEBHOOKS_PER_MINUTE", "1000000");
        env.put("RATE_LIMIT_API_PER_MINUTE", "1000000");
        env.put("RATE_LIMIT_INTERNAL_PER_MINUTE", "1000000");
        env.put("LOG_LEVEL", "warn");
        env.putAll(extra);
        return env;
    }

    /**
     * An app with an API key and a Dialpad webhook whose secret is {@code webhookSecret}, as the webhook
     * administration would leave it.
     */
    WebhookApp webhookApp(String name, String webhookSecret) {
        try (Database database = Database.open(DatabaseSettings.of(url, 2))) {
            UUID appId = JdbiAppStore.create(database, Clock.systemUTC()).create(name).id();
            JdbiDialpadWebhookStore.create(database, SecretCipher.fromBase64Key(encryptionKey, new SecureRandom()),
                    Clock.systemUTC()).save(new NewDialpadWebhook(appId, name + "-webhook",
                    "http://127.0.0.1/webhooks/dialpad/" + appId, new DialpadWebhookSecret(webhookSecret), List.of()));
            IssuedApiKey key = ApiKeys.create(new SecureRandom()).issue();
            JdbiApiKeyStore.create(database).createOrRotate(appId, key.stored(), "bench", Instant.now())
                    .orElseThrow();
            return new WebhookApp(appId, key.plaintext(), webhookSecret);
        }
    }

    /** An app ready to receive webhooks on {@link #path()} and pushes with {@link #apiKey()}. */
    record WebhookApp(UUID id, String apiKey, String webhookSecret) {
        String path() {
            return "/webhooks/dialpad/" + id;
        }
    }
}
