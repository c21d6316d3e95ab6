package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.StoreUnavailableException;
import dev.switchboard.core.ratelimit.RateLimit;
import dev.switchboard.core.ratelimit.RateLimitDecision;
import dev.switchboard.core.ratelimit.RateLimiter;
import dev.switchboard.core.testing.MutableClock;
import dev.switchboard.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PostgresRateLimitStoreTest {
    private static final Duration RARELY = Duration.ofHours(1);
    private static TestDatabase testDatabase;
    private static Database first;
    private static Database second;

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.create();
        // two pools on one database stand for two Switchboard instances
        first = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 2));
        second = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 2));
    }

    @AfterAll
    static void close() {
        first.close();
        second.close();
        testDatabase.close();
    }

    @BeforeEach
    void emptyTable() throws Exception {
        try (Connection connection = testDatabase.connect(); Statement statement = connection.createStatement()) {
            statement.execute("DELETE FROM bucket");
        }
    }

    private static long rows() throws Exception {
        try (Connection connection = testDatabase.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM bucket")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @Test
    void tryConsumeWhenTwoInstancesShareTheDatabaseThenTheyShareOneBudget() {
        RateLimit threePerMinute = RateLimit.perMinute("api", 3);
        try (PostgresRateLimitStore a = PostgresRateLimitStore.open(first, Clock.systemUTC(), RARELY);
             PostgresRateLimitStore b = PostgresRateLimitStore.open(second, Clock.systemUTC(), RARELY)) {
            assertThat(a.tryConsume("api:203.0.113.7", threePerMinute).remaining()).isEqualTo(2);
            assertThat(b.tryConsume("api:203.0.113.7", threePerMinute).remaining()).isEqualTo(1);
            assertThat(a.tryConsume("api:203.0.113.7", threePerMinute).allowed()).isTrue();

            RateLimitDecision refused = b.tryConsume("api:203.0.113.7", threePerMinute);
            assertThat(refused.allowed()).isFalse();
            assertThat(refused.retryAfterSeconds()).isBetween(1L, 60L);
            assertThat(a.tryConsume("api:203.0.113.7", threePerMinute).allowed()).isFalse();
            assertThat(b.tryConsume("api:203.0.113.8", threePerMinute).allowed()).isTrue();
        }
    }

    @Test
    void failureLimitWhenCheckedAndRecordedThroughTheLimiterThenOnlyFailuresCount() {
        RateLimit twoFailures = new RateLimit("oauth_failures", 2, Duration.ofMinutes(15));
        try (PostgresRateLimitStore a = PostgresRateLimitStore.open(first, Clock.systemUTC(), RARELY);
             PostgresRateLimitStore b = PostgresRateLimitStore.open(second, Clock.systemUTC(), RARELY)) {
            RateLimiter onA = RateLimiter.using(a);
            RateLimiter onB = RateLimiter.using(b);
            for (int i = 0; i < 5; i++) {
                assertThat(onA.check(twoFailures, "198.51.100.1").remaining()).isEqualTo(2);
            }
            onA.recordFailure(twoFailures, "198.51.100.1");
            onB.recordFailure(twoFailures, "198.51.100.1");

            assertThat(onA.check(twoFailures, "198.51.100.1").allowed()).isFalse();
            assertThat(onB.check(twoFailures, "198.51.100.1").allowed()).isFalse();
            assertThat(onB.recordFailure(twoFailures, "198.51.100.1").remaining()).as("never below zero").isZero();
        }
    }

    @Test
    void windowWhenItEndsThenTheWholeBudgetComesBack() {
        MutableClock clock = MutableClock.at(Instant.now());
        RateLimit twoPerMinute = RateLimit.perMinute("internal", 2);
        try (PostgresRateLimitStore store = PostgresRateLimitStore.open(first, clock, RARELY)) {
            store.tryConsume("k", twoPerMinute);
            clock.advance(Duration.ofSeconds(59));
            store.tryConsume("k", twoPerMinute);
            assertThat(store.tryConsume("k", twoPerMinute).allowed()).isFalse();

            clock.advance(Duration.ofSeconds(1));
            assertThat(store.peek("k", twoPerMinute).remaining()).isEqualTo(2);
            assertThat(store.tryConsume("k", twoPerMinute).remaining()).isEqualTo(1);
        }
    }

    @Test
    void removeExpiredWhenBucketsWouldBeFullAgainThenOnlyThoseRowsAreDeleted() throws Exception {
        RateLimit perSecond = new RateLimit("api", 5, Duration.ofSeconds(1));
        try (PostgresRateLimitStore store = PostgresRateLimitStore.open(first, Clock.systemUTC(), RARELY)) {
            store.tryConsume("short-1", perSecond);
            store.tryConsume("short-2", perSecond);
            store.tryConsume("live", new RateLimit("oauth_failures", 10, Duration.ofMinutes(15)));
            assertThat(rows()).isEqualTo(3);
            long expiresAt;
            try (Connection connection = testDatabase.connect(); Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT max(expires_at) FROM bucket WHERE id LIKE 'short-%'")) {
                rows.next();
                expiresAt = rows.getLong(1);
            }
            // removal compares with the wall clock: wait until the short buckets are full again, not a fixed time
            while (System.currentTimeMillis() <= expiresAt) {
                Thread.onSpinWait();
            }

            assertThat(store.removeExpired()).isEqualTo(2);
            assertThat(rows()).isEqualTo(1);
        }
    }

    @Test
    void tryConsumeWhenDatabaseIsClosedThenStoreUnavailableWithoutTheKey() {
        TestDatabase other = TestDatabase.create();
        Database closed = Database.open(DatabaseSettings.of(other.jdbcUrl(), 1));
        try (PostgresRateLimitStore store = PostgresRateLimitStore.open(closed, Clock.systemUTC(), RARELY)) {
            closed.close();

            assertThatThrownBy(() -> store.tryConsume("api:192.0.2.55", RateLimit.perMinute("api", 1)))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageStartingWith("could not count a rate-limited request")
                    .message().doesNotContain("192.0.2.55");
        } finally {
            other.close();
        }
    }

    @Test
    void poolUseWhenOpenThenReportsTheMaximum() {
        Database.PoolUse use = first.poolUse();

        assertThat(use.max()).isEqualTo(2);
        assertThat(use.active()).isBetween(0, 2);
    }
}
