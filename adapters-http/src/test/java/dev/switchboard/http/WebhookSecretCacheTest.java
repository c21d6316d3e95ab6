package dev.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.data.DataVersions;
import dev.switchboard.core.webhook.AppWebhookSecrets;
import dev.switchboard.core.webhook.DialpadWebhook;
import dev.switchboard.core.webhook.DialpadWebhookSecret;
import dev.switchboard.core.webhook.DialpadWebhookStore;
import dev.switchboard.core.webhook.NewDialpadWebhook;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookSecretCacheTest {
    private static final DialpadWebhookSecret FIRST = new DialpadWebhookSecret("first-secret");
    private static final DialpadWebhookSecret SECOND = new DialpadWebhookSecret("second-secret");

    private final Map<UUID, List<DialpadWebhookSecret>> stored = new ConcurrentHashMap<>();
    private final AtomicInteger sourceReads = new AtomicInteger();
    private final AtomicLong nanos = new AtomicLong();
    private final DataVersions versions = DataVersions.create();
    private final UUID app = UUID.randomUUID();
    private WebhookSecretCache cache;

    @BeforeEach
    void create() {
        AppWebhookSecrets source = appId -> {
            sourceReads.incrementAndGet();
            return Optional.ofNullable(stored.get(appId));
        };
        cache = WebhookSecretCache.over(source, versions, nanos::get);
        stored.put(app, List.of(FIRST));
        versions.tracking();
    }

    @Test
    void findWhenAskedAgainForAnUnchangedAppThenAnsweredWithoutReading() {
        assertThat(cache.find(app)).contains(List.of(FIRST));
        for (int i = 0; i < 100; i++) {
            assertThat(cache.find(app)).contains(List.of(FIRST));
        }

        assertThat(sourceReads).hasValue(1);
        assertThat(cache.reads()).isEqualTo(1);
    }

    @Test
    void findWhenANoticeSaysTheAppChangedThenReadAgain() {
        cache.find(app);
        stored.put(app, List.of(SECOND, FIRST));

        versions.changed(app);

        assertThat(cache.find(app)).contains(List.of(SECOND, FIRST));
        assertThat(sourceReads).hasValue(2);
    }

    @Test
    void findWhenNoticesAreLostThenAnAnswerKnownCurrentLatelyIsReusedForAWhileOnly() {
        cache.find(app);
        nanos.addAndGet(WebhookSecretCache.UNTRACKED_REUSE.toNanos() * 2);
        cache.find(app);
        assertThat(sourceReads).as("still current: each use confirms it").hasValue(1);

        versions.lost();
        nanos.addAndGet(WebhookSecretCache.UNTRACKED_REUSE.toNanos() - 1);
        assertThat(cache.find(app)).contains(List.of(FIRST));
        assertThat(sourceReads).as("a database outage does not make every delivery query").hasValue(1);
        nanos.addAndGet(1);
        cache.find(app);
        cache.find(app);
        assertThat(sourceReads).as("read again, then reused for as long").hasValue(2);

        versions.tracking();
        cache.find(app);
        cache.find(app);
        assertThat(sourceReads).as("notices arrive again: read once, then reused").hasValue(3);
    }

    @Test
    void findWhenTheIdNamesNoAppThenThatIsRememberedBrieflyAndApart() {
        UUID unknown = UUID.randomUUID();

        assertThat(cache.find(unknown)).isEmpty();
        assertThat(cache.find(unknown)).isEmpty();
        assertThat(sourceReads).hasValue(1);
        nanos.addAndGet(WebhookSecretCache.UNKNOWN_FOR.toNanos());

        assertThat(cache.find(unknown)).isEmpty();
        assertThat(sourceReads).hasValue(2);
        cache.find(app);
        cache.find(app);
        assertThat(sourceReads).hasValue(3);
    }

    @Test
    void findWhenAnAppHasNoSecretThenThatIsRememberedToo() {
        UUID bare = UUID.randomUUID();
        stored.put(bare, List.of());

        assertThat(cache.find(bare)).contains(List.of());
        nanos.addAndGet(WebhookSecretCache.UNKNOWN_FOR.toNanos());
        assertThat(cache.find(bare)).contains(List.of());

        assertThat(sourceReads).hasValue(1);
    }

    @Test
    void invalidatingOnWriteWhenAWebhookIsSavedOrDeletedHereThenTheNextLookupReads() {
        Webhooks webhooks = new Webhooks();
        DialpadWebhookStore writes = cache.invalidatingOnWrite(webhooks);
        cache.find(app);

        DialpadWebhook saved = writes.save(new NewDialpadWebhook(app, "wh-2", "https://x.test/webhooks/dialpad/" + app,
                SECOND, List.of()));
        assertThat(cache.find(app)).contains(List.of(SECOND));
        writes.setSubscriptions(app, saved.id(), List.of("call:1"));
        assertThat(cache.find(app)).contains(List.of(SECOND));
        assertThat(sourceReads).as("subscriptions change no secret").hasValue(2);
        writes.delete(app, saved.id());

        assertThat(cache.find(app)).contains(List.of());
        assertThat(sourceReads).hasValue(3);
        assertThat(webhooks.writes).containsExactly("save", "setSubscriptions", "delete");
    }

    @Test
    void invalidatingOnWriteWhenASecretIsRotatedHereThenTheNextLookupReads() {
        Webhooks webhooks = new Webhooks();
        DialpadWebhookStore writes = cache.invalidatingOnWrite(webhooks);
        DialpadWebhook saved = writes.save(new NewDialpadWebhook(app, "wh-4", "https://x.test/webhooks/dialpad/" + app,
                SECOND, List.of()));
        cache.find(app);
        int before = sourceReads.get();

        writes.rotateSecret(app, saved.id(), SECOND, Instant.EPOCH);
        cache.find(app);

        assertThat(sourceReads).hasValue(before + 1);
        assertThat(webhooks.writes).containsExactly("save", "rotateSecret");
    }

    @Test
    void invalidatingOnWriteWhenNoticesAreLostThenTheNextLookupReadsAllTheSame() {
        DialpadWebhookStore writes = cache.invalidatingOnWrite(new Webhooks());
        versions.lost();
        cache.find(app);

        writes.save(new NewDialpadWebhook(app, "wh-3", "https://x.test/webhooks/dialpad/" + app, SECOND, List.of()));

        assertThat(cache.find(app)).contains(List.of(SECOND));
        assertThat(sourceReads).hasValue(2);
    }

    /** Writes the secrets the source reads (one webhook per app); the cache only writes through it. */
    private final class Webhooks implements DialpadWebhookStore {
        final List<String> writes = new ArrayList<>();

        @Override
        public DialpadWebhook save(NewDialpadWebhook webhook) {
            writes.add("save");
            stored.put(webhook.appId(), List.of(webhook.secret()));
            return new DialpadWebhook(UUID.randomUUID(), webhook.appId(), webhook.dialpadWebhookId(),
                    webhook.hookUrl(), webhook.subscriptionIds(), Instant.EPOCH);
        }

        @Override
        public boolean rotateSecret(UUID appId, UUID id, DialpadWebhookSecret secret, Instant previousAcceptedUntil) {
            writes.add("rotateSecret");
            return stored.containsKey(appId);
        }

        @Override
        public boolean setSubscriptions(UUID appId, UUID id, List<String> subscriptionIds) {
            writes.add("setSubscriptions");
            return stored.containsKey(appId);
        }

        @Override
        public boolean delete(UUID appId, UUID id) {
            writes.add("delete");
            return stored.replace(appId, List.of()) != null;
        }

        @Override
        public Optional<DialpadWebhook> find(UUID id) {
            throw new UnsupportedOperationException("reads do not go through the writers' store");
        }

        @Override
        public List<DialpadWebhook> list(UUID appId) {
            throw new UnsupportedOperationException("reads do not go through the writers' store");
        }

        @Override
        public List<DialpadWebhookSecret> secrets(UUID appId) {
            throw new UnsupportedOperationException("reads do not go through the writers' store");
        }
    }
}
