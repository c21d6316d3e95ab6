package dev.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.StoreUnavailableException;
import dev.switchboard.core.apikey.ApiKeyAuthenticator;
import dev.switchboard.core.apikey.ApiKeyCandidate;
import dev.switchboard.core.apikey.ApiKeyCheck;
import dev.switchboard.core.apikey.ApiKeyAccessGeneration;
import dev.switchboard.core.apikey.ApiKeyLookup;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apikey.IssuedApiKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AppAuthenticatorTest {
    private static final ApiKeys KEYS = ApiKeys.create(new SecureRandom());
    private static IssuedApiKey key;
    private static ExecutorService pool;

    private final UUID appId = UUID.randomUUID();
    private final AtomicLong nanos = new AtomicLong();
    private CandidateStore store;
    private AppAuthenticator authenticator;

    @BeforeAll
    static void issueKey() {
        key = KEYS.issue();
        pool = Executors.newFixedThreadPool(50);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    @BeforeEach
    void setUp() {
        store = new CandidateStore();
        store.put(key, appId, true, true);
        authenticator = AppAuthenticator.create(ApiKeyAuthenticator.create(KEYS, store), store, null,
                AppAuthenticator.Settings.defaults(), nanos::get);
    }

    /** Rebuilds the authenticator over a store that also keeps an access generation. */
    private void keepGeneration() {
        authenticator = AppAuthenticator.create(ApiKeyAuthenticator.create(KEYS, store), store, store,
                AppAuthenticator.Settings.defaults(), nanos::get);
    }

    @Test
    void checkWhenSameGoodKeyIsRepeatedThenOnlyTheFirstCheckGoesToBcrypt() {
        for (int i = 0; i < 100; i++) {
            assertThat(authenticator.check(key.plaintext()))
                    .isEqualTo(new ApiKeyCheck.Authenticated(appId, key.hint()));
            nanos.addAndGet(Duration.ofMillis(10).toNanos());
        }

        assertThat(authenticator.stats().fullChecks()).isEqualTo(1);
        assertThat(authenticator.stats().revalidations()).isZero();
        assertThat(authenticator.stats().cacheAnswers()).isEqualTo(99);
    }

    @Test
    void checkWhenBurstOfConcurrentRequestsWithOneBadKeyThenAtMostOneFullCheck() throws Exception {
        // same lookup prefix as the real key, so the check reaches bcrypt, but a different tail
        String bad = key.plaintext().substring(0, 64) + (key.plaintext().endsWith("0000") ? "1111" : "0000");
        CountDownLatch start = new CountDownLatch(1);
        List<Future<ApiKeyCheck>> results = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            results.add(pool.submit(() -> {
                start.await();
                return authenticator.check(bad);
            }));
        }
        start.countDown();
        for (Future<ApiKeyCheck> result : results) {
            assertThat(result.get()).isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.UNKNOWN));
        }

        assertThat(authenticator.stats().fullChecks()).isEqualTo(1);
        assertThat(store.lookups.get()).isEqualTo(1);
    }

    @Test
    void checkWhenBurstOfConcurrentRequestsWithOneGoodKeyThenOneFullCheck() throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<ApiKeyCheck>> results = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            results.add(pool.submit(() -> {
                start.await();
                return authenticator.check(key.plaintext());
            }));
        }
        start.countDown();
        for (Future<ApiKeyCheck> result : results) {
            assertThat(result.get()).isInstanceOf(ApiKeyCheck.Authenticated.class);
        }

        assertThat(authenticator.stats().fullChecks()).isEqualTo(1);
    }

    @Test
    void checkWhenKeyIsRevokedElsewhereThenRefusedOnceTheRevalidationIntervalHasPassedWithoutBcrypt() {
        assertThat(authenticator.check(key.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);
        store.put(key, appId, false, true);

        nanos.addAndGet(Duration.ofSeconds(2).toNanos());

        assertThat(authenticator.check(key.plaintext()))
                .isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.REVOKED));
        assertThat(authenticator.check(key.plaintext()))
                .isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.REVOKED));
        assertThat(authenticator.stats().fullChecks()).isEqualTo(1);
        assertThat(authenticator.stats().revalidations()).isEqualTo(1);
    }

    @Test
    void checkWhenKeyIsInSteadyUseThenRevalidatedEveryTwoSecondsByLookupOnly() {
        for (int second = 0; second < 10; second++) {
            assertThat(authenticator.check(key.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);
            nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        }

        assertThat(authenticator.stats().fullChecks()).isEqualTo(1);
        assertThat(authenticator.stats().revalidations()).isEqualTo(4);
    }

    @Test
    void checkWhenAppIsDeactivatedAndReactivatedThenInactiveThenAcceptedAgain() {
        assertThat(authenticator.check(key.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);
        store.put(key, appId, true, false);
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(authenticator.check(key.plaintext()))
                .isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.APP_INACTIVE));

        store.put(key, appId, true, true);
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());

        assertThat(authenticator.check(key.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);
    }

    @Test
    void checkWhenAccessGenerationStaysThenAKeyInSteadyUseCostsNoLookupOfItsOwn() {
        keepGeneration();
        for (int i = 0; i < 100; i++) {
            assertThat(authenticator.check(key.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);
            nanos.addAndGet(Duration.ofMillis(100).toNanos());
        }

        // the full check's two look-ups (its candidate, then the hash it was compared with) and nothing after
        assertThat(store.lookups.get()).isEqualTo(2);
        assertThat(authenticator.stats().revalidations()).isZero();
        assertThat(authenticator.stats().fullChecks()).isEqualTo(1);
        assertThat(store.generationReads.get()).isBetween(9, 11);
    }

    @Test
    void checkWhenGenerationMovesWithARevocationThenRefusedAtTheNextReadWithoutBcrypt() {
        keepGeneration();
        assertThat(authenticator.check(key.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);
        store.put(key, appId, false, true);
        store.generation.incrementAndGet();

        nanos.addAndGet(Duration.ofMillis(500).toNanos());
        assertThat(authenticator.check(key.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);
        nanos.addAndGet(Duration.ofMillis(500).toNanos());

        assertThat(authenticator.check(key.plaintext()))
                .isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.REVOKED));
        assertThat(authenticator.stats().fullChecks()).isEqualTo(1);
        assertThat(authenticator.stats().revalidations()).isEqualTo(1);
    }

    @Test
    void checkWhenGenerationMovesForAnotherAppThenTheKeyIsReadAgainOnceAndStaysAccepted() {
        keepGeneration();
        assertThat(authenticator.check(key.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);
        store.generation.incrementAndGet();

        for (int i = 0; i < 50; i++) {
            nanos.addAndGet(Duration.ofMillis(100).toNanos());
            assertThat(authenticator.check(key.plaintext()))
                    .isEqualTo(new ApiKeyCheck.Authenticated(appId, key.hint()));
        }

        assertThat(authenticator.stats().revalidations()).isEqualTo(1);
        assertThat(authenticator.stats().fullChecks()).isEqualTo(1);
    }

    @Test
    void checkWhenGenerationCannotBeReadThenKeysAreJudgedByTimeAgain() {
        keepGeneration();
        assertThat(authenticator.check(key.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);
        store.generationFails = true;
        store.put(key, appId, false, true);

        nanos.addAndGet(Duration.ofMillis(1500).toNanos());
        // the generation read at 0 s is still young enough, and it has not moved
        assertThat(authenticator.check(key.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);
        nanos.addAndGet(Duration.ofMillis(500).toNanos());

        assertThat(authenticator.check(key.plaintext()))
                .isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.REVOKED));
        assertThat(authenticator.stats().revalidations()).isEqualTo(1);
    }

    @Test
    void checkWhenStoreKeepsNoGenerationThenNoneIsEverRead() {
        for (int i = 0; i < 20; i++) {
            authenticator.check(key.plaintext());
            nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        }

        assertThat(store.generationReads.get()).isZero();
        assertThat(authenticator.stats().generationReads()).isZero();
    }

    @Test
    void checkWhenRowWithSamePrefixHasAnotherHashThenCheckedInFullAgain() {
        assertThat(authenticator.check(key.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);
        IssuedApiKey other = KEYS.issue();
        store.candidates.put(key.lookupPrefix(), new ApiKeyCandidate(appId, other.bcryptHash(), key.hint(), true, true));
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());

        assertThat(authenticator.check(key.plaintext()))
                .isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.UNKNOWN));
        assertThat(authenticator.stats().fullChecks()).isEqualTo(2);
    }

    @Test
    void checkWhenUnknownKeyIsRefusedThenRefusedFromCacheUntilItExpires() {
        String unknown = "raw_" + "ab".repeat(32);
        assertThat(authenticator.check(unknown)).isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.UNKNOWN));
        assertThat(authenticator.check(unknown)).isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.UNKNOWN));
        assertThat(store.lookups.get()).isEqualTo(1);

        nanos.addAndGet(Duration.ofSeconds(31).toNanos());
        authenticator.check(unknown);

        assertThat(store.lookups.get()).isEqualTo(2);
    }

    @Test
    void checkWhenKeyIsMissingOrMalformedThenRefusedWithoutTouchingTheStore() {
        assertThat(authenticator.check(null)).isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.MISSING));
        assertThat(authenticator.check("  ")).isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.MISSING));
        assertThat(authenticator.check("raw_XYZ")).isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.MALFORMED));
        assertThat(authenticator.check(key.plaintext() + "0"))
                .isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.MALFORMED));

        assertThat(store.lookups.get()).isZero();
        assertThat(authenticator.stats().fullChecks()).isZero();
    }

    @Test
    void authenticateWhenGoodKeyThenAppAndHint() {
        assertThat(authenticator.authenticate(key.plaintext()))
                .contains(new AppAuthenticator.AuthenticatedApp(appId, key.hint()));
        assertThat(authenticator.authenticate("raw_" + "0".repeat(64))).isEmpty();
    }

    @Test
    void presentedKeyWhenHeaderOrBearerThenTheKeyPreferringTheHeader() {
        assertThat(AppAuthenticator.presentedKey(" raw_a ", "Bearer raw_b")).contains("raw_a");
        assertThat(AppAuthenticator.presentedKey(null, "Bearer raw_b")).contains("raw_b");
        assertThat(AppAuthenticator.presentedKey("", "bearer  raw_b ")).contains("raw_b");
        assertThat(AppAuthenticator.presentedKey(null, "Basic cmF3X2I=")).isEmpty();
        assertThat(AppAuthenticator.presentedKey(null, "Bearer ")).isEmpty();
        assertThat(AppAuthenticator.presentedKey(null, null)).isEmpty();
    }

    /** Only the prefix lookup matters here; it counts its calls. */
    private static final class CandidateStore implements ApiKeyLookup, ApiKeyAccessGeneration {
        final Map<String, ApiKeyCandidate> candidates = new ConcurrentHashMap<>();
        final AtomicInteger lookups = new AtomicInteger();
        final AtomicLong generation = new AtomicLong(7);
        final AtomicInteger generationReads = new AtomicInteger();
        volatile boolean generationFails;

        @Override
        public long accessGeneration() {
            generationReads.incrementAndGet();
            if (generationFails) {
                throw new StoreUnavailableException("read the generation", new IllegalStateException("down"));
            }
            return generation.get();
        }

        void put(IssuedApiKey issued, UUID appId, boolean keyActive, boolean appActive) {
            candidates.put(issued.lookupPrefix(),
                    new ApiKeyCandidate(appId, issued.bcryptHash(), issued.hint(), keyActive, appActive));
        }

        @Override
        public Optional<ApiKeyCandidate> findByLookupPrefix(String lookupPrefix) {
            lookups.incrementAndGet();
            return Optional.ofNullable(candidates.get(lookupPrefix));
        }

    }
}
