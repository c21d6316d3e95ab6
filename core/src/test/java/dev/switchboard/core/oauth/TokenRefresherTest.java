package dev.switchboard.core.oauth;

import dev.switchboard.core.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.switchboard.core.testing.RecordingAuditLog;
import dev.switchboard.core.testing.InMemoryConnectionStore;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TokenRefresherTest {
    private static final long EXPIRES_IN = 3600;
    private static final Duration AWAIT = Duration.ofSeconds(60);

    private final MutableClock clock = MutableClock.at(Instant.parse("2025-01-01T10:00:00Z"));
    private final InMemoryConnectionStore store = new InMemoryConnectionStore();
    private final FakeAuthorizationServer dialpad = new FakeAuthorizationServer(EXPIRES_IN);
    private final RecordingAuditLog audit = new RecordingAuditLog();
    private final RefreshPolicy policy = RefreshPolicy.defaults();
    private final SecureRandom random = new SecureRandom();
    private final List<TokenRefresher> refreshers = new ArrayList<>();

    @AfterEach
    void closeRefreshers() {
        dialpad.openGate();
        refreshers.forEach(TokenRefresher::close);
    }

    @Test
    void runOnceWhenConnectionDueThenRefreshedOnceAndRotatedTokensStored() throws InterruptedException {
        Connection connection = connect(clock.instant());
        TokenRefresher refresher = refresher("a", settings(4));

        assertThat(refresher.runOnce()).isEqualTo(1);
        assertThat(refresher.awaitIdle(AWAIT)).isTrue();
        assertThat(refresher.runOnce()).isZero();
        assertThat(refresher.awaitIdle(AWAIT)).isTrue();

        assertThat(dialpad.calls()).isEqualTo(1);
        Connection stored = store.find(connection.appId()).orElseThrow();
        assertThat(stored.refreshToken()).isNotEqualTo(connection.refreshToken());
        assertThat(dialpad.isLive(stored.refreshToken())).isTrue();
        assertThat(stored.accessToken()).isNotEqualTo(connection.accessToken());
        assertThat(stored.expiresAt()).isEqualTo(clock.instant().plusSeconds(EXPIRES_IN));
        assertThat(stored.health().nextAttemptAt()).isEqualTo(policy.dueAt(clock.instant(), stored.expiresAt()));
        assertThat(stored.health().lastSuccessAt()).contains(clock.instant());
        assertThat(stored.organisationId()).isEqualTo(connection.organisationId());
        assertThat(store.leaseOwner(connection.appId())).isEmpty();
        AuditEvent event = audit.events().get(0);
        assertThat(event.type()).isEqualTo(AuditEventType.OAUTH_REFRESHED);
        assertThat(event.appId()).contains(connection.appId());
        assertThat(event.details()).containsEntry("organisation_id", "org-1")
                .containsEntry("expires_at", stored.expiresAt().toString());
        assertThat(event.details().values()).noneMatch(value -> value.contains("refresh-") || value.contains("access-"));
        assertThat(refresher.snapshot().refreshed()).isEqualTo(1);
    }

    @Test
    void runOnceWhenConnectionNotDueThenUntouched() throws InterruptedException {
        Connection connection = connect(clock.instant().plusSeconds(60));
        TokenRefresher refresher = refresher("a", settings(4));

        assertThat(refresher.runOnce()).isZero();
        assertThat(refresher.awaitIdle(AWAIT)).isTrue();

        assertThat(dialpad.calls()).isZero();
        assertThat(store.find(connection.appId())).contains(connection);
        assertThat(store.leaseOwner(connection.appId())).isEmpty();
        assertThat(audit.events()).isEmpty();
    }

    @Test
    void refreshWhenInvalidGrantThenNeedsReconnectKeptAndNeverClaimedAgain() throws InterruptedException {
        Connection connection = connect(clock.instant());
        dialpad.script(token -> new TokenGrant.Refused("invalid_grant", "The refresh token is not valid."));
        TokenRefresher refresher = refresher("a", settings(4));

        assertThat(refresher.runOnce()).isEqualTo(1);
        assertThat(refresher.awaitIdle(AWAIT)).isTrue();
        clock.advance(Duration.ofDays(30));
        assertThat(refresher.runOnce()).isZero();

        Connection stored = store.find(connection.appId()).orElseThrow();
        assertThat(stored.health().needsReconnect()).isTrue();
        assertThat(stored.health().lastErrorCode()).contains("invalid_grant");
        assertThat(stored.refreshToken()).isEqualTo(connection.refreshToken());
        assertThat(dialpad.calls()).isEqualTo(1);
        assertThat(audit.events()).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(AuditEventType.OAUTH_NEEDS_RECONNECT);
            assertThat(event.details()).containsEntry("error_code", "invalid_grant");
        });
        assertThat(refresher.refreshNow(connection.appId()))
                .isEqualTo(new RefreshOutcome.NeedsReconnect(connection.appId()));
        assertThat(dialpad.calls()).isEqualTo(1);
        assertThat(refresher.snapshot().needsReconnect()).isEqualTo(1);
    }

    @Test
    void refreshWhenDialpadUnavailableThenBacksOffAndRetriesAfterTheDelay() throws InterruptedException {
        Connection connection = connect(clock.instant());
        dialpad.script(token -> new TokenGrant.Unavailable("Dialpad did not answer in time."));
        TokenRefresher refresher = refresher("a", settings(4));
        Instant failedAt = clock.instant();

        RefreshOutcome outcome = refresher.refreshNow(connection.appId());

        RefreshOutcome.Failed failed = (RefreshOutcome.Failed) outcome;
        assertThat(failed.errorCode()).isEqualTo("unavailable");
        // the first backoff is 30 s with equal jitter: somewhere in [15 s, 30 s)
        assertThat(failed.retryAt()).isBetween(failedAt.plusSeconds(15), failedAt.plusSeconds(30));
        Connection stored = store.find(connection.appId()).orElseThrow();
        assertThat(stored.health().consecutiveFailures()).isEqualTo(1);
        assertThat(stored.health().needsReconnect()).isFalse();
        assertThat(stored.health().nextAttemptAt()).isEqualTo(failed.retryAt());
        assertThat(audit.events()).singleElement()
                .satisfies(event -> assertThat(event.type()).isEqualTo(AuditEventType.OAUTH_REFRESH_FAILED));

        assertThat(refresher.runOnce()).isZero();
        dialpad.script(null);
        clock.advance(Duration.ofSeconds(30));
        assertThat(refresher.runOnce()).isEqualTo(1);
        assertThat(refresher.awaitIdle(AWAIT)).isTrue();
        assertThat(store.find(connection.appId()).orElseThrow().health().consecutiveFailures()).isZero();
        assertThat(dialpad.calls()).isEqualTo(2);
    }

    @Test
    void refreshWhenTokenResponseUnusableThenRecordedAsFailureWithItsCode() {
        Connection connection = connect(clock.instant());
        dialpad.script(token -> new TokenGrant.Tokens(new TokenResponse("access", "refresh", "mac", 3600L)));
        TokenRefresher refresher = refresher("a", settings(4));

        RefreshOutcome outcome = refresher.refreshNow(connection.appId());

        assertThat(((RefreshOutcome.Failed) outcome).errorCode()).isEqualTo("unsupported_token_type");
        assertThat(store.find(connection.appId()).orElseThrow().refreshToken()).isEqualTo(connection.refreshToken());
    }

    @Test
    void backgroundWhenManyConnectionsDueThenInFlightNeverExceedsTheConcurrency() throws InterruptedException {
        int concurrency = 4;
        for (int i = 0; i < 60; i++) {
            connect(clock.instant());
        }
        dialpad.closeGate();
        TokenRefresher refresher = refresher("a", settings(concurrency));
        refresher.start();

        dialpad.awaitRunning(concurrency);
        // the pool is full and held: the claim must not have taken more than it can run
        assertThat(store.all().stream().filter(c -> store.leaseOwner(c.appId()).isPresent())).hasSize(concurrency);
        dialpad.openGate();
        dialpad.awaitCompleted(60);
        assertThat(refresher.awaitIdle(AWAIT)).isTrue();

        assertThat(dialpad.peakRunning()).isEqualTo(concurrency);
        assertThat(refresher.snapshot().peakInFlight()).isLessThanOrEqualTo(concurrency);
        assertThat(refresher.snapshot().refreshed()).isEqualTo(60);
        assertThat(dialpad.refreshesPerGrant().values()).containsOnly(1);
    }

    @Test
    void backgroundWhenTwoRefreshersShareAStoreThenNoConnectionIsRefreshedTwiceAtOnce() throws InterruptedException {
        int connections = 40;
        int rounds = 5;
        for (int i = 0; i < connections; i++) {
            connect(clock.instant());
        }
        TokenRefresher first = refresher("first", settings(3));
        TokenRefresher second = refresher("second", settings(5));
        first.start();
        second.start();

        for (int round = 1; round <= rounds; round++) {
            dialpad.awaitCompleted(connections * round);
            // the results must be stored at this round's time before the clock moves on
            assertThat(first.awaitIdle(AWAIT)).isTrue();
            assertThat(second.awaitIdle(AWAIT)).isTrue();
            if (round < rounds) {
                // moving the clock after the last round would make every connection due again before close()
                clock.advance(Duration.ofSeconds(EXPIRES_IN));
            }
        }
        first.close();
        second.close();

        assertThat(dialpad.reuse()).isZero();
        assertThat(dialpad.overlaps()).isZero();
        assertThat(dialpad.calls()).isEqualTo(connections * rounds);
        assertThat(dialpad.refreshesPerGrant().values()).containsOnly(rounds);
        assertThat(store.all()).allSatisfy(connection -> {
            assertThat(connection.health().needsReconnect()).isFalse();
            assertThat(dialpad.isLive(connection.refreshToken())).isTrue();
        });
        assertThat(first.snapshot().refreshed() + second.snapshot().refreshed()).isEqualTo(connections * rounds);
    }

    @Test
    void refreshWhenStoreFailsAfterRotationThenWriteRetriedAndRotatedTokenKept() throws InterruptedException {
        Connection connection = connect(clock.instant());
        store.failNextRefreshWrites(2);
        TokenRefresher refresher = refresher("a", settings(4));

        assertThat(refresher.runOnce()).isEqualTo(1);
        assertThat(refresher.awaitIdle(AWAIT)).isTrue();

        assertThat(store.refreshWriteAttempts()).isEqualTo(3);
        Connection stored = store.find(connection.appId()).orElseThrow();
        assertThat(dialpad.isLive(stored.refreshToken())).isTrue();
        assertThat(refresher.snapshot().refreshed()).isEqualTo(1);
        assertThat(refresher.snapshot().tokensLost()).isZero();
    }

    @Test
    void refreshWhenStoreKeepsFailingAfterRotationThenGivesUpAfterTheConfiguredAttempts() {
        Connection connection = connect(clock.instant());
        store.failNextRefreshWrites(100);
        TokenRefresher refresher = refresher("a", settings(4));

        RefreshOutcome outcome = refresher.refreshNow(connection.appId());

        assertThat(outcome).isEqualTo(new RefreshOutcome.StoreFailed(connection.appId(), true));
        assertThat(store.refreshWriteAttempts()).isEqualTo(3);
        assertThat(refresher.snapshot().tokensLost()).isEqualTo(1);
        assertThat(audit.events()).isEmpty();
    }

    @Test
    void refreshNowWhenAnotherRefresherHoldsTheLeaseThenBusyAndDialpadNotCalled() {
        Connection connection = connect(clock.instant().plusSeconds(600));
        store.tryLease(connection.appId(), "other-instance", clock.instant(), Duration.ofMinutes(2));
        TokenRefresher refresher = refresher("a", settings(4));

        assertThat(refresher.refreshNow(connection.appId())).isEqualTo(new RefreshOutcome.Busy(connection.appId()));
        UUID unknown = UUID.randomUUID();
        assertThat(refresher.refreshNow(unknown)).isEqualTo(new RefreshOutcome.NotConnected(unknown));
        assertThat(dialpad.calls()).isZero();
    }

    @Test
    void refreshNowWhenNotDueThenRefreshesAnywayAndReleasesItsLease() {
        Connection connection = connect(clock.instant().plusSeconds(600));
        TokenRefresher refresher = refresher("a", settings(4));

        RefreshOutcome outcome = refresher.refreshNow(connection.appId());

        assertThat(outcome).isInstanceOf(RefreshOutcome.Refreshed.class);
        assertThat(store.leaseOwner(connection.appId())).isEmpty();
        assertThat(dialpad.isLive(store.find(connection.appId()).orElseThrow().refreshToken())).isTrue();
    }

    @Test
    void refreshWhenLeaseLostBeforeTheWriteThenNothingRecorded() {
        Connection connection = connect(clock.instant());
        // a reconnect while the refresh runs drops every lease: the refresher's result must not overwrite it
        dialpad.script(token -> {
            store.save(connection);
            return new TokenGrant.Tokens(new TokenResponse("access-new", "refresh-new", "bearer", EXPIRES_IN));
        });
        TokenRefresher refresher = refresher("a", settings(4));

        assertThat(refresher.refreshNow(connection.appId()))
                .isEqualTo(new RefreshOutcome.LeaseLost(connection.appId()));
        assertThat(store.find(connection.appId())).contains(connection);
    }

    @Test
    void closeWhenARefreshIsInFlightThenWaitsForItAndStoresItsResult() throws InterruptedException {
        Connection connection = connect(clock.instant());
        dialpad.closeGate();
        TokenRefresher refresher = refresher("a", settings(4));
        refresher.start();
        dialpad.awaitRunning(1);

        Thread closing = new Thread(refresher::close);
        closing.start();
        dialpad.openGate();
        closing.join();

        Connection stored = store.find(connection.appId()).orElseThrow();
        assertThat(dialpad.isLive(stored.refreshToken())).isTrue();
        assertThat(store.leaseOwner(connection.appId())).isEmpty();
        assertThat(refresher.snapshot().inFlight()).isZero();
    }

    @Test
    void settingsWhenConcurrencyOutOfRangeThenRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> TokenRefresher.Settings.defaults().withConcurrency(0));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> TokenRefresher.Settings.defaults().withConcurrency(1001));
        assertThat(TokenRefresher.Settings.defaults().concurrency()).isEqualTo(16);
    }

    private Connection connect(Instant firstRefreshAt) {
        String refreshToken = dialpad.issueGrant();
        int grant = FakeAuthorizationServer.grantOf(refreshToken);
        Instant now = clock.instant();
        Connection connection = new Connection(UUID.randomUUID(), "org-" + grant, "access-" + grant, refreshToken,
                now.plusSeconds(EXPIRES_IN), DialpadEnvironment.SANDBOX, now, now, RefreshHealth.initial(firstRefreshAt));
        store.save(connection);
        return connection;
    }

    private TokenRefresher refresher(String name, TokenRefresher.Settings settings) {
        TokenRefresher refresher = TokenRefresher.create(store, dialpad, policy, audit, clock, random,
                TokenRefresher.uniqueOwner(name), settings);
        refreshers.add(refresher);
        return refresher;
    }

    private static TokenRefresher.Settings settings(int concurrency) {
        return new TokenRefresher.Settings(concurrency, Duration.ofMillis(5), Duration.ofMinutes(2),
                Duration.ofSeconds(10), 3, Duration.ofMillis(1));
    }
}
