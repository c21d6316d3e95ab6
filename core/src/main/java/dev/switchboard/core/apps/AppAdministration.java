package dev.switchboard.core.apps;

import dev.switchboard.core.apikey.ApiKeyAuditEntry;
import dev.switchboard.core.apikey.ApiKeyIssuance;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apikey.IssuedApiKey;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.audit.AuditLog;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Creating apps and issuing their API keys, with the audit entries that go with them. The internal HTTP API and the
 * command line both go through here, so an app made either way is made, keyed and audited the same way.
 * Thread-safe when its stores are.
 */
public final class AppAdministration {
    private final AppRegistration apps;
    private final ApiKeys apiKeys;
    private final ApiKeyIssuance keyStore;
    private final AuditLog audit;
    private final Clock clock;

    private AppAdministration(AppRegistration apps, ApiKeys apiKeys, ApiKeyIssuance keyStore, AuditLog audit,
                              Clock clock) {
        this.apps = apps;
        this.apiKeys = apiKeys;
        this.keyStore = keyStore;
        this.audit = audit;
        this.clock = clock;
    }

    /** The administration over these stores, recording to {@code audit} at {@code clock}'s time. */
    public static AppAdministration create(AppRegistration apps, ApiKeys apiKeys, ApiKeyIssuance keyStore,
                                           AuditLog audit, Clock clock) {
        return new AppAdministration(Objects.requireNonNull(apps, "apps"), Objects.requireNonNull(apiKeys, "apiKeys"),
                Objects.requireNonNull(keyStore, "keyStore"), Objects.requireNonNull(audit, "audit"),
                Objects.requireNonNull(clock, "clock"));
    }

    /**
     * A new app named {@code name} (already valid, see {@link App#validName}) and its first API key, audited as
     * {@code app_created} and {@code api_key_created} by {@code actor}.
     */
    public Created createApp(String name, String actor, Optional<String> clientIp) {
        App app = apps.create(name);
        audit.record(new AuditEvent(clock.instant(), AuditEventType.APP_CREATED, Optional.of(app.id()), actor,
                clientIp, Map.of("app_name", app.name())));
        KeyIssued issued = store(app.id(), actor, Duration.ZERO)
                .orElseThrow(() -> new IllegalStateException("the app just created has disappeared"));
        audit.record(new AuditEvent(issued.entry().at(), AuditEventType.API_KEY_CREATED, Optional.of(app.id()), actor,
                clientIp, Map.of("key_hint", issued.key().hint())));
        return new Created(app, issued.key());
    }

    /**
     * A new API key for the app {@code appId}: its first, or one that replaces the current key at once. Audited as
     * {@code api_key_created} or {@code api_key_rotated} with the hints. Empty when no app has this id.
     */
    public Optional<KeyIssued> issueKey(UUID appId, String actor, Optional<String> clientIp) {
        return issueKey(appId, actor, clientIp, Duration.ZERO);
    }

    /**
     * As {@link #issueKey(UUID, String, Optional)}, but a replaced key keeps working for {@code grace} (0 to 7 days;
     * see {@link ApiKeyIssuance#createOrRotate(UUID, dev.switchboard.core.apikey.StoredApiKey, String,
     * java.time.Instant, Duration)}); the audit records the grace end as {@code previous_key_expires_at}.
     */
    public Optional<KeyIssued> issueKey(UUID appId, String actor, Optional<String> clientIp, Duration grace) {
        Optional<KeyIssued> issued = store(appId, actor, grace);
        issued.ifPresent(done -> {
            Map<String, String> details = new LinkedHashMap<>();
            done.entry().oldHint().ifPresent(hint -> details.put("old_hint", hint));
            details.put("new_hint", done.key().hint());
            done.entry().previousKeyExpiresAt()
                    .ifPresent(end -> details.put("previous_key_expires_at", end.toString()));
            AuditEventType type = done.entry().oldHint().isPresent() ? AuditEventType.API_KEY_ROTATED
                    : AuditEventType.API_KEY_CREATED;
            audit.record(new AuditEvent(done.entry().at(), type, Optional.of(appId), actor, clientIp, details));
        });
        return issued;
    }

    /** Stores a fresh key for the app; empty when no app has this id. */
    private Optional<KeyIssued> store(UUID appId, String actor, Duration grace) {
        // a lookup prefix collision is a 2^-64 event per pair of keys: one fresh key is all a retry needs
        for (int attempt = 1; ; attempt++) {
            IssuedApiKey key = apiKeys.issue();
            try {
                return keyStore.createOrRotate(appId, key.stored(), actor, clock.instant(), grace)
                        .map(entry -> new KeyIssued(key, entry));
            } catch (IllegalStateException e) {
                if (attempt >= 2) {
                    throw e;
                }
            }
        }
    }

    /** A created app and its first key (the plaintext is shown to the caller once and never stored). */
    public record Created(App app, IssuedApiKey key) {
        public Created {
            Objects.requireNonNull(app, "app");
            Objects.requireNonNull(key, "key");
        }
    }

    /** A key just issued and the key store's record of it (whether it created or rotated). */
    public record KeyIssued(IssuedApiKey key, ApiKeyAuditEntry entry) {
        public KeyIssued {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(entry, "entry");
        }
    }
}
