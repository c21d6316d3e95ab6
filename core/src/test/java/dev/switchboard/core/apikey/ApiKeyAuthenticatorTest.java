package dev.switchboard.core.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.testing.InMemoryApiKeyStore;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApiKeyAuthenticatorTest {
    private static final Instant T0 = Instant.parse("2026-01-15T10:00:00Z");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AtomicInteger bcrypts = new AtomicInteger();
    private final ApiKeys keys = ApiKeys.create(RANDOM, bcrypts::incrementAndGet);
    private InMemoryApiKeyStore store;
    private ApiKeyAuthenticator authenticator;

    @BeforeEach
    void setUp() {
        store = new InMemoryApiKeyStore();
        authenticator = ApiKeyAuthenticator.create(keys, store);
    }

    @Test
    void authenticateWhenActiveKeyOfActiveAppThenAuthenticatedWithHint() {
        UUID app = store.addApp(true);
        IssuedApiKey key = issueFor(app);

        assertThat(authenticator.authenticate(key.plaintext()))
                .isEqualTo(new ApiKeyCheck.Authenticated(app, key.hint()));
        assertThat(authenticator.authenticate("  " + key.plaintext() + "\t"))
                .isEqualTo(new ApiKeyCheck.Authenticated(app, key.hint()));
    }

    @Test
    void authenticateWhenManyKeysExistThenExactlyOneBcryptAndOneLookupPerCheck() {
        // a thousand other apps whose rows share a real hash (making a thousand bcrypt hashes would take a minute)
        String someHash = keys.issue().bcryptHash();
        for (int i = 0; i < 1000; i++) {
            UUID other = store.addApp(true);
            byte[] prefix = new byte[8];
            RANDOM.nextBytes(prefix);
            store.createOrRotate(other, new StoredApiKey(HexFormat.of().formatHex(prefix), someHash, "raw_0000...0000"),
                    "test", T0);
        }
        UUID app = store.addApp(true);
        IssuedApiKey key = issueFor(app);
        bcrypts.set(0);
        store.resetLookups();

        ApiKeyCheck good = authenticator.authenticate(key.plaintext());
        int afterGood = bcrypts.get();
        ApiKeyCheck wrongTail = authenticator.authenticate(key.plaintext().substring(0, 60) + "00000000");

        assertThat(good).isInstanceOf(ApiKeyCheck.Authenticated.class);
        assertThat(afterGood).isEqualTo(1);
        assertThat(wrongTail).isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.UNKNOWN));
        assertThat(bcrypts).hasValue(2);
        assertThat(store.lookups()).isEqualTo(2);
    }

    @Test
    void authenticateWhenMissingThenMissingWithoutLookup() {
        assertThat(authenticator.authenticate(null)).isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.MISSING));
        assertThat(authenticator.authenticate(" ")).isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.MISSING));
        assertThat(store.lookups()).isEqualTo(0);
    }

    @Test
    void authenticateWhenMalformedThenMalformedWithoutLookupOrBcrypt() {
        bcrypts.set(0);
        for (String bad : new String[] {"raw_123", "raw_" + "0".repeat(64) + "0", "raw_" + "G".repeat(64),
            "Bearer raw_" + "0".repeat(64), "raw_" + "0".repeat(64) + "x".repeat(100), "raw_" + "0".repeat(32) + " " + "0".repeat(31)}) {
            assertThat(authenticator.authenticate(bad)).isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.MALFORMED));
        }
        assertThat(store.lookups()).isEqualTo(0);
        assertThat(bcrypts).hasValue(0);
    }

    @Test
    void authenticateWhenNoKeyHasThePrefixThenUnknownWithoutBcrypt() {
        store.addApp(true);
        bcrypts.set(0);
        assertThat(authenticator.authenticate("raw_" + "0".repeat(64)))
                .isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.UNKNOWN));
        assertThat(bcrypts).hasValue(0);
    }

    @Test
    void authenticateWhenPrefixMatchesButRestDiffersThenUnknownNotRevokedOrInactive() {
        UUID app = store.addApp(false);
        IssuedApiKey key = issueFor(app);
        store.revoke(app, "test", T0.plusSeconds(1));
        String forged = key.plaintext().substring(0, 20) + "f".repeat(48);

        assertThat(authenticator.authenticate(forged)).isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.UNKNOWN));
    }

    @Test
    void authenticateWhenKeyRevokedThenRevoked() {
        UUID app = store.addApp(true);
        IssuedApiKey key = issueFor(app);
        store.revoke(app, "test", T0.plusSeconds(1));

        assertThat(authenticator.authenticate(key.plaintext())).isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.REVOKED));
    }

    @Test
    void authenticateWhenKeyRotatedThenOldRevokedAndNewAuthenticated() {
        UUID app = store.addApp(true);
        IssuedApiKey first = issueFor(app);
        IssuedApiKey second = keys.issue();
        Optional<ApiKeyAuditEntry> entry = store.createOrRotate(app, second.stored(), "internal_api", T0.plusSeconds(5));

        assertThat(entry).hasValueSatisfying(e -> {
            assertThat(e.action()).isEqualTo(ApiKeyAction.ROTATED);
            assertThat(e.oldHint()).contains(first.hint());
            assertThat(e.newHint()).contains(second.hint());
        });
        assertThat(authenticator.authenticate(first.plaintext())).isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.REVOKED));
        assertThat(authenticator.authenticate(second.plaintext())).isEqualTo(new ApiKeyCheck.Authenticated(app, second.hint()));
    }

    @Test
    void authenticateWhenAppInactiveThenAppInactive() {
        UUID app = store.addApp(true);
        IssuedApiKey key = issueFor(app);
        store.setAppActive(app, false);

        assertThat(authenticator.authenticate(key.plaintext()))
                .isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.APP_INACTIVE));
    }

    @Test
    void authenticateWhenKeyOfAnotherAppThenAuthenticatesAsThatAppOnly() {
        UUID appA = store.addApp(true);
        UUID appB = store.addApp(true);
        IssuedApiKey keyA = issueFor(appA);
        IssuedApiKey keyB = issueFor(appB);

        assertThat(authenticator.authenticate(keyA.plaintext())).isEqualTo(new ApiKeyCheck.Authenticated(appA, keyA.hint()));
        assertThat(authenticator.authenticate(keyB.plaintext())).isEqualTo(new ApiKeyCheck.Authenticated(appB, keyB.hint()));
    }

    private IssuedApiKey issueFor(UUID app) {
        IssuedApiKey key = keys.issue();
        assertThat(store.createOrRotate(app, key.stored(), "internal_api", T0)).isPresent();
        return key;
    }
}
