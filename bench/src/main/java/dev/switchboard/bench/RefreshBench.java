package dev.switchboard.bench;

import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.oauth.DialpadEnvironment;
import dev.switchboard.core.oauth.RefreshHealth;
import dev.switchboard.core.oauth.RefreshPolicy;
import dev.switchboard.core.oauth.TokenRefresher;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.dialpad.DialpadClientSettings;
import dev.switchboard.dialpad.DialpadEndpoints;
import dev.switchboard.dialpad.NimbusDialpadClient;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiAuditLog;
import dev.switchboard.persistence.JdbiConnectionStore;
import dev.switchboard.testkit.TestDatabase;
import dev.switchboard.testkit.dialpad.DialpadEndpoint;
import dev.switchboard.testkit.dialpad.FakeDialpad;
import dev.switchboard.testkit.dialpad.IssuedTokens;
import dev.switchboard.testkit.dialpad.OAuthClient;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * How long one {@link TokenRefresher} takes to refresh many due connections against the fake Dialpad answering each
 * refresh after a fixed delay, through the real stack: {@link JdbiConnectionStore} on PostgreSQL (leases, sealed
 * tokens), {@link NimbusDialpadClient} over HTTP, {@link JdbiAuditLog}. Prints the wall time, refreshes per second,
 * the peak concurrency the fake observed, the configured concurrency, and the refresh-token reuse count (must be 0).
 *
 * <p>Database: a fresh one from {@link TestDatabase} ({@code SWITCHBOARD_TEST_DATABASE_URL}, else an embedded
 * PostgreSQL), dropped at the end. Arguments: connections (default 10000), concurrency (default
 * {@code REFRESH_CONCURRENCY} or 64), fake latency in milliseconds (default 50).
 */
public final class RefreshBench {
    private static final String REDIRECT_URI = "http://localhost:4000/auth/dialpad/callback";
    private static final int SEED_THREADS = 16;

    private RefreshBench() {
    }

    public static void main(String[] args) throws Exception {
        String configuredConcurrency = System.getenv("REFRESH_CONCURRENCY");
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1])
                : configuredConcurrency == null || configuredConcurrency.isBlank() ? 64
                : Integer.parseInt(configuredConcurrency.strip());
        Duration latency = Duration.ofMillis(args.length > 2 ? Long.parseLong(args[2]) : 50);

        SecureRandom random = new SecureRandom();
        byte[] key = new byte[32];
        random.nextBytes(key);
        SecretCipher cipher = SecretCipher.fromBase64Key(Base64.getEncoder().encodeToString(key), random);

        try (TestDatabase testDatabase = TestDatabase.create();
             FakeDialpad dialpad = FakeDialpad.start(FakeDialpad.Settings.defaults()
                     .withThreads(Math.max(256, concurrency * 2)));
             Database database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(),
                     Math.max(SEED_THREADS, concurrency) + 4))) {
            OAuthClient client = dialpad.registerNewClient(REDIRECT_URI);
            JdbiConnectionStore store = JdbiConnectionStore.create(database, cipher);

            long seedStart = System.nanoTime();
            seed(testDatabase, dialpad, client, store, connections);
            System.out.printf(Locale.ROOT, "seeded %d due connections in %.1f s%n", connections,
                    seconds(System.nanoTime() - seedStart));

            dialpad.resetCounters();
            dialpad.latency(DialpadEndpoint.TOKEN, latency);
            NimbusDialpadClient server = NimbusDialpadClient.create(DialpadClientSettings.of(
                    new DialpadEndpoints(dialpad.baseUri()), client.clientId(), client.clientSecret(),
                    URI.create(REDIRECT_URI)));
            TokenRefresher.Settings settings = TokenRefresher.Settings.defaults().withConcurrency(concurrency);
            try (TokenRefresher refresher = TokenRefresher.create(store, server, RefreshPolicy.defaults(),
                    JdbiAuditLog.create(database), Clock.systemUTC(), random, TokenRefresher.uniqueOwner("bench"),
                    settings)) {
                long cpuStart = processCpuNanos();
                long start = System.nanoTime();
                refresher.start();
                TokenRefresher.Snapshot snapshot = refresher.snapshot();
                while (done(snapshot) < connections) {
                    Thread.sleep(2);
                    snapshot = refresher.snapshot();
                }
                long elapsed = System.nanoTime() - start;
                long cpu = processCpuNanos() - cpuStart;
                print(connections, latency, elapsed, snapshot, dialpad);
                System.out.printf(Locale.ROOT, "JVM CPU during refresh:    %.1f s (%.2f ms per refresh, refresher,"
                        + " client and fake together; %d processors, system load %.1f)%n", seconds(cpu),
                        cpu / 1e6 / connections, Runtime.getRuntime().availableProcessors(),
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            }
        }
    }

    private static void seed(TestDatabase testDatabase, FakeDialpad dialpad, OAuthClient client,
                             JdbiConnectionStore store, int connections) throws Exception {
        List<UUID> apps = new ArrayList<>(connections);
        try (java.sql.Connection jdbc = testDatabase.connect();
             PreparedStatement insert = jdbc.prepareStatement("INSERT INTO apps (id, name) VALUES (?, ?)")) {
            jdbc.setAutoCommit(false);
            for (int i = 0; i < connections; i++) {
                UUID id = UUID.randomUUID();
                insert.setObject(1, id);
                insert.setString(2, "bench-" + i);
                insert.addBatch();
                apps.add(id);
            }
            insert.executeBatch();
            jdbc.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("could not seed apps: " + e.getMessage(), e);
        }
        // due a second ago, so every connection is waiting when the refresher starts
        Instant due = Instant.now().minusSeconds(1);
        ExecutorService pool = Executors.newFixedThreadPool(SEED_THREADS);
        try {
            List<Future<?>> saves = new ArrayList<>(connections);
            for (int i = 0; i < connections; i++) {
                UUID app = apps.get(i);
                long organisation = 9_000_000_000L + i;
                saves.add(pool.submit(() -> {
                    IssuedTokens tokens = dialpad.issueTokens(client.clientId(), organisation, "offline_access");
                    Instant now = Instant.now();
                    store.save(new Connection(app, Long.toString(organisation), tokens.accessToken(),
                            tokens.refreshToken(), tokens.accessTokenExpiresAt(), DialpadEnvironment.SANDBOX, now,
                            now, RefreshHealth.initial(due)));
                }));
            }
            for (Future<?> save : saves) {
                save.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private static long done(TokenRefresher.Snapshot snapshot) {
        return snapshot.refreshed() + snapshot.failed() + snapshot.needsReconnect() + snapshot.tokensLost();
    }

    private static void print(int connections, Duration latency, long elapsedNanos, TokenRefresher.Snapshot snapshot,
                              FakeDialpad dialpad) {
        double seconds = seconds(elapsedNanos);
        System.out.printf(Locale.ROOT, "connections refreshed:     %d of %d (failed %d, needs reconnect %d,"
                        + " tokens lost %d)%n", snapshot.refreshed(), connections, snapshot.failed(),
                snapshot.needsReconnect(), snapshot.tokensLost());
        System.out.printf(Locale.ROOT, "fake latency per refresh:  %d ms%n", latency.toMillis());
        System.out.printf(Locale.ROOT, "total wall time:           %.2f s%n", seconds);
        System.out.printf(Locale.ROOT, "refreshes per second:      %.0f%n", snapshot.refreshed() / seconds);
        System.out.printf(Locale.ROOT, "configured concurrency:    %d%n", snapshot.concurrency());
        System.out.printf(Locale.ROOT, "peak in flight (refresher): %d%n", snapshot.peakInFlight());
        System.out.printf(Locale.ROOT, "peak in flight (fake):     %d%n", dialpad.peakInFlight());
        System.out.printf(Locale.ROOT, "refresh-token reuse:       %d%n", dialpad.refreshTokenReuseCount());
        System.out.printf(Locale.ROOT, "ideal (n x latency / c):   %.2f s%n",
                connections * latency.toMillis() / 1000.0 / snapshot.concurrency());
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
