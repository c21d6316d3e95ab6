package dev.switchboard.app.config;

import dev.switchboard.core.secrets.Secret;
import dev.switchboard.core.secrets.SecretCipher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The server's own secrets. Each is either provided by the environment or, in sandbox only, left to be generated
 * by the application (see {@link #toGenerate()} and {@link #withGenerated(Map)}).
 *
 * @param internalApiSecret    bearer secret of {@code /internal/*} ({@code INTERNAL_API_SECRET}), at least 32 characters
 * @param sessionSecret        key of the browser-binding cookie ({@code SESSION_SECRET}), at least 32 characters
 * @param tokenEncryptionKey   the key ring of tokens at rest, as {@link SecretCipher#fromKeyRing} reads it: base64 of
 *                             32 bytes ({@code TOKEN_ENCRYPTION_KEY}) or {@code TOKEN_ENCRYPTION_KEYS} entries
 * @param dialpadWebhookSecret secret of the shared webhook endpoint ({@code DIALPAD_WEBHOOK_SECRET}); the
 *                             configuration reader refuses one shorter than {@link #MIN_SECRET_LENGTH} in production
 */
public record Secrets(SecretSetting internalApiSecret, SecretSetting sessionSecret, SecretSetting tokenEncryptionKey,
                      SecretSetting dialpadWebhookSecret) {
    /** Variable name of the internal API secret. */
    public static final String INTERNAL_API_SECRET = "INTERNAL_API_SECRET";
    /** Variable name of the session secret. */
    public static final String SESSION_SECRET = "SESSION_SECRET";
    /** Variable name of the token encryption key. */
    public static final String TOKEN_ENCRYPTION_KEY = "TOKEN_ENCRYPTION_KEY";
    /** Variable name of the token encryption key ring, {@code <key id>:<base64 key>} entries, the first sealing. */
    public static final String TOKEN_ENCRYPTION_KEYS = "TOKEN_ENCRYPTION_KEYS";
    /** Variable name of the shared webhook secret. */
    public static final String DIALPAD_WEBHOOK_SECRET = "DIALPAD_WEBHOOK_SECRET";
    /**
     * Shortest accepted internal API secret and session secret, in characters; in production also the shortest
     * shared webhook secret.
     */
    public static final int MIN_SECRET_LENGTH = 32;

    public Secrets {
        Objects.requireNonNull(internalApiSecret, "internalApiSecret");
        Objects.requireNonNull(sessionSecret, "sessionSecret");
        Objects.requireNonNull(tokenEncryptionKey, "tokenEncryptionKey");
        Objects.requireNonNull(dialpadWebhookSecret, "dialpadWebhookSecret");
        requireLength(INTERNAL_API_SECRET, internalApiSecret);
        if (sessionSecret instanceof SecretSetting.Provided provided && provided.secret().length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException(SESSION_SECRET + " must have at least " + MIN_SECRET_LENGTH
                    + " characters");
        }
        if (tokenEncryptionKey instanceof SecretSetting.Provided provided) {
            // throws IllegalArgumentException, whose message never contains a key
            SecretCipher.fromKeyRing(provided.secret().value(), new java.security.SecureRandom());
        }
    }

    /** The variable names of the secrets left to generate, in a stable order; empty when all are provided. */
    public List<String> toGenerate() {
        List<String> names = new ArrayList<>();
        settings().forEach((name, setting) -> {
            if (setting instanceof SecretSetting.GenerateInSandbox) {
                names.add(name);
            }
        });
        return List.copyOf(names);
    }

    /**
     * These secrets with each one left to generate replaced by {@code generated.get(name)}. Throws
     * IllegalArgumentException when a needed value is missing from the map or too short.
     */
    public Secrets withGenerated(Map<String, Secret> generated) {
        return new Secrets(fill(INTERNAL_API_SECRET, internalApiSecret, generated),
                fill(SESSION_SECRET, sessionSecret, generated),
                fill(TOKEN_ENCRYPTION_KEY, tokenEncryptionKey, generated),
                fill(DIALPAD_WEBHOOK_SECRET, dialpadWebhookSecret, generated));
    }

    /** True when every secret is provided (nothing left to generate). */
    public boolean complete() {
        return toGenerate().isEmpty();
    }

    /** The internal API secret; throws IllegalStateException while it is still to be generated. */
    public Secret requireInternalApiSecret() {
        return require(INTERNAL_API_SECRET, internalApiSecret);
    }

    /** The session secret; throws IllegalStateException while it is still to be generated. */
    public Secret requireSessionSecret() {
        return require(SESSION_SECRET, sessionSecret);
    }

    /** The token encryption key ring (see {@link SecretCipher#fromKeyRing}); throws IllegalStateException while it is still to be generated. */
    public Secret requireTokenEncryptionKey() {
        return require(TOKEN_ENCRYPTION_KEY, tokenEncryptionKey);
    }

    /** The shared webhook secret; throws IllegalStateException while it is still to be generated. */
    public Secret requireDialpadWebhookSecret() {
        return require(DIALPAD_WEBHOOK_SECRET, dialpadWebhookSecret);
    }

    private Map<String, SecretSetting> settings() {
        // Map.of has no order; the order of toGenerate() should be stable for the log line
        Map<String, SecretSetting> settings = new LinkedHashMap<>();
        settings.put(INTERNAL_API_SECRET, internalApiSecret);
        settings.put(SESSION_SECRET, sessionSecret);
        settings.put(TOKEN_ENCRYPTION_KEY, tokenEncryptionKey);
        settings.put(DIALPAD_WEBHOOK_SECRET, dialpadWebhookSecret);
        return settings;
    }

    private static SecretSetting fill(String name, SecretSetting setting, Map<String, Secret> generated) {
        if (setting instanceof SecretSetting.Provided) {
            return setting;
        }
        Secret value = generated.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no generated value for " + name);
        }
        return new SecretSetting.Provided(value);
    }

    private static Secret require(String name, SecretSetting setting) {
        if (setting instanceof SecretSetting.Provided provided) {
            return provided.secret();
        }
        throw new IllegalStateException(name + " has not been generated yet");
    }

    private static void requireLength(String name, SecretSetting setting) {
        if (setting instanceof SecretSetting.Provided provided) {
            // the internal API secret may hold two values during a rotation: each one must be long enough
            String problem = SecretValues.problem(provided.secret().value(), MIN_SECRET_LENGTH);
            if (problem != null) {
                throw new IllegalArgumentException(name + " " + problem);
            }
        }
    }
}
