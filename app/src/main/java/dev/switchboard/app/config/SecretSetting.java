package dev.switchboard.app.config;

import dev.switchboard.core.secrets.Secret;
import java.util.Objects;

/**
 * A secret the server needs, as the environment gave it: either {@link Provided}, or not set at all, which only
 * sandbox accepts and which means "generate one once and keep it" ({@link GenerateInSandbox}).
 */
public sealed interface SecretSetting {
    /** The environment set the secret. */
    record Provided(Secret secret) implements SecretSetting {
        public Provided {
            Objects.requireNonNull(secret, "secret");
        }
    }

    /** The environment did not set the secret; in sandbox the application generates it and keeps it. */
    record GenerateInSandbox() implements SecretSetting {
    }

    /** Shorthand for {@code new Provided(new Secret(value))}. */
    static SecretSetting provided(String value) {
        return new Provided(new Secret(value));
    }
}
