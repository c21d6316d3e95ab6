package dev.switchboard.core.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A {@link WebhookEventStore} that passes every call but storing on to another one; subclasses store their way. */
abstract class ForwardingWebhookEventStore implements WebhookEventStore {
    private final WebhookEventStore delegate;

    ForwardingWebhookEventStore(WebhookEventStore delegate) {
        this.delegate = delegate;
    }

    final WebhookEventStore delegate() {
        return delegate;
    }

    @Override
    public List<WebhookEvent> claim(int limit, Instant now, Duration lease, String owner) {
        return delegate().claim(limit, now, lease, owner);
    }

    @Override
    public int releaseLeases(Collection<UUID> ids, String owner) {
        return delegate().releaseLeases(ids, owner);
    }

    @Override
    public boolean markProcessed(UUID id) {
        return delegate().markProcessed(id);
    }

    @Override
    public int markAllProcessed(Collection<UUID> ids) {
        return delegate().markAllProcessed(ids);
    }

    @Override
    public boolean markFailed(UUID id, String error, Instant nextAttemptAt) {
        return delegate().markFailed(id, error, nextAttemptAt);
    }

    @Override
    public Optional<WebhookEvent> find(UUID id) {
        return delegate().find(id);
    }

    @Override
    public long backlog() {
        return delegate().backlog();
    }
}
