package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.StoreUnavailableException;
import dev.switchboard.core.apikey.ApiKeyAction;
import dev.switchboard.core.apikey.ApiKeyAuditEntry;
import dev.switchboard.core.apikey.ApiKeyAuthenticator;
import dev.switchboard.core.apikey.ApiKeyCandidate;
import dev.switchboard.core.apikey.ApiKeyCheck;
import dev.switchboard.core.apikey.ApiKeyStatus;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apikey.IssuedApiKey;
import dev.switchboard.core.apikey.StoredApiKey;
import dev.switchboard.testkit.TestDatabase;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import java.time.ZoneOffset;
import java.time.Duration;
import java.time.Clock;

class JdbiApiKeyStoreTest {
    private static final Instant T0 = Instant.parse("2026-01-15T10:00:00Z");
    private static final Duration GRACE = Duration.ofSeconds(5);
    private static final ApiKeys KEYS = ApiKeys.create(new SecureRandom());

    private static TestDatabase testDatabase;
    private static Database database;
    private static JdbiApiKeyStore store;

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 8));
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
    void createOrRotateWhenAppHasNoKeyThenCreatedAndFoundByPrefix() {
        UUID app = insertApp(true);
        IssuedApiKey key = KEYS.issue();

        Optional<ApiKeyAuditEntry> entry = store.createOrRotate(app, key.stored(), "internal_api", T0);

        assertThat(entry).contains(new ApiKeyAuditEntry(app, ApiKeyAction.CREATED, Optional.empty(),
                Optional.of(key.hint()), "internal_api", T0));
        assertThat(store.findByLookupPrefix(key.lookupPrefix()))
                .contains(new ApiKeyCandidate(app, key.bcryptHash(), key.hint(), true, true));
        assertThat(store.status(app)).isEqualTo(new ApiKeyStatus(ApiKeyStatus.State.ACTIVE, Optional.of(key.hint()),
                Optional.of(T0), Optional.empty()));
        assertThat(store.audit(app)).containsExactly(entry.get());
    }

    @Test
    void createOrRotateWhenAppUnknownThenEmptyAndNothingWritten() {
        UUID unknown = UUID.randomUUID();
        IssuedApiKey key = KEYS.issue();

        assertThat(store.createOrRotate(unknown, key.stored(), "internal_api", T0)).isEmpty();
        assertThat(store.findByLookupPrefix(key.lookupPrefix())).isEmpty();
        assertThat(store.audit(unknown)).isEmpty();
        assertThat(store.status(unknown)).isEqualTo(ApiKeyStatus.none());
    }

    @Test
    void createOrRotateWhenAppHasKeyThenRotatedLeavingExactlyOneActiveKey() throws SQLException {
        UUID app = insertApp(true);
        IssuedApiKey first = KEYS.issue();
        IssuedApiKey second = KEYS.issue();
        store.createOrRotate(app, first.stored(), "internal_api", T0);

        Optional<ApiKeyAuditEntry> rotated = store.createOrRotate(app, second.stored(), "admin", T0.plusSeconds(60));

        assertThat(rotated).contains(new ApiKeyAuditEntry(app, ApiKeyAction.ROTATED, Optional.of(first.hint()),
                Optional.of(second.hint()), "admin", T0.plusSeconds(60)));
        assertThat(activeKeyCount(app)).isEqualTo(1);
        // the rotated-away key left the lookup: presenting it finds no candidate, so it costs no bcrypt
        assertThat(store.findByLookupPrefix(first.lookupPrefix())).isEmpty();
        assertThat(store.findByLookupPrefix(second.lookupPrefix())).hasValueSatisfying(c -> assertThat(c.keyActive()).isTrue());
        assertThat(store.status(app).keyHint()).contains(second.hint());
        assertThat(store.audit(app)).extracting(ApiKeyAuditEntry::action)
                .containsExactly(ApiKeyAction.CREATED, ApiKeyAction.ROTATED);
        try (Connection c = testDatabase.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT rotated_at, revoked_at, revoked_by, lookup_prefix, bcrypt_hash FROM api_keys WHERE key_hint = ?")) {
            s.setString(1, first.hint());
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("lookup_prefix")).isNull();
                assertThat(rs.getString("bcrypt_hash")).isNull();
                assertThat(rs.getObject("rotated_at", java.time.OffsetDateTime.class).toInstant()).isEqualTo(T0.plusSeconds(60));
                assertThat(rs.getObject("revoked_at", java.time.OffsetDateTime.class).toInstant()).isEqualTo(T0.plusSeconds(60));
                assertThat(rs.getString("revoked_by")).isEqualTo("admin");
            }
        }
    }

    @Test
    void revokeWhenActiveKeyThenNotFoundAsActiveAndStatusRevoked() throws SQLException {
        UUID app = insertApp(true);
        IssuedApiKey key = KEYS.issue();
        store.createOrRotate(app, key.stored(), "internal_api", T0);

        Optional<ApiKeyAuditEntry> revoked = store.revoke(app, "internal_api", T0.plusSeconds(10));

        assertThat(revoked).contains(new ApiKeyAuditEntry(app, ApiKeyAction.REVOKED, Optional.of(key.hint()),
                Optional.empty(), "internal_api", T0.plusSeconds(10)));
        // the revoked key left the lookup: presenting it finds no candidate, so it costs no bcrypt
        assertThat(store.findByLookupPrefix(key.lookupPrefix())).isEmpty();
        assertThat(activeKeyCount(app)).isZero();
        assertThat(store.status(app)).isEqualTo(new ApiKeyStatus(ApiKeyStatus.State.REVOKED, Optional.of(key.hint()),
                Optional.of(T0), Optional.of(T0.plusSeconds(10))));
        assertThat(store.revoke(app, "internal_api", T0.plusSeconds(20))).isEmpty();
        assertThat(store.audit(app)).extracting(ApiKeyAuditEntry::action)
                .containsExactly(ApiKeyAction.CREATED, ApiKeyAction.REVOKED);
    }

    @Test
    void createOrRotateWhenKeyRevokedBeforeThenCreatedAgain() {
        UUID app = insertApp(true);
        store.createOrRotate(app, KEYS.issue().stored(), "internal_api", T0);
        store.revoke(app, "internal_api", T0.plusSeconds(1));
        IssuedApiKey again = KEYS.issue();

        assertThat(store.createOrRotate(app, again.stored(), "internal_api", T0.plusSeconds(2)))
                .hasValueSatisfying(e -> assertThat(e.action()).isEqualTo(ApiKeyAction.CREATED));
        assertThat(store.status(app).state()).isEqualTo(ApiKeyStatus.State.ACTIVE);
        assertThat(store.status(app).keyHint()).contains(again.hint());
    }

    @Test
    void storeWhenTwoAppsThenEachSeesAndChangesOnlyItsOwnKey() {
        UUID appA = insertApp(true);
        UUID appB = insertApp(true);
        IssuedApiKey keyA = KEYS.issue();
        IssuedApiKey keyB = KEYS.issue();
        store.createOrRotate(appA, keyA.stored(), "internal_api", T0);
        store.createOrRotate(appB, keyB.stored(), "internal_api", T0);

        store.revoke(appB, "internal_api", T0.plusSeconds(5));
        store.createOrRotate(appB, KEYS.issue().stored(), "internal_api", T0.plusSeconds(6));

        assertThat(store.findByLookupPrefix(keyA.lookupPrefix()))
                .contains(new ApiKeyCandidate(appA, keyA.bcryptHash(), keyA.hint(), true, true));
        assertThat(store.findByLookupPrefix(keyB.lookupPrefix())).isEmpty();
        assertThat(store.status(appA).keyHint()).contains(keyA.hint());
        assertThat(store.audit(appA)).hasSize(1).allSatisfy(e -> assertThat(e.appId()).isEqualTo(appA));
        assertThat(store.audit(appB)).hasSize(3).allSatisfy(e -> assertThat(e.appId()).isEqualTo(appB));
    }

    @Test
    void createOrRotateWhenLookupPrefixTakenThenIllegalStateAndNothingChanged() throws SQLException {
        UUID appA = insertApp(true);
        UUID appB = insertApp(true);
        IssuedApiKey keyA = KEYS.issue();
        IssuedApiKey keyB = KEYS.issue();
        store.createOrRotate(appA, keyA.stored(), "internal_api", T0);
        store.createOrRotate(appB, keyB.stored(), "internal_api", T0);
        StoredApiKey colliding = new StoredApiKey(keyA.lookupPrefix(), keyB.bcryptHash(), keyB.hint());

        assertThatThrownBy(() -> store.createOrRotate(appB, colliding, "internal_api", T0.plusSeconds(1)))
                .isInstanceOf(IllegalStateException.class);
        // the rotation was rolled back as a whole: B keeps its key and its trail has no ghost entry
        assertThat(store.findByLookupPrefix(keyB.lookupPrefix())).hasValueSatisfying(c -> assertThat(c.keyActive()).isTrue());
        assertThat(activeKeyCount(appB)).isEqualTo(1);
        assertThat(store.audit(appB)).hasSize(1);
    }

    @Test
    void createOrRotateWhenConcurrentOnOneAppThenOneActiveKeyAndAnUnbrokenTrail() throws Exception {
        UUID app = insertApp(true);
        int writers = 8;
        List<IssuedApiKey> keys = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            keys.add(KEYS.issue());
        }
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Optional<ApiKeyAuditEntry>>> results = new ArrayList<>();
            for (IssuedApiKey key : keys) {
                Callable<Optional<ApiKeyAuditEntry>> write = () -> {
                    start.await();
                    return store.createOrRotate(app, key.stored(), "internal_api", T0);
                };
                results.add(pool.submit(write));
            }
            start.countDown();
            for (Future<Optional<ApiKeyAuditEntry>> result : results) {
                assertThat(result.get()).isPresent();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(activeKeyCount(app)).isEqualTo(1);
        List<ApiKeyAuditEntry> trail = store.audit(app);
        assertThat(trail).hasSize(writers);
        assertThat(trail.get(0).action()).isEqualTo(ApiKeyAction.CREATED);
        for (int i = 1; i < writers; i++) {
            assertThat(trail.get(i).action()).isEqualTo(ApiKeyAction.ROTATED);
            assertThat(trail.get(i).oldHint()).isEqualTo(trail.get(i - 1).newHint());
        }
        assertThat(store.status(app).keyHint()).isEqualTo(trail.get(writers - 1).newHint());
    }

    @Test
    void apiKeyTablesWhenKeysIssuedRotatedAndRevokedThenNoColumnHoldsAPlaintextKey() throws SQLException {
        List<IssuedApiKey> issued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            UUID app = insertApp(true);
            IssuedApiKey first = KEYS.issue();
            IssuedApiKey second = KEYS.issue();
            store.createOrRotate(app, first.stored(), "internal_api", T0);
            store.createOrRotate(app, second.stored(), "internal_api", T0.plusSeconds(1));
            store.revoke(app, "internal_api", T0.plusSeconds(2));
            issued.add(first);
            issued.add(second);
        }

        List<String> dump = new ArrayList<>();
        dump.addAll(textColumns("api_keys"));
        dump.addAll(textColumns("api_key_audit"));

        assertThat(dump).isNotEmpty();
        for (IssuedApiKey key : issued) {
            String body = key.plaintext().substring(ApiKeys.KEY_PREFIX.length());
            String secretPart = body.substring(ApiKeys.LOOKUP_PREFIX_LENGTH);
            assertThat(dump).noneMatch(value -> value.contains(key.plaintext()))
                    .noneMatch(value -> value.contains(body))
                    .noneMatch(value -> value.contains(secretPart));
        }
    }

    @Test
    void findByLookupPrefixWhenQueriedThenServedByTheUniqueIndex() throws SQLException {
        // enough revoked rows that a sequential scan would be the planner's choice without the index
        UUID app = insertApp(true);
        try (Connection c = testDatabase.connect(); Statement s = c.createStatement()) {
            // revoked rows have left the lookup: no prefix, no hash
            s.execute("INSERT INTO api_keys (app_id, key_hint, created_at, created_by, revoked_at, revoked_by)"
                    + " SELECT '" + app + "', 'raw_0000...0000', now(), 'test', now(), 'test'"
                    + " FROM generate_series(1, 5000) AS n");
            s.execute("ANALYZE api_keys");
            s.execute("ANALYZE apps");

            try (ResultSet index = s.executeQuery("SELECT indexdef FROM pg_indexes WHERE tablename = 'api_keys'"
                    + " AND indexname = 'api_keys_lookup_prefix_key'")) {
                assertThat(index.next()).isTrue();
                assertThat(index.getString(1)).contains("UNIQUE INDEX").contains("(lookup_prefix)");
            }
            StringBuilder plan = new StringBuilder();
            try (ResultSet rows = s.executeQuery("EXPLAIN " + JdbiApiKeyStore.FIND_BY_PREFIX_SQL
                    .replace(":prefix", "'00000000000009c4'"))) {
                while (rows.next()) {
                    plan.append(rows.getString(1)).append('\n');
                }
            }
            assertThat(plan.toString()).contains("api_keys_lookup_prefix_key").doesNotContain("Seq Scan on api_keys");
        }
    }

    @Test
    void authenticatorWhenBackedByThisStoreThenOneCandidateDecidesEachOutcome() throws SQLException {
        ApiKeyAuthenticator authenticator = ApiKeyAuthenticator.create(KEYS, store);
        UUID app = insertApp(true);
        IssuedApiKey first = KEYS.issue();
        IssuedApiKey second = KEYS.issue();
        store.createOrRotate(app, first.stored(), "internal_api", T0);

        assertThat(authenticator.authenticate(first.plaintext())).isEqualTo(new ApiKeyCheck.Authenticated(app, first.hint()));

        store.createOrRotate(app, second.stored(), "internal_api", T0.plusSeconds(1));
        // the rotated-away key has left the lookup: refused as unknown, before any bcrypt comparison
        assertThat(authenticator.authenticate(first.plaintext())).isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.UNKNOWN));
        assertThat(authenticator.authenticate(second.plaintext())).isEqualTo(new ApiKeyCheck.Authenticated(app, second.hint()));

        try (Connection c = testDatabase.connect(); PreparedStatement s = c.prepareStatement(
                "UPDATE apps SET is_active = false WHERE id = ?")) {
            s.setObject(1, app);
            s.executeUpdate();
        }
        assertThat(authenticator.authenticate(second.plaintext()))
                .isEqualTo(new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.APP_INACTIVE));
    }

    @Test
    void apiKeyAuditWhenChangedInTheDatabaseThenRefused() throws SQLException {
        UUID app = insertApp(true);
        store.createOrRotate(app, KEYS.issue().stored(), "internal_api", T0);
        try (Connection c = testDatabase.connect(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("UPDATE api_key_audit SET actor = 'x' WHERE app_id = '" + app + "'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.executeUpdate("DELETE FROM api_key_audit WHERE app_id = '" + app + "'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
        }
    }

    @Test
    void accessGenerationWhenKeysAreRevokedRotatedOrAppsDeactivatedThenMovesAndOtherwiseStays() throws SQLException {
        UUID app = insertApp(true);
        long start = store.accessGeneration();

        IssuedApiKey first = KEYS.issue();
        store.createOrRotate(app, first.stored(), "internal_api", T0);
        store.findByLookupPrefix(first.lookupPrefix());
        store.status(app);
        assertThat(store.accessGeneration()).isEqualTo(start);

        store.createOrRotate(app, KEYS.issue().stored(), "internal_api", T0.plusSeconds(1));
        long afterRotation = store.accessGeneration();
        assertThat(afterRotation).isGreaterThan(start);

        store.revoke(app, "internal_api", T0.plusSeconds(2));
        long afterRevocation = store.accessGeneration();
        assertThat(afterRevocation).isGreaterThan(afterRotation);

        try (Connection c = testDatabase.connect(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE apps SET is_active = false WHERE id = '" + app + "'");
        }
        assertThat(store.accessGeneration()).isGreaterThan(afterRevocation);
    }

    @Test
    void accessGenerationWhenChangedInAnOpenTransactionThenUnmovedForOthersUntilCommit() throws SQLException {
        UUID app = insertApp(true);
        store.createOrRotate(app, KEYS.issue().stored(), "internal_api", T0);
        long before = store.accessGeneration();

        try (Connection c = testDatabase.connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE api_keys SET revoked_at = now(), revoked_by = 'test', lookup_prefix = NULL, "
                        + "bcrypt_hash = NULL WHERE app_id = '"
                        + app + "' AND revoked_at IS NULL");
            }
            assertThat(store.accessGeneration()).isEqualTo(before);
            c.commit();
        }

        assertThat(store.accessGeneration()).isGreaterThan(before);
    }

    @Test
    void storeWhenDatabaseClosedThenStoreUnavailable() {
        Database closed = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 2));
        JdbiApiKeyStore broken = JdbiApiKeyStore.create(closed);
        closed.close();

        assertThatThrownBy(() -> broken.findByLookupPrefix("0123456789abcdef")).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> broken.revoke(UUID.randomUUID(), "internal_api", T0))
                .isInstanceOf(StoreUnavailableException.class);
    }

    private static UUID insertApp(boolean active) {
        UUID id = UUID.randomUUID();
        try (Connection c = testDatabase.connect(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO apps (id, name, is_active) VALUES (?, ?, ?)")) {
            s.setObject(1, id);
            s.setString(2, "app " + id);
            s.setBoolean(3, active);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return id;
    }

    private static int activeKeyCount(UUID app) throws SQLException {
        try (Connection c = testDatabase.connect(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM api_keys WHERE app_id = ? AND revoked_at IS NULL")) {
            s.setObject(1, app);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Every value of every column of {@code table} whose type is textual (text, varchar, char, json, bytea...), as text. */
    private static List<String> textColumns(String table) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = testDatabase.connect()) {
            List<String> columns = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT column_name FROM information_schema.columns"
                    + " WHERE table_schema = current_schema() AND table_name = ?"
                    + " AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea')")) {
                s.setString(1, table);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        columns.add(rs.getString(1));
                    }
                }
            }
            assertThat(columns).isNotEmpty();
            try (Statement s = c.createStatement()) {
                for (String column : columns) {
                    try (ResultSet rs = s.executeQuery("SELECT " + column + "::text FROM " + table)) {
                        while (rs.next()) {
                            if (rs.getString(1) != null) {
                                values.add(rs.getString(1));
                            }
                        }
                    }
                }
                // and each whole row as text, in case a future column of another type holds one
                try (ResultSet rs = s.executeQuery("SELECT t::text FROM " + table + " t")) {
                    while (rs.next()) {
                        values.add(rs.getString(1));
                    }
                }
            }
        }
        return values;
    }

    // rotation with a grace period: both keys found until the grace ends, revocation ends both

    @Test
    void rotateWithGraceThenOldKeyFoundWithItsGraceEndAndAuditHasBothHintsAndTheEnd() {
        UUID app = insertApp(true);
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
        UUID app = insertApp(true);
        store.createOrRotate(app, KEYS.issue().stored(), "internal_api", T0);
        long before = store.accessGeneration();

        store.createOrRotate(app, KEYS.issue().stored(), "internal_api", T0.plusSeconds(1), GRACE);

        assertThat(store.accessGeneration()).isGreaterThan(before);
    }

    @Test
    void rotateAgainDuringTheGraceThenTheKeyInGraceIsRevokedAtOnce() throws SQLException {
        UUID app = insertApp(true);
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
        UUID app = insertApp(true);
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
        UUID app = insertApp(true);
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
        UUID app = insertApp(true);

        ApiKeyAuditEntry entry = store.createOrRotate(app, KEYS.issue().stored(), "internal_api", T0, GRACE)
                .orElseThrow();

        assertThat(entry.action()).isEqualTo(ApiKeyAction.CREATED);
        assertThat(entry.previousKeyExpiresAt()).isEmpty();
    }

    @Test
    void rotateWithAGraceOutOfRangeThenRefusedAndNothingWritten() {
        UUID app = insertApp(true);
        store.createOrRotate(app, KEYS.issue().stored(), "internal_api", T0);

        assertThatThrownBy(() -> store.createOrRotate(app, KEYS.issue().stored(), "internal_api", T0,
                Duration.ofSeconds(604_801))).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.audit(app)).hasSize(1);
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
