package dev.switchboard.core.testing;

import dev.switchboard.core.apikey.ApiKeyAccessGeneration;
import dev.switchboard.core.apps.App;
import dev.switchboard.core.apps.AppDirectory;
import dev.switchboard.core.apikey.ApiKeyStore;
import dev.switchboard.core.apikey.ApiKeyAuditEntry;
import dev.switchboard.core.apikey.ApiKeyAction;
import dev.switchboard.core.apikey.ApiKeyStatus;
import dev.switchboard.core.apikey.ApiKeyCandidate;
import dev.switchboard.core.apikey.ApiKeyIssuance;
import dev.switchboard.core.apikey.StoredApiKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * In-memory fake of {@link ApiKeyStore} and {@link ApiKeyAccessGeneration} with the ports' semantics (one active key
 * per app plus at most one in grace, a dead key leaves the lookup, the generation moves with every withdrawal of
 * access); one lock makes every
 * method atomic. Apps are registered with {@link #addApp}. Usage:
 * {@code ApiKeyAuthenticator.create(ApiKeys.create(random), new InMemoryApiKeyStore())}.
 */
public final class InMemoryApiKeyStore implements ApiKeyStore, ApiKeyAccessGeneration {
    private final AtomicLong generation = new AtomicLong();

    /** {@code graceEndsAt} is set on a key rotated away with a grace period, which stays unrevoked meanwhile. */
    private record Row(UUID appId, StoredApiKey key, Instant createdAt, Instant revokedAt, Instant graceEndsAt) {
        Row(UUID appId, StoredApiKey key, Instant createdAt, Instant revokedAt) {
            this(appId, key, createdAt, revokedAt, null);
        }

        boolean inGrace() {
            return revokedAt == null && graceEndsAt != null;
        }
    }

    private final Map<UUID, Boolean> apps = new HashMap<>();
    private final List<Row> rows = new ArrayList<>();
    private final List<ApiKeyAuditEntry> trail = new ArrayList<>();
    private final AtomicInteger lookups = new AtomicInteger();
    /** Where apps are found instead of {@link #apps} when given: then {@link #addApp} is not needed. */
    private final AppDirectory directory;

    /** A store whose apps are registered with {@link #addApp}. */
    public InMemoryApiKeyStore() {
        this.directory = null;
    }

    /** A store whose apps, and their active flags, are those of {@code directory} (an {@link InMemoryAppStore}). */
    public InMemoryApiKeyStore(AppDirectory directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
    }

    /** Registers an app with a fresh id. */
    public synchronized UUID addApp(boolean active) {
        UUID id = UUID.randomUUID();
        apps.put(id, active);
        return id;
    }

    /** Activates or deactivates an app. */
    public synchronized void setAppActive(UUID appId, boolean active) {
        Boolean before = apps.put(appId, active);
        if (Boolean.TRUE.equals(before) && !active) {
            generation.incrementAndGet();
        }
    }

    @Override
    public synchronized Optional<ApiKeyAuditEntry> createOrRotate(UUID appId, StoredApiKey key, String actor, Instant at) {
        return createOrRotate(appId, key, actor, at, Duration.ZERO);
    }

    @Override
    public synchronized Optional<ApiKeyAuditEntry> createOrRotate(UUID appId, StoredApiKey key, String actor,
                                                                  Instant at, Duration grace) {
        ApiKeyIssuance.checkGrace(grace);
        if (!appExists(appId)) {
            return Optional.empty();
        }
        if (rows.stream().anyMatch(row -> row.key().lookupPrefix().equals(key.lookupPrefix()))) {
            throw new IllegalStateException("lookup prefix taken");
        }
        endGrace(appId, at);
        Optional<Row> active = activeRow(appId);
        Optional<Instant> graceEnd = active.isPresent() && !grace.isZero() ? Optional.of(at.plus(grace))
                : Optional.empty();
        active.ifPresent(old -> {
            rows.set(rows.indexOf(old), graceEnd.isPresent()
                    ? new Row(old.appId(), old.key(), old.createdAt(), null, graceEnd.get())
                    : new Row(old.appId(), old.key(), old.createdAt(), at));
            generation.incrementAndGet();
        });
        rows.add(new Row(appId, key, at, null));
        ApiKeyAuditEntry entry = new ApiKeyAuditEntry(appId, active.isPresent() ? ApiKeyAction.ROTATED : ApiKeyAction.CREATED,
                active.map(row -> row.key().hint()), Optional.of(key.hint()), actor, at, graceEnd);
        trail.add(entry);
        return Optional.of(entry);
    }

    @Override
    public synchronized Optional<ApiKeyAuditEntry> revoke(UUID appId, String actor, Instant at) {
        Optional<Row> active = activeRow(appId);
        if (active.isEmpty()) {
            return Optional.empty();
        }
        Row old = active.get();
        endGrace(appId, at);
        rows.set(rows.indexOf(old), new Row(old.appId(), old.key(), old.createdAt(), at));
        generation.incrementAndGet();
        ApiKeyAuditEntry entry = new ApiKeyAuditEntry(appId, ApiKeyAction.REVOKED, Optional.of(old.key().hint()),
                Optional.empty(), actor, at);
        trail.add(entry);
        return Optional.of(entry);
    }

    @Override
    public synchronized ApiKeyStatus status(UUID appId) {
        Optional<Row> active = activeRow(appId);
        if (active.isPresent()) {
            Optional<Row> previous = graceRow(appId);
            return new ApiKeyStatus(ApiKeyStatus.State.ACTIVE, Optional.of(active.get().key().hint()),
                    Optional.of(active.get().createdAt()), Optional.empty(),
                    previous.map(row -> row.key().hint()), previous.map(Row::graceEndsAt));
        }
        return rows.stream().filter(row -> row.appId().equals(appId)).reduce((first, second) -> second)
                .map(row -> new ApiKeyStatus(ApiKeyStatus.State.REVOKED, Optional.of(row.key().hint()),
                        Optional.of(row.createdAt()), Optional.of(row.revokedAt())))
                .orElse(ApiKeyStatus.none());
    }

    @Override
    public synchronized List<ApiKeyAuditEntry> audit(UUID appId) {
        return trail.stream().filter(entry -> entry.appId().equals(appId)).toList();
    }

    @Override
    public synchronized Optional<ApiKeyCandidate> findByLookupPrefix(String lookupPrefix) {
        lookups.incrementAndGet();
        return rows.stream().filter(row -> row.key().lookupPrefix().equals(lookupPrefix)).findFirst()
                .map(row -> new ApiKeyCandidate(row.appId(), row.key().bcryptHash(), row.key().hint(),
                        row.revokedAt() == null, appActive(row.appId()), Optional.ofNullable(row.graceEndsAt())));
    }

    private Optional<Row> activeRow(UUID appId) {
        return rows.stream().filter(row -> row.appId().equals(appId) && row.revokedAt() == null && !row.inGrace())
                .findFirst();
    }

    private Optional<Row> graceRow(UUID appId) {
        return rows.stream().filter(row -> row.appId().equals(appId) && row.inGrace()).findFirst();
    }

    /** Revokes the app's key in grace, if any, at {@code at} or at its grace end when that came first. */
    private void endGrace(UUID appId, Instant at) {
        graceRow(appId).ifPresent(old -> {
            Instant end = old.graceEndsAt().isBefore(at) ? old.graceEndsAt() : at;
            rows.set(rows.indexOf(old), new Row(old.appId(), old.key(), old.createdAt(), end, old.graceEndsAt()));
            generation.incrementAndGet();
        });
    }

    /** How many prefix look-ups were made since creation or {@link #resetLookups()}. */
    public int lookups() {
        return lookups.get();
    }

    /** Starts counting look-ups from zero again. */
    public void resetLookups() {
        lookups.set(0);
    }

    /** Moves with every revocation, rotation and app deactivation, as the port promises. */
    @Override
    public long accessGeneration() {
        return generation.get();
    }

    private boolean appExists(UUID appId) {
        return directory == null ? apps.containsKey(appId) : directory.find(appId).isPresent();
    }

    private boolean appActive(UUID appId) {
        return directory == null ? Boolean.TRUE.equals(apps.get(appId))
                : directory.find(appId).map(App::active).orElse(false);
    }
}
