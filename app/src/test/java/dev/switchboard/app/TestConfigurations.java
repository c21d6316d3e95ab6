package dev.switchboard.app;

import dev.switchboard.core.config.AppEnvironment;
import dev.switchboard.core.config.Configuration;
import dev.switchboard.core.config.DatabaseConfig;
import dev.switchboard.core.config.DialpadConfig;
import dev.switchboard.core.config.IpRange;
import dev.switchboard.core.config.LoggingConfig;
import dev.switchboard.core.config.RateLimitConfig;
import dev.switchboard.core.config.SecretSetting;
import dev.switchboard.core.config.Secrets;
import java.net.URI;
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

    static Configuration sandbox(Path dataDirectory, DatabaseConfig database, Secrets secrets) {
        return new Configuration(AppEnvironment.SANDBOX, "127.0.0.1", 0, URI.create("http://localhost:4000"),
                new DialpadConfig(Optional.empty(), URI.create("http://localhost:4000/auth/dialpad/callback"),
                        URI.create("https://sandbox.dialpad.com"), List.of("calls:list", "offline_access")),
                secrets, database, List.<IpRange>of(), RateLimitConfig.DEFAULTS, LoggingConfig.DEFAULTS,
                Optional.empty(), dataDirectory);
    }
}
