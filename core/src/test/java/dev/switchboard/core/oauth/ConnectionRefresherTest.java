package dev.switchboard.core.oauth;

import dev.switchboard.core.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.testing.InMemoryConnectionStore;
import dev.switchboard.core.testing.RecordingAuditLog;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ConnectionRefresherTest {
    private static final long EXPIRES_IN = 3600;

    private final MutableClock clock = MutableClock.at(Instant.parse("2025-01-01T10:00:00Z"));
    private final InMemoryConnectionStore store = new InMemoryConnectionStore();
    private final FakeAuthorizationServer dialpad = new FakeAuthorizationServer(EXPIRES_IN);
    private final RecordingAuditLog audit = new RecordingAuditLog();
    private final List<Duration> pauses = new ArrayList<>();

    @Test
    void refreshNowWhenStoreWritesFailThenPausesFollowTheBackoffWithoutWaiting() {
        Connection connection = connect();
        store.failNextRefreshWrites(3);
        ConnectionRefresher refresher = refresher(new ConnectionRefresher.Settings(Duration.ofMinutes(2), 5,
                ConnectionRefresher.Settings.doubling(Duration.ofMillis(200))));

        RefreshOutcome outcome = refresher.refreshNow(connection.appId());

        assertThat(outcome).isInstanceOf(RefreshOutcome.Refreshed.class);
        assertThat(pauses).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800));
        assertThat(refresher.counts().refreshed()).isEqualTo(1);
    }

    @Test
    void runOnceWhenNotStartedThenRefreshesOnTheCallingThread() {
        Connection connection = connect();
        TokenRefresher runner = TokenRefresher.create(refresher(ConnectionRefresher.Settings.defaults()), store,
                clock, TokenRefresher.Settings.defaults());

        assertThat(runner.runOnce()).isEqualTo(1);

        // no awaitIdle: the refresh is done when runOnce returns
        assertThat(runner.snapshot().refreshed()).isEqualTo(1);
        assertThat(store.find(connection.appId()).orElseThrow().refreshToken())
                .isNotEqualTo(connection.refreshToken());
        runner.close();
    }

    private ConnectionRefresher refresher(ConnectionRefresher.Settings settings) {
        return ConnectionRefresher.create(store, dialpad, RefreshPolicy.defaults(), audit, clock, new SecureRandom(),
                TokenRefresher.uniqueOwner("test"), settings, pauses::add);
    }

    private Connection connect() {
        String refreshToken = dialpad.issueGrant();
        int grant = FakeAuthorizationServer.grantOf(refreshToken);
        Instant now = clock.instant();
        Connection connection = new Connection(UUID.randomUUID(), "org-" + grant, "access-" + grant, refreshToken,
                now.plusSeconds(EXPIRES_IN), DialpadEnvironment.SANDBOX, now, now, RefreshHealth.initial(now));
        store.save(connection);
        return connection;
    }
}
