package dev.switchboard.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.switchboard.core.data.DataVersions;
import dev.switchboard.core.webhook.AppWebhookSecrets;
import dev.switchboard.core.webhook.DialpadWebhook;
import dev.switchboard.core.webhook.DialpadWebhookSecret;
import dev.switchboard.core.webhook.DialpadWebhookStore;
import dev.switchboard.core.webhook.NewDialpadWebhook;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * Each app's webhook secrets kept in memory for the per-app webhook path, so that a delivery with a bad signature,
 * however many, costs no query once the app's secrets were read.
 *
 * <p>An answer is reused only while it is known to be current, which {@link DataVersions} tells: the version of the
 * app is taken before its secrets are read and kept with them, and the answer is reused while the app's version is
 * the same. Every change of an app's {@code dialpad_webhooks} rows (a webhook created, its secret replaced or rotated, deleted,
 * the app removed) sends a change notice at commit, which every instance's listener turns into a new version of that
 * app: other instances read again as soon as the notice arrives (milliseconds). This instance does not wait for its
 * notice: writers use the store of {@link #invalidatingOnWrite}, which gives the app a new version once the write
 * returned. While notices cannot be relied on (no listener, or it lost its connection, as in a database outage), an
 * answer is reused only if it was known current at most {@link #UNTRACKED_REUSE} ago, so that an outage does not
 * make each delivery wait for a connection beyond Dialpad's 5 second timeout before its 503, and a change made
 * while notices are lost is used within that time.
 *
 * <p>Apps that exist (with or without secrets) are kept up to {@link #MAX_APPS}, each dropped after
 * {@link #IDLE} without use. Ids that name no app are kept apart, at most {@link #MAX_UNKNOWN} for
 * {@link #UNKNOWN_FOR} each, so that made-up ids cannot push real apps out, and an id is looked up at most once per
 * {@code UNKNOWN_FOR} however often it is sent. Secrets stay in memory as the stores return them (they are needed
 * in clear to compute each delivery's MAC anyway) and are never logged. Thread-safe; a store failure propagates as
 * {@link dev.switchboard.core.StoreUnavailableException} and is not cached.
 */
public final class WebhookSecretCache implements AppWebhookSecrets {
    /** Most apps whose secrets are kept. */
    public static final long MAX_APPS = 10_000;
    /** How long an app's secrets are kept without a delivery. */
    public static final Duration IDLE = Duration.ofMinutes(15);
    /** Most ids without an app that are remembered as such. */
    public static final long MAX_UNKNOWN = 10_000;
    /** How long an id without an app is answered from memory. */
    public static final Duration UNKNOWN_FOR = Duration.ofSeconds(10);
    /** How long after it was last known current an answer is reused while change notices may be lost. */
    public static final Duration UNTRACKED_REUSE = Duration.ofSeconds(30);

    /**
     * What the stores said for an app, read when its version was {@code version} (empty: notices were not
     * tracked); {@code currentAt} is when it was last known current (ticker nanos).
     */
    private static final class Known {
        final Optional<List<DialpadWebhookSecret>> secrets;
        final OptionalLong version;
        volatile long currentAt;

        Known(Optional<List<DialpadWebhookSecret>> secrets, OptionalLong version, long currentAt) {
            this.secrets = secrets;
            this.version = version;
            this.currentAt = currentAt;
        }
    }

    private final AppWebhookSecrets source;
    private final DataVersions versions;
    private final Ticker ticker;
    private final Cache<UUID, Known> apps;
    private final Cache<UUID, Known> unknown;
    private final LongAdder reads = new LongAdder();

    private WebhookSecretCache(AppWebhookSecrets source, DataVersions versions, Ticker ticker) {
        this.source = source;
        this.versions = versions;
        this.ticker = ticker;
        this.apps = Caffeine.newBuilder().ticker(ticker).maximumSize(MAX_APPS).expireAfterAccess(IDLE).build();
        this.unknown = Caffeine.newBuilder().ticker(ticker).maximumSize(MAX_UNKNOWN).expireAfterWrite(UNKNOWN_FOR)
                .build();
    }

    /**
     * A cache over {@code source} (normally {@link AppWebhookSecrets#reading}), trusting what it read while
     * {@code versions} says the app is unchanged.
     */
    public static WebhookSecretCache over(AppWebhookSecrets source, DataVersions versions) {
        return over(source, versions, Ticker.systemTicker());
    }

    /** As {@link #over(AppWebhookSecrets, DataVersions)} with the time source of the cache (tests). */
    static WebhookSecretCache over(AppWebhookSecrets source, DataVersions versions, Ticker ticker) {
        return new WebhookSecretCache(Objects.requireNonNull(source, "source"),
                Objects.requireNonNull(versions, "versions"), Objects.requireNonNull(ticker, "ticker"));
    }

    @Override
    public Optional<List<DialpadWebhookSecret>> find(UUID appId) {
        Objects.requireNonNull(appId, "appId");
        OptionalLong version = versions.current(appId);
        Known known = apps.getIfPresent(appId);
        if (known == null) {
            known = unknown.getIfPresent(appId);
        }
        if (known != null) {
            long now = ticker.read();
            if (version.isPresent() && known.version.equals(version)) {
                known.currentAt = now;
                return known.secrets;
            }
            if (version.isEmpty() && now - known.currentAt < UNTRACKED_REUSE.toNanos()) {
                return known.secrets;
            }
        }
        reads.increment();
        long readAt = ticker.read();
        Optional<List<DialpadWebhookSecret>> read = source.find(appId);
        Known fresh = new Known(read.map(List::copyOf), version, readAt);
        if (read.isPresent()) {
            unknown.invalidate(appId);
            apps.put(appId, fresh);
        } else {
            apps.invalidate(appId);
            unknown.put(appId, fresh);
        }
        return read;
    }

    /**
     * What a write of this instance for {@code appId} leaves: a new version, so that a read already under way is not
     * taken as current, and no cached answer, which counts while notices are not tracked too.
     */
    private void forget(UUID appId) {
        versions.changed(appId);
        apps.invalidate(appId);
        unknown.invalidate(appId);
    }

    /** How many lookups went to the source since start (each one or two queries); for tests and metrics. */
    public long reads() {
        return reads.sum();
    }

    /**
     * {@code store} for the writers of this instance (the provisioning of Dialpad webhooks): after each write that
     * may change an app's secrets, the app's cached answer is no longer used here, without waiting for the change
     * notice. Reads pass through.
     */
    public DialpadWebhookStore invalidatingOnWrite(DialpadWebhookStore store) {
        Objects.requireNonNull(store, "store");
        return new DialpadWebhookStore() {
            @Override
            public DialpadWebhook save(NewDialpadWebhook webhook) {
                try {
                    return store.save(webhook);
                } finally {
                    // also when the outcome is unknown: the write may have committed before the failure
                    forget(webhook.appId());
                }
            }

            @Override
            public Optional<DialpadWebhook> find(UUID id) {
                return store.find(id);
            }

            @Override
            public List<DialpadWebhook> list(UUID appId) {
                return store.list(appId);
            }

            @Override
            public List<DialpadWebhookSecret> secrets(UUID appId) {
                return store.secrets(appId);
            }

            @Override
            public boolean rotateSecret(UUID appId, UUID id, DialpadWebhookSecret secret,
                                        Instant previousAcceptedUntil) {
                try {
                    return store.rotateSecret(appId, id, secret, previousAcceptedUntil);
                } finally {
                    forget(appId);
                }
            }

            @Override
            public boolean setSubscriptions(UUID appId, UUID id, List<String> subscriptionIds) {
                return store.setSubscriptions(appId, id, subscriptionIds);
            }

            @Override
            public boolean delete(UUID appId, UUID id) {
                try {
                    return store.delete(appId, id);
                } finally {
                    forget(appId);
                }
            }
        };
    }
}
