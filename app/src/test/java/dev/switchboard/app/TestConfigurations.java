package dev.switchboard.app;

import dev.switchboard.app.config.AppEnvironment;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.DatabaseConfig;
import dev.switchboard.app.config.DialpadConfig;
import dev.switchboard.http.IpRange;
import dev.switchboard.app.config.LoggingConfig;
import dev.switchboard.http.RateLimitConfig;
import dev.switchboard.app.config.SecretSetting;
import dev.switchboard.app.config.Secrets;
import java.net.URI;
import java.security.SecureRandom;
import java.util.Base64;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Sandbox configurations for tests: loopback, port 0, secrets left to generate, a given data directory. */
final class TestConfigurations {
    private TestConfigurations() {
    }

    static Configuration sandbox(Path dataDirectory, DatabaseConfig database) {
        return sandbox(dataDirectory, database, new Secrets(new SecretSetting.GenerateInSandbox(),
                new SecretSetting.GenerateInSandbox(), new SecretSetting.GenerateInSandbox(),
                new SecretSetting.GenerateInSandbox()));
    }

    /**
     * Every secret provided, so that several instances (and the test's own stores) open what the others sealed:
     * fixed internal and session secrets, a fresh random {@code TOKEN_ENCRYPTION_KEY}, and {@code sharedWebhookSecret}.
     */
    static Secrets providedSecrets(String sharedWebhookSecret) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return new Secrets(SecretSetting.provided("internal-api-secret-0123456789abcdef"),
                SecretSetting.provided("session-secret-0123456789abcdef-0123"),
                SecretSetting.provided(Base64.getEncoder().encodeToString(key)),
                SecretSetting.provided(sharedWebhookSecret));
    }

    /** An external database at {@code jdbcUrl} with a pool of 4. */
    static DatabaseConfig external(String jdbcUrl) {
        return new DatabaseConfig.External(jdbcUrl, Optional.empty(), Optional.empty(), 4);
    }

    static Configuration sandbox(Path dataDirectory, DatabaseConfig database, Secrets secrets) {
        return new Configuration(AppEnvironment.SANDBOX, "127.0.0.1", 0, URI.create("http://localhost:4000"),
                new DialpadConfig(Optional.empty(), URI.create("http://localhost:4000/auth/dialpad/callback"),
                        URI.create("https://sandbox.dialpad.com"), List.of("calls:list", "offline_access")),
                secrets, database, List.<IpRange>of(), RateLimitConfig.DEFAULTS, LoggingConfig.DEFAULTS,
                Optional.empty(), dataDirectory);
    }
}
