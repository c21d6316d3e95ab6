package dev.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.apikey.ApiKeyAuthenticator;
import dev.switchboard.core.apikey.ApiKeyCheck;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apikey.IssuedApiKey;
import dev.switchboard.core.testing.InMemoryApiKeyStore;
import dev.switchboard.core.testing.MutableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The key cache and a key rotated away with a grace period: trusted until the grace ends, not a moment longer. */
class AppAuthenticatorGraceTest {
    private static final ApiKeys KEYS = ApiKeys.create(new SecureRandom());
    private static final Instant T0 = Instant.parse("2026-01-15T10:00:00Z");

    private final MutableClock clock = MutableClock.at(T0);
    private final AtomicLong nanos = new AtomicLong();
    private final InMemoryApiKeyStore store = new InMemoryApiKeyStore();
    private final UUID app = store.addApp(true);

    private AppAuthenticator cache() {
        return AppAuthenticator.create(ApiKeyAuthenticator.create(KEYS, store, clock), store, store,
                AppAuthenticator.Settings.defaults(), nanos::get);
    }

    @Test
    void checkWhenCachedKeyIsInGraceThenRefusedAsSoonAsTheGraceEndsThoughTheGenerationStays() {
        AppAuthenticator authenticator = cache();
        IssuedApiKey old = issue(Duration.ZERO);
        IssuedApiKey fresh = issue(Duration.ofSeconds(5));
        assertThat(authenticator.check(old.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);
        assertThat(authenticator.check(fresh.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);
        long generation = store.accessGeneration();

        clock.advance(Duration.ofMillis(4_999));
        assertThat(authenticator.check(old.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);
        clock.advance(Duration.ofMillis(1));

        assertThat(authenticator.check(old.plaintext()))
                .isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.UNKNOWN));
        assertThat(authenticator.check(fresh.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);
        assertThat(store.accessGeneration()).isEqualTo(generation);
    }

    @Test
    void checkWhenKeyCachedBeforeARotationWithGraceElsewhereThenItLearnsTheGraceEndAndStopsThere() {
        AppAuthenticator authenticator = cache();
        IssuedApiKey old = issue(Duration.ZERO);
        assertThat(authenticator.check(old.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);

        // another instance rotates with a grace: this cache is not told, only the access generation moves
        issue(Duration.ofSeconds(5));
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(authenticator.check(old.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);
        assertThat(authenticator.stats().revalidations()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(5));
        assertThat(authenticator.check(old.plaintext()))
                .isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.UNKNOWN));
    }

    @Test
    void recheckWithoutCacheWhenTheGraceEndedThenRefused() {
        IssuedApiKey old = issue(Duration.ZERO);
        issue(Duration.ofSeconds(5));
        AppKeyCheck uncached = AppKeyCheck.of(ApiKeyAuthenticator.create(KEYS, store, clock), store);
        assertThat(uncached.recheck(old.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);

        clock.advance(Duration.ofSeconds(5));

        assertThat(uncached.recheck(old.plaintext())).isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.UNKNOWN));
    }

    private IssuedApiKey issue(Duration grace) {
        IssuedApiKey key = KEYS.issue();
        store.createOrRotate(app, key.stored(), "test", clock.instant(), grace).orElseThrow();
        return key;
    }
}
