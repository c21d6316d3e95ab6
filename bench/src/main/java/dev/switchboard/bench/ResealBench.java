package dev.switchboard.bench;

import dev.switchboard.app.Switchboard;
import dev.switchboard.app.config.ProcessingConfig;
import dev.switchboard.core.secrets.Sealed;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Re-sealing under a new encryption key, and what it costs webhook intake. Seeds {@code rows} (default 50,000)
 * Dialpad webhook secrets sealed under the bench's old key ({@code TOKEN_ENCRYPTION_KEY}), then, in one JVM so that
 * both phases run compiled code:
 * <ol>
 *   <li>starts the server with the old key alone (nothing to re-seal), warms webhook intake up for 10 s and measures
 *       it for {@code seconds} (default 5) with {@code senders} connections (default 32), then stops it;</li>
 *   <li>starts the server with {@code TOKEN_ENCRYPTION_KEYS=new:<key>} (the old key joins the ring as an opening
 *       key), measures intake for {@code seconds} at once, while the server re-seals every row, and follows the
 *       number of rows still under the old key every 100 ms until none is left.</li>
 * </ol>
 * Prints rows re-sealed per second (from the first row moved to the last) and both intake rates with their ratio,
 * and how much of the second intake window re-sealing overlapped. The seeded rows belong to 50 apps other than the
 * one receiving the webhooks, so its secret look-up is the same in both phases.
 *
 * <p>Database as {@link WebhookBench}. Arguments: rows, seconds, senders.
 */
public final class ResealBench {
    private static final String APP_SECRET = "bench-reseal-webhook-secret";
    private static final int SEED_APPS = 50;
    private static final Duration WARM_UP = Duration.ofSeconds(10);

    private ResealBench() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int senders = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        try (TestDatabase fresh = TestDatabase.create()) {
            run(fresh.jdbcUrl(), rows, Duration.ofSeconds(seconds), senders);
        }
        System.exit(0);
    }

    private static void run(String url, int rows, Duration measured, int senders) throws Exception {
        BenchServers servers = BenchServers.on(url);
        SecretCipher old = SecretCipher.fromBase64Key(servers.encryptionKey(), new SecureRandom());
        BenchServers.WebhookApp app = servers.webhookApp("bench", APP_SECRET);
        seed(url, old, rows);
        System.out.printf(Locale.ROOT, "ResealBench: %,d sealed rows under key %s, %d senders, %d s measured, "
                + "%d cores%n", rows, old.currentKeyId(), senders, measured.toSeconds(),
                Runtime.getRuntime().availableProcessors());

        double without;
        try (Switchboard server = Switchboard.start(servers.configuration(12, Map.of()), ProcessingConfig.DEFAULTS,
                new SecureRandom())) {
            WebhookBench.load(server.port(), app.path(), app.webhookSecret(), senders, WARM_UP);
            without = WebhookBench.load(server.port(), app.path(), app.webhookSecret(), senders, measured)
                    .okPerSecond();
        }

        byte[] newKey = new byte[32];
        new SecureRandom().nextBytes(newKey);
        Map<String, String> ring = Map.of("TOKEN_ENCRYPTION_KEYS", "new:" + Base64.getEncoder().encodeToString(newKey));
        String oldId = old.currentKeyId();
        AtomicReference<Instant> firstMove = new AtomicReference<>();
        AtomicReference<Instant> lastMove = new AtomicReference<>();
        long total = count(url, oldId);
        Thread follower = new Thread(() -> follow(url, oldId, total, firstMove, lastMove), "reseal-follower");
        double with;
        Instant loadStart;
        Instant loadEnd;
        try (Switchboard server = Switchboard.start(servers.configuration(12, ring), ProcessingConfig.DEFAULTS,
                new SecureRandom())) {
            follower.start();
            loadStart = Instant.now();
            with = WebhookBench.load(server.port(), app.path(), app.webhookSecret(), senders, measured)
                    .okPerSecond();
            loadEnd = Instant.now();
            follower.join(Duration.ofMinutes(5).toMillis());
        }
        if (lastMove.get() == null) {
            System.out.printf(Locale.ROOT, "re-sealing did not finish: %d rows still under %s%n", count(url, oldId),
                    oldId);
            return;
        }
        double seconds = Duration.between(firstMove.get(), lastMove.get()).toNanos() / 1e9;
        Instant overlapEnd = lastMove.get().isBefore(loadEnd) ? lastMove.get() : loadEnd;
        Instant overlapStart = firstMove.get().isAfter(loadStart) ? firstMove.get() : loadStart;
        double overlap = Math.max(0, Duration.between(overlapStart, overlapEnd).toNanos())
                / (double) Duration.between(loadStart, loadEnd).toNanos();
        System.out.printf(Locale.ROOT, "re-sealing: %,d rows in %.2f s = %,.0f rows/s (target >= 2,000)%n", total,
                seconds, total / Math.max(seconds, 1e-3));
        System.out.printf(Locale.ROOT, "webhook intake: %,.0f events/s without re-sealing, %,.0f with = %.2f "
                + "(target >= 0.8); re-sealing ran during %.0f%% of the measured window%n", without, with,
                with / without, overlap * 100);
    }

    /** Polls the rows under {@code oldId} every 100 ms until none is left, noting the first and the last move. */
    private static void follow(String url, String oldId, long total, AtomicReference<Instant> firstMove,
                               AtomicReference<Instant> lastMove) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        try {
            while (Instant.now().isBefore(deadline)) {
                long left = count(url, oldId);
                if (left < total && firstMove.get() == null) {
                    firstMove.set(Instant.now());
                }
                if (left == 0) {
                    lastMove.set(Instant.now());
                    return;
                }
                Thread.sleep(100);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not follow re-sealing", e);
        }
    }

    /**
     * {@code rows} Dialpad webhook secrets of {@value #SEED_APPS} fresh apps, sealed with {@code cipher} under the
     * associated data the webhook store uses ({@code dialpad-webhook:<app id>:<Dialpad webhook id>}), inserted in
     * JDBC batches: the store's one-row saves would make the set-up longer than the measurement.
     */
    private static void seed(String url, SecretCipher cipher, int rows) throws Exception {
        try (Connection connection = DriverManager.getConnection(url)) {
            connection.setAutoCommit(false);
            UUID[] apps = new UUID[SEED_APPS];
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO apps (id, name, created_at, updated_at) VALUES (?, ?, now(), now())")) {
                for (int i = 0; i < SEED_APPS; i++) {
                    apps[i] = UUID.randomUUID();
                    insert.setObject(1, apps[i]);
                    insert.setString(2, "reseal-seed-" + i);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO dialpad_webhooks (id, app_id, "
                    + "dialpad_webhook_id, hook_url, secret_ciphertext, secret_key_id, created_at, updated_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, now(), now())")) {
                for (int i = 0; i < rows; i++) {
                    UUID app = apps[i % SEED_APPS];
                    String dialpadId = "seed-" + i;
                    Sealed sealed = cipher.seal(("whsec-" + i).getBytes(StandardCharsets.UTF_8),
                            ("dialpad-webhook:" + app + ":" + dialpadId).getBytes(StandardCharsets.UTF_8));
                    insert.setObject(1, UUID.randomUUID());
                    insert.setObject(2, app);
                    insert.setString(3, dialpadId);
                    insert.setString(4, "http://127.0.0.1/webhooks/dialpad/" + app);
                    insert.setBytes(5, sealed.ciphertext());
                    insert.setString(6, sealed.keyId());
                    insert.addBatch();
                    if (i % 1000 == 999) {
                        insert.executeBatch();
                    }
                }
                insert.executeBatch();
            }
            connection.commit();
        }
    }

    private static long count(String url, String keyId) throws Exception {
        try (Connection connection = DriverManager.getConnection(url);
             PreparedStatement query = connection.prepareStatement(
                     "SELECT count(*) FROM dialpad_webhooks WHERE secret_key_id = ?")) {
            query.setString(1, keyId);
            try (ResultSet result = query.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }
}
