package dev.switchboard.core.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.testing.InMemoryApiKeyStore;
import dev.switchboard.core.testing.MutableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ApiKeyGraceTest {
    private static final Instant T0 = Instant.parse("2026-01-15T10:00:00Z");

    private final AtomicInteger bcrypts = new AtomicInteger();
    private final ApiKeys keys = ApiKeys.create(new SecureRandom(), bcrypts::incrementAndGet);
    private final MutableClock clock = MutableClock.at(T0);
    private final InMemoryApiKeyStore store = new InMemoryApiKeyStore();
    private final ApiKeyAuthenticator authenticator = ApiKeyAuthenticator.create(keys, store, clock);
    private final UUID app = store.addApp(true);

    @Test
    void rotateWithGraceThenBothKeysWorkUntilTheGraceEndsThenOnlyTheNewOne() {
        IssuedApiKey old = issue(Duration.ZERO);
        IssuedApiKey fresh = issue(Duration.ofSeconds(5));

        assertThat(authenticator.authenticate(old.plaintext()))
                .isEqualTo(new ApiKeyCheck.Authenticated(app, old.hint()));
        assertThat(authenticator.authenticate(fresh.plaintext()))
                .isEqualTo(new ApiKeyCheck.Authenticated(app, fresh.hint()));

        clock.advance(Duration.ofMillis(4_999));
        assertThat(authenticator.authenticate(old.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);

        clock.advance(Duration.ofMillis(1));
        bcrypts.set(0);
        assertThat(authenticator.authenticate(old.plaintext()))
                .isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.UNKNOWN));
        assertThat(bcrypts).as("an ended grace is decided before bcrypt").hasValue(0);
        assertThat(authenticator.authenticate(fresh.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);
    }

    @Test
    void rotateWithGraceThenAuditAndStatusShowBothHintsAndTheGraceEnd() {
        IssuedApiKey old = issue(Duration.ZERO);
        IssuedApiKey fresh = issue(Duration.ofSeconds(60));

        ApiKeyAuditEntry rotation = store.audit(app).get(1);
        assertThat(rotation.action()).isEqualTo(ApiKeyAction.ROTATED);
        assertThat(rotation.oldHint()).contains(old.hint());
        assertThat(rotation.newHint()).contains(fresh.hint());
        assertThat(rotation.previousKeyExpiresAt()).contains(T0.plusSeconds(60));

        ApiKeyStatus status = store.status(app);
        assertThat(status.keyHint()).contains(fresh.hint());
        assertThat(status.previousKeyHint()).contains(old.hint());
        assertThat(status.previousKeyExpiresAt()).contains(T0.plusSeconds(60));
        assertThat(status.asOf(T0.plusSeconds(59))).isEqualTo(status);
        assertThat(status.asOf(T0.plusSeconds(60)).previousKeyHint()).isEmpty();
    }

    @Test
    void rotateWithoutGraceThenOldKeyStopsAtOnceAsBefore() {
        IssuedApiKey old = issue(Duration.ZERO);
        issue(Duration.ZERO);

        assertThat(authenticator.authenticate(old.plaintext()))
                .isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.REVOKED));
        assertThat(store.audit(app).get(1).previousKeyExpiresAt()).isEmpty();
        assertThat(store.status(app).previousKeyHint()).isEmpty();
    }

    @Test
    void rotateDuringAGraceThenTheKeyInGraceEndsAtOnce() {
        IssuedApiKey first = issue(Duration.ZERO);
        IssuedApiKey second = issue(Duration.ofSeconds(60));
        IssuedApiKey third = issue(Duration.ofSeconds(60));

        assertThat(authenticator.authenticate(first.plaintext())).isInstanceOf(ApiKeyCheck.Rejected.class);
        assertThat(authenticator.authenticate(second.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);
        assertThat(authenticator.authenticate(third.plaintext())).isInstanceOf(ApiKeyCheck.Authenticated.class);
        assertThat(store.status(app).previousKeyHint()).contains(second.hint());
    }

    @Test
    void revokeDuringAGraceThenBothKeysStopAtOnce() {
        IssuedApiKey old = issue(Duration.ZERO);
        IssuedApiKey fresh = issue(Duration.ofSeconds(60));

        ApiKeyAuditEntry revocation = store.revoke(app, "test", clock.instant()).orElseThrow();

        assertThat(revocation.oldHint()).contains(fresh.hint());
        assertThat(authenticator.authenticate(old.plaintext())).isInstanceOf(ApiKeyCheck.Rejected.class);
        assertThat(authenticator.authenticate(fresh.plaintext())).isInstanceOf(ApiKeyCheck.Rejected.class);
        assertThat(store.status(app).state()).isEqualTo(ApiKeyStatus.State.REVOKED);
    }

    @Test
    void authenticatorWithoutAClockThenRefusesAKeyInGrace() {
        IssuedApiKey old = issue(Duration.ZERO);
        issue(Duration.ofSeconds(60));

        assertThat(ApiKeyAuthenticator.create(keys, store).authenticate(old.plaintext()))
                .isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.UNKNOWN));
    }

    @Test
    void rotateWithANegativeOrTooLongGraceThenRefusedAndNothingWritten() {
        issue(Duration.ZERO);
        StoredApiKey next = keys.issue().stored();

        assertThatThrownBy(() -> store.createOrRotate(app, next, "test", T0, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.createOrRotate(app, next, "test", T0, Duration.ofSeconds(604_801)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.audit(app)).hasSize(1);
    }

    @Test
    void storeWithoutGraceSupportThenPositiveGraceIsUnsupported() {
        ApiKeyIssuance plain = (appId, key, actor, at) -> Optional.empty();

        assertThat(plain.createOrRotate(app, keys.issue().stored(), "test", T0, Duration.ZERO)).isEmpty();
        assertThatThrownBy(() -> plain.createOrRotate(app, keys.issue().stored(), "test", T0, Duration.ofSeconds(1)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    private IssuedApiKey issue(Duration grace) {
        IssuedApiKey key = keys.issue();
        store.createOrRotate(app, key.stored(), "test", clock.instant(), grace).orElseThrow();
        return key;
    }
}
