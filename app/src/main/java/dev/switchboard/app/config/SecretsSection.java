package dev.switchboard.app.config;

import dev.switchboard.core.secrets.SecretCipher;
import java.util.Arrays;
import java.util.Map;
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
        SecretSetting tokenKey = tokenKeys(production);
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
     * {@code TOKEN_ENCRYPTION_KEYS} when set (the single {@code TOKEN_ENCRYPTION_KEY}, if also set, joins the ring as
     * a key that only opens, under its derived id), else {@code TOKEN_ENCRYPTION_KEY}; the setting holds the ring in
     * the form {@link SecretCipher#fromKeyRing} reads.
     */
    private SecretSetting tokenKeys(boolean production) {
        Optional<String> ring = env.optional(Secrets.TOKEN_ENCRYPTION_KEYS);
        Optional<String> single = env.optional(Secrets.TOKEN_ENCRYPTION_KEY);
        if (single.isPresent()) {
            try {
                SecretCipher.decodeKey(single.get());
            } catch (IllegalArgumentException e) {
                // decodeKey's messages describe the shape of the value, never the value itself
                env.problem(Secrets.TOKEN_ENCRYPTION_KEY, "must be base64 of exactly 32 bytes: " + e.getMessage());
                return new SecretSetting.GenerateInSandbox();
            }
        }
        if (ring.isEmpty()) {
            return secret(Secrets.TOKEN_ENCRYPTION_KEY, production, false,
                    "base64 of 32 random bytes, e.g. from `openssl rand -base64 32`; or "
                            + Secrets.TOKEN_ENCRYPTION_KEYS);
        }
        Map<String, byte[]> keys;
        try {
            keys = SecretCipher.parseKeyRing(ring.get());
        } catch (IllegalArgumentException e) {
            // parseKeyRing's messages name an entry's position or key id, never a key
            env.problem(Secrets.TOKEN_ENCRYPTION_KEYS, "must be <key id>:<base64 of 32 bytes> entries separated by "
                    + "commas, the first sealing new values: " + e.getMessage());
            return new SecretSetting.GenerateInSandbox();
        }
        if (single.isEmpty()) {
            return SecretSetting.provided(ring.get());
        }
        // rows the single key sealed carry its derived id, whatever id the ring may give the same key
        byte[] key = SecretCipher.decodeKey(single.get());
        String id = SecretCipher.keyId(key);
        if (!keys.containsKey(id)) {
            return SecretSetting.provided(ring.get() + "," + id + ":" + single.get().strip());
        }
        if (!Arrays.equals(keys.get(id), key)) {
            env.problem(Secrets.TOKEN_ENCRYPTION_KEYS, "names key id " + id + ", which is the id derived from "
                    + Secrets.TOKEN_ENCRYPTION_KEY + " but holds another key");
            return new SecretSetting.GenerateInSandbox();
        }
        return SecretSetting.provided(ring.get());
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
