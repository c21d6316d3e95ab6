package dev.switchboard.app.config;

import dev.switchboard.core.secrets.SecretCipher;
import java.util.Optional;

/** The four secrets: required in production, generated once in sandbox when unset, never echoed in a problem. */
final class SecretsSection {
    private final EnvironmentVariables env;

    SecretsSection(EnvironmentVariables env) {
        this.env = env;
    }

    Secrets secrets(boolean production) {
        SecretSetting internal = rotatingSecret(Secrets.INTERNAL_API_SECRET, production, true,
                "the bearer secret of /internal/*");
        SecretSetting session = secret(Secrets.SESSION_SECRET, production, true,
                "the key that signs the OAuth flow's browser cookie");
        SecretSetting tokenKey = secret(Secrets.TOKEN_ENCRYPTION_KEY, production, false,
                "base64 of 32 random bytes, e.g. from `openssl rand -base64 32`");
        if (tokenKey instanceof SecretSetting.Provided provided) {
            try {
                SecretCipher.decodeKey(provided.secret().value());
            } catch (IllegalArgumentException e) {
                // decodeKey's messages describe the shape of the value, never the value itself
                env.problem(Secrets.TOKEN_ENCRYPTION_KEY, "must be base64 of exactly 32 bytes: " + e.getMessage());
            }
        }
        // routing on the shared path trusts the payload's organisation, so this one secret guards every tenant:
        // production wants it as long as the others; a sandbox keeps whatever its developer set
        SecretSetting webhook = rotatingSecret(Secrets.DIALPAD_WEBHOOK_SECRET, production, production,
                "the secret of the shared webhook endpoint, as configured at Dialpad");
        if (!env.problems().isEmpty()) {
            return null;
        }
        return new Secrets(internal, session, tokenKey, webhook);
    }

    /**
     * A secret that may hold two comma-separated values during a rotation ({@link SecretValues}); each value must
     * have the minimum length when {@code minimumLength}, and the problem names the value by position only.
     */
    private SecretSetting rotatingSecret(String name, boolean production, boolean minimumLength, String what) {
        Optional<String> value = env.optional(name);
        if (value.isEmpty()) {
            if (production) {
                env.problem(name, "is required in production (" + what + ")");
            }
            return new SecretSetting.GenerateInSandbox();
        }
        String problem = SecretValues.problem(value.get(), minimumLength ? Secrets.MIN_SECRET_LENGTH : 1);
        if (problem != null) {
            env.problem(name, problem);
        }
        return SecretSetting.provided(value.get());
    }

    private SecretSetting secret(String name, boolean production, boolean minimumLength, String what) {
        Optional<String> value = env.optional(name);
        if (value.isEmpty()) {
            if (production) {
                env.problem(name, "is required in production (" + what + ")");
            }
            return new SecretSetting.GenerateInSandbox();
        }
        if (minimumLength && value.get().length() < Secrets.MIN_SECRET_LENGTH) {
            env.problem(name, "must have at least " + Secrets.MIN_SECRET_LENGTH + " characters");
        }
        return SecretSetting.provided(value.get());
    }
}
