package dev.switchboard.app;

import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.Secrets;
import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.secrets.Resealer;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.http.EncryptionRoutes;
import dev.switchboard.http.RouteGroup;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.JdbiSealedRows;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.SortedSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The encryption key ring at run time: the start-up check that every stored row opens with the ring, the report of
 * {@code GET /internal/encryption}, and the background re-sealing of rows under older keys.
 *
 * <p>Re-sealing runs on a daemon thread of every instance, a second after start and then every minute, but only
 * the instance holding the re-sealing lock works (see {@link JdbiSealedRows#runExclusively}): it moves batches of
 * {@link #BATCH} rows, {@link #PAUSE} apart, until a batch moves none, then idles until the next check. A crash loses
 * nothing, the next run looks for what is still under an older key. Each run that found rows logs one line of counts; the counter
 * {@code switchboard_resealed_rows_total} adds up the rows moved by this instance.
 */
final class Resealing implements AutoCloseable {
    /** Rows per batch: one short transaction each, so no row lock is held for long. */
    static final int BATCH = 500;
    /** Rest between batches, leaving the cores and the pool to requests (a batch takes about 100 ms). */
    static final Duration PAUSE = Duration.ofMillis(40);
    private static final Duration FIRST = Duration.ofSeconds(1);
    private static final Duration EVERY = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(Resealing.class);

    private final JdbiSealedRows rows;
    private final Resealer resealer;
    private final AtomicLong resealed = new AtomicLong();
    private volatile ScheduledExecutorService runner;

    private Resealing(JdbiSealedRows rows, Resealer resealer) {
        this.rows = rows;
        this.resealer = resealer;
    }

    /**
     * The key ring of {@code configuration} over the rows of {@code database}; throws a {@link SwitchboardException}
     * naming the missing key ids (never a key) when stored rows are sealed under keys the ring lacks.
     */
    static Resealing check(Configuration configuration, Database database, SecureRandom random) {
        SecretCipher cipher = SecretCipher.fromKeyRing(configuration.secrets().requireTokenEncryptionKey().value(),
                random);
        JdbiSealedRows rows = JdbiSealedRows.create(database);
        Resealing resealing = new Resealing(rows, Resealer.create(rows, cipher));
        SortedSet<String> missing = resealing.resealer.missingKeyIds();
        if (!missing.isEmpty()) {
            throw new SwitchboardException("stored rows are sealed under key id(s) " + String.join(", ", missing)
                    + " that " + Secrets.TOKEN_ENCRYPTION_KEYS + " / " + Secrets.TOKEN_ENCRYPTION_KEY
                    + " does not hold; add them to " + Secrets.TOKEN_ENCRYPTION_KEYS + " (active key "
                    + cipher.currentKeyId() + ")", null);
        }
        return resealing;
    }

    /** The {@code GET /internal/encryption} route. */
    RouteGroup routes() {
        return EncryptionRoutes.create(resealer::report);
    }

    /** Registers {@code switchboard_resealed_rows_total} and starts the periodic re-sealing. */
    Resealing start(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        FunctionCounter.builder("switchboard_resealed_rows", resealed, AtomicLong::get)
                .description("Rows moved to the active encryption key by this instance").register(registry);
        ScheduledExecutorService started = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "resealing");
            thread.setDaemon(true);
            return thread;
        });
        started.scheduleWithFixedDelay(this::runOnce, FIRST.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
        runner = started;
        return this;
    }

    /** Consecutive batches that move nothing before a run ends: enough to read past every remembered bad row. */
    private static final int MAX_UNMOVING_BATCHES = Resealer.MAX_REMEMBERED_UNREADABLE / BATCH + 1;

    /** One run: re-seals batches under the lock until nothing moves; false when another instance held the lock. */
    boolean runOnce() {
        try {
            return rows.runExclusively(() -> {
                long moved = 0;
                long changed = 0;
                long unreadable = 0;
                Resealer.Batch batch;
                // batches of rows that do not open move nothing but let the next ones read past them; the bound
                // ends a run that meets more of them than the resealer remembers
                int unmoving = 0;
                do {
                    batch = resealer.resealBatch(BATCH);
                    moved += batch.resealed();
                    changed += batch.changed();
                    unreadable += batch.unreadable();
                    resealed.addAndGet(batch.resealed());
                    unmoving = batch.resealed() > 0 ? 0 : unmoving + 1;
                } while (batch.read() > 0 && unmoving <= MAX_UNMOVING_BATCHES && pause());
                if (moved + changed + unreadable > 0) {
                    LOG.info("re-sealing: {} rows moved to the active key, {} changed meanwhile (retried next run), "
                            + "{} could not be opened", moved, changed, unreadable);
                }
            });
        } catch (RuntimeException e) {
            // the next run retries; the message of a store failure names the operation, never a value
            LOG.warn("re-sealing failed and will be retried: {}", e.getMessage());
            return false;
        }
    }

    /** Rests {@link #PAUSE}; false when the thread was interrupted (the server is stopping). */
    private static boolean pause() {
        try {
            Thread.sleep(PAUSE.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The rows moved by this instance so far. */
    long resealedRows() {
        return resealed.get();
    }

    @Override
    public void close() {
        ScheduledExecutorService started = runner;
        if (started != null) {
            started.shutdownNow();
        }
    }
}
