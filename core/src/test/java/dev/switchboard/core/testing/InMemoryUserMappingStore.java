package dev.switchboard.core.testing;

import dev.switchboard.core.users.BatchMappingOutcome;
import dev.switchboard.core.users.MappingOutcome;
import dev.switchboard.core.users.UserMapping;
import dev.switchboard.core.users.UserMappingRequest;
import dev.switchboard.core.users.UserMappingStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * In-memory {@link UserMappingStore} with the port's semantics: one mapping per app and Dialpad user, re-mapping
 * in place, batches all or nothing. One lock makes every method atomic. Usage:
 * {@code new InMemoryUserMappingStore(clock).map(appId, new UserMappingRequest("dp-1", "crm-1"))}.
 */
public final class InMemoryUserMappingStore implements UserMappingStore {
    private final Clock clock;
    private final List<UserMapping> mappings = new ArrayList<>();

    /** A store stamping new mappings with {@code clock}'s time. */
    public InMemoryUserMappingStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized MappingOutcome map(UUID appId, UserMappingRequest request) {
        Optional<UserMapping> current = findByDialpadUser(appId, request.dialpadUserId());
        if (current.isEmpty()) {
            UserMapping created = new UserMapping(UUID.randomUUID(), appId, request.dialpadUserId(),
                    request.crmUserId(), clock.instant());
            mappings.add(created);
            return new MappingOutcome.Created(created);
        }
        UserMapping old = current.get();
        if (old.crmUserId().equals(request.crmUserId())) {
            return new MappingOutcome.Unchanged(old);
        }
        UserMapping moved = new UserMapping(old.id(), appId, old.dialpadUserId(), request.crmUserId(), old.createdAt());
        mappings.set(mappings.indexOf(old), moved);
        return new MappingOutcome.Remapped(moved, old.crmUserId());
    }

    @Override
    public synchronized BatchMappingOutcome mapAll(UUID appId, List<UserMappingRequest> requests) {
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            UserMappingRequest request = requests.get(i);
            String earlier = seen.putIfAbsent(request.dialpadUserId(), request.crmUserId());
            if (earlier != null && !earlier.equals(request.crmUserId())) {
                return new BatchMappingOutcome.Conflicting(i, request.dialpadUserId());
            }
        }
        List<MappingOutcome> outcomes = new ArrayList<>(requests.size());
        for (UserMappingRequest request : requests) {
            outcomes.add(map(appId, request));
        }
        return new BatchMappingOutcome.Applied(outcomes);
    }

    @Override
    public synchronized List<UserMapping> list(UUID appId) {
        return mappings.stream().filter(m -> m.appId().equals(appId)).toList();
    }

    @Override
    public synchronized Optional<UserMapping> findByDialpadUser(UUID appId, String dialpadUserId) {
        return mappings.stream().filter(m -> m.appId().equals(appId) && m.dialpadUserId().equals(dialpadUserId))
                .findFirst();
    }

    @Override
    public synchronized List<UserMapping> findByCrmUser(UUID appId, String crmUserId) {
        return mappings.stream().filter(m -> m.appId().equals(appId) && m.crmUserId().equals(crmUserId)).toList();
    }

    @Override
    public synchronized boolean delete(UUID appId, UUID mappingId) {
        return mappings.removeIf(m -> m.appId().equals(appId) && m.id().equals(mappingId));
    }

    @Override
    public synchronized boolean deleteByDialpadUser(UUID appId, String dialpadUserId) {
        return mappings.removeIf(m -> m.appId().equals(appId) && m.dialpadUserId().equals(dialpadUserId));
    }
}
