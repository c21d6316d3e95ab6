package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.TestDatabase;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLadvisoryLockBasedProxyManager;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The V5 table is the one Bucket4j's PostgreSQL module uses with its defaults and a text key. */
class RateLimitTableTest {
    private static TestDatabase testDatabase;
    private static Database database;

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 2));
    }

    @AfterAll
    static void close() {
        database.close();
        testDatabase.close();
    }

    @Test
    void bucketWhenUsedThroughAdvisoryLockManagerThenStateExpiryAndLockAreStoredAndExpiredRowsRemoved()
            throws Exception {
        PostgreSQLadvisoryLockBasedProxyManager<String> buckets = Bucket4jPostgreSQL
                .advisoryLockBasedBuilder(database.dataSource())
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.fixedTimeToLive(Duration.ofMillis(1)))
                .build();

        assertTwoPerMinute(buckets.builder().build("api:203.0.113.9", RateLimitTableTest::twoPerMinute));

        try (Connection connection = testDatabase.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT octet_length(state), expires_at, explicit_lock FROM bucket WHERE id = 'api:203.0.113.9'")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).isPositive();
            assertThat(rows.getLong(2)).isPositive();
            assertThat(rows.getObject(3)).isNotNull();
        }
        long expiresAt;
        try (Connection connection = testDatabase.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT expires_at FROM bucket WHERE id = 'api:203.0.113.9'")) {
            rows.next();
            expiresAt = rows.getLong(1);
        }
        // removal compares with the wall clock; wait until the row's expiry has passed rather than sleeping blindly
        while (System.currentTimeMillis() <= expiresAt) {
            Thread.onSpinWait();
        }
        assertThat(buckets.removeExpired(100)).isEqualTo(1);
    }

    @Test
    void bucketWhenUsedThroughSelectForUpdateManagerThenStored() {
        ProxyManager<String> buckets = Bucket4jPostgreSQL
                .selectForUpdateBasedBuilder(database.dataSource())
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ZERO))
                .build();

        assertTwoPerMinute(buckets.builder().build("internal:198.51.100.4", RateLimitTableTest::twoPerMinute));
    }

    private static void assertTwoPerMinute(BucketProxy bucket) {
        assertThat(bucket.tryConsume(1)).isTrue();
        assertThat(bucket.tryConsume(1)).isTrue();
        assertThat(bucket.tryConsume(1)).isFalse();
    }

    private static BucketConfiguration twoPerMinute() {
        return BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(2).refillGreedy(2, Duration.ofMinutes(1)))
                .build();
    }
}
