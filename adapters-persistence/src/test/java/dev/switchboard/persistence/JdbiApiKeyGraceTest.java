package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.apikey.ApiKeyAction;
import dev.switchboard.core.apikey.ApiKeyAuditEntry;
import dev.switchboard.core.apikey.ApiKeyAuthenticator;
import dev.switchboard.core.apikey.ApiKeyCandidate;
import dev.switchboard.core.apikey.ApiKeyCheck;
import dev.switchboard.core.apikey.ApiKeyStatus;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apikey.IssuedApiKey;
import dev.switchboard.testkit.TestDatabase;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Rotation with a grace period on PostgreSQL: both keys found until the grace ends, revocation ends both. */
class JdbiApiKeyGraceTest {
    private static final Instant T0 = Instant.parse("2026-01-15T10:00:00Z");
    private static final Duration GRACE = Duration.ofSeconds(5);
    private static final ApiKeys KEYS = ApiKeys.create(new SecureRandom());

    private static TestDatabase testDatabase;
    private static Database database;
    private static JdbiApiKeyStore store;

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 4));
        store = JdbiApiKeyStore.create(database);
    }

    @AfterAll
    static void close() {
        if (database != null) {
            database.close();
        }
        if (testDatabase != null) {
            testDatabase.close();
        }
    }

    @Test
    void rotateWithGraceThenOldKeyFoundWithItsGraceEndAndAuditHasBothHintsAndTheEnd() {
        UUID app = insertApp();
        IssuedApiKey old = KEYS.issue();
        store.createOrRotate(app, old.stored(), "internal_api", T0);
        IssuedApiKey fresh = KEYS.issue();

        ApiKeyAuditEntry entry = store.createOrRotate(app, fresh.stored(), "internal_api", T0.plusSeconds(1), GRACE)
                .orElseThrow();

        Instant end = T0.plusSeconds(1).plus(GRACE);
        assertThat(entry).isEqualTo(new ApiKeyAuditEntry(app, ApiKeyAction.ROTATED, Optional.of(old.hint()),
                Optional.of(fresh.hint()), "internal_api", T0.plusSeconds(1), Optional.of(end)));
        assertThat(store.audit(app)).last().isEqualTo(entry);
        assertThat(store.findByLookupPrefix(old.lookupPrefix()))
                .contains(new ApiKeyCandidate(app, old.bcryptHash(), old.hint(), true, true, Optional.of(end)));
        assertThat(store.findByLookupPrefix(fresh.lookupPrefix()))
                .contains(new ApiKeyCandidate(app, fresh.bcryptHash(), fresh.hint(), true, true));
        assertThat(store.status(app)).isEqualTo(new ApiKeyStatus(ApiKeyStatus.State.ACTIVE, Optional.of(fresh.hint()),
                Optional.of(T0.plusSeconds(1)), Optional.empty(), Optional.of(old.hint()), Optional.of(end)));

        Clock during = Clock.fixed(end.minusMillis(1), ZoneOffset.UTC);
        Clock after = Clock.fixed(end, ZoneOffset.UTC);
        assertThat(ApiKeyAuthenticator.create(KEYS, store, during).authenticate(old.plaintext()))
                .isEqualTo(new ApiKeyCheck.Authenticated(app, old.hint()));
        assertThat(ApiKeyAuthenticator.create(KEYS, store, after).authenticate(old.plaintext()))
                .isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.UNKNOWN));
        assertThat(ApiKeyAuthenticator.create(KEYS, store, after).authenticate(fresh.plaintext()))
                .isEqualTo(new ApiKeyCheck.Authenticated(app, fresh.hint()));
    }

    @Test
    void rotateWithGraceThenAccessGenerationMoves() {
        UUID app = insertApp();
        store.createOrRotate(app, KEYS.issue().stored(), "internal_api", T0);
        long before = store.accessGeneration();

        store.createOrRotate(app, KEYS.issue().stored(), "internal_api", T0.plusSeconds(1), GRACE);

        assertThat(store.accessGeneration()).isGreaterThan(before);
    }

    @Test
    void rotateAgainDuringTheGraceThenTheKeyInGraceIsRevokedAtOnce() throws SQLException {
        UUID app = insertApp();
        IssuedApiKey first = KEYS.issue();
        store.createOrRotate(app, first.stored(), "internal_api", T0);
        IssuedApiKey second = KEYS.issue();
        store.createOrRotate(app, second.stored(), "internal_api", T0.plusSeconds(1), GRACE);

        store.createOrRotate(app, KEYS.issue().stored(), "internal_api", T0.plusSeconds(2), GRACE);

        assertThat(store.findByLookupPrefix(first.lookupPrefix())).isEmpty();
        assertThat(store.findByLookupPrefix(second.lookupPrefix()).orElseThrow().graceEndsAt())
                .contains(T0.plusSeconds(2).plus(GRACE));
        assertThat(unrevokedKeys(app)).isEqualTo(2);
        assertThat(store.status(app).previousKeyHint()).contains(second.hint());
    }

    @Test
    void rotateAfterTheGraceEndedThenTheOldRowIsRevokedAtItsGraceEnd() throws SQLException {
        UUID app = insertApp();
        IssuedApiKey first = KEYS.issue();
        store.createOrRotate(app, first.stored(), "internal_api", T0);
        store.createOrRotate(app, KEYS.issue().stored(), "internal_api", T0.plusSeconds(1), GRACE);

        store.createOrRotate(app, KEYS.issue().stored(), "internal_api", T0.plusSeconds(60));

        assertThat(revokedAtOfHint(app, first.hint())).isEqualTo(T0.plusSeconds(1).plus(GRACE));
        assertThat(unrevokedKeys(app)).isEqualTo(1);
        assertThat(store.status(app).previousKeyHint()).isEmpty();
    }

    @Test
    void revokeDuringTheGraceThenBothKeysLeaveTheLookup() throws SQLException {
        UUID app = insertApp();
        IssuedApiKey old = KEYS.issue();
        store.createOrRotate(app, old.stored(), "internal_api", T0);
        IssuedApiKey fresh = KEYS.issue();
        store.createOrRotate(app, fresh.stored(), "internal_api", T0.plusSeconds(1), GRACE);

        ApiKeyAuditEntry entry = store.revoke(app, "internal_api", T0.plusSeconds(2)).orElseThrow();

        assertThat(entry.oldHint()).contains(fresh.hint());
        assertThat(store.findByLookupPrefix(old.lookupPrefix())).isEmpty();
        assertThat(store.findByLookupPrefix(fresh.lookupPrefix())).isEmpty();
        assertThat(unrevokedKeys(app)).isZero();
        assertThat(store.status(app).state()).isEqualTo(ApiKeyStatus.State.REVOKED);
        assertThat(store.revoke(app, "internal_api", T0.plusSeconds(3))).isEmpty();
    }

    @Test
    void rotateWithGraceWhenAppHasNoKeyThenCreatedWithoutGrace() {
        UUID app = insertApp();

        ApiKeyAuditEntry entry = store.createOrRotate(app, KEYS.issue().stored(), "internal_api", T0, GRACE)
                .orElseThrow();

        assertThat(entry.action()).isEqualTo(ApiKeyAction.CREATED);
        assertThat(entry.previousKeyExpiresAt()).isEmpty();
    }

    @Test
    void rotateWithAGraceOutOfRangeThenRefusedAndNothingWritten() {
        UUID app = insertApp();
        store.createOrRotate(app, KEYS.issue().stored(), "internal_api", T0);

        assertThatThrownBy(() -> store.createOrRotate(app, KEYS.issue().stored(), "internal_api", T0,
                Duration.ofSeconds(604_801))).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.audit(app)).hasSize(1);
    }

    private static UUID insertApp() {
        UUID id = UUID.randomUUID();
        try (Connection c = testDatabase.connect(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO apps (id, name, is_active) VALUES (?, ?, true)")) {
            s.setObject(1, id);
            s.setString(2, "app " + id);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return id;
    }

    private static int unrevokedKeys(UUID app) throws SQLException {
        try (Connection c = testDatabase.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM api_keys WHERE app_id = ? AND revoked_at IS NULL")) {
            s.setObject(1, app);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static Instant revokedAtOfHint(UUID app, String hint) throws SQLException {
        try (Connection c = testDatabase.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT revoked_at FROM api_keys WHERE app_id = ? AND key_hint = ?")) {
            s.setObject(1, app);
            s.setString(2, hint);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
            }
        }
    }
}
