package dev.switchboard.core.apikey;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** In-memory fake of {@link ApiKeyStore} for core tests; one lock makes every method atomic. */
final class InMemoryApiKeyStore implements ApiKeyStore {
    private record Row(UUID appId, StoredApiKey key, Instant createdAt, Instant revokedAt) {
    }

    private final Map<UUID, Boolean> apps = new HashMap<>();
    private final List<Row> rows = new ArrayList<>();
    private final List<ApiKeyAuditEntry> trail = new ArrayList<>();
    final AtomicInteger lookups = new AtomicInteger();

    synchronized UUID addApp(boolean active) {
        UUID id = UUID.randomUUID();
        apps.put(id, active);
        return id;
    }

    synchronized void setAppActive(UUID appId, boolean active) {
        apps.put(appId, active);
    }

    @Override
    public synchronized Optional<ApiKeyAuditEntry> createOrRotate(UUID appId, StoredApiKey key, String actor, Instant at) {
        if (!apps.containsKey(appId)) {
            return Optional.empty();
        }
        if (rows.stream().anyMatch(row -> row.key().lookupPrefix().equals(key.lookupPrefix()))) {
            throw new IllegalStateException("lookup prefix taken");
        }
        Optional<Row> active = activeRow(appId);
        active.ifPresent(old -> rows.set(rows.indexOf(old), new Row(old.appId(), old.key(), old.createdAt(), at)));
        rows.add(new Row(appId, key, at, null));
        ApiKeyAuditEntry entry = new ApiKeyAuditEntry(appId, active.isPresent() ? ApiKeyAction.ROTATED : ApiKeyAction.CREATED,
                active.map(row -> row.key().hint()), Optional.of(key.hint()), actor, at);
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
        rows.set(rows.indexOf(old), new Row(old.appId(), old.key(), old.createdAt(), at));
        ApiKeyAuditEntry entry = new ApiKeyAuditEntry(appId, ApiKeyAction.REVOKED, Optional.of(old.key().hint()),
                Optional.empty(), actor, at);
        trail.add(entry);
        return Optional.of(entry);
    }

    @Override
    public synchronized ApiKeyStatus status(UUID appId) {
        Optional<Row> active = activeRow(appId);
        if (active.isPresent()) {
            return new ApiKeyStatus(ApiKeyStatus.State.ACTIVE, Optional.of(active.get().key().hint()),
                    Optional.of(active.get().createdAt()), Optional.empty());
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
                        row.revokedAt() == null, apps.get(row.appId())));
    }

    private Optional<Row> activeRow(UUID appId) {
        return rows.stream().filter(row -> row.appId().equals(appId) && row.revokedAt() == null).findFirst();
    }
}
