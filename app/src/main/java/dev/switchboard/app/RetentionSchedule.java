package dev.switchboard.app;

import dev.switchboard.app.config.Configuration;
import dev.switchboard.core.data.Retention;
import dev.switchboard.core.oauth.OAuthFlows;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.core.webhook.UnroutedEventExpiry;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.JdbiConnectTokenStore;
import dev.switchboard.persistence.JdbiOAuthFlowStore;
import dev.switchboard.persistence.JdbiWebhookEventStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The server's retention jobs on {@code database}, run a minute after start and then hourly on a daemon thread of
 * every instance (each job's store lets one instance at a time do the work): processed inbound events older than
 * {@code EVENT_RETENTION}, events of an organisation no app connects after seven days
 * ({@link UnroutedEventExpiry}), and expired OAuth flows and connect links (also purged whenever a link is issued).
 * {@link #close()} stops the thread.
 */
final class RetentionSchedule implements AutoCloseable {
    /** Delay before the first pass after start, and between passes. */
    private static final Duration FIRST = Duration.ofMinutes(1);
    private static final Duration EVERY = Duration.ofHours(1);

    private final Retention retention;
    private final ScheduledExecutorService runner;

    private RetentionSchedule(Retention retention, ScheduledExecutorService runner) {
        this.retention = retention;
        this.runner = runner;
    }

    /** The jobs of {@code configuration} on {@code database}, reading the time from {@code clock}. */
    static Retention jobs(Configuration configuration, Database database, Clock clock, SecureRandom random) {
        JdbiWebhookEventStore events = JdbiWebhookEventStore.createWithoutNotifications(database, clock);
        UnroutedEventExpiry unrouted = UnroutedEventExpiry.create(events, clock);
        JdbiOAuthFlowStore flows = JdbiOAuthFlowStore.create(database, SecretCipher.fromKeyRing(
                configuration.secrets().requireTokenEncryptionKey().value(), random));
        JdbiConnectTokenStore links = JdbiConnectTokenStore.create(database);
        return Retention.of(List.of(
                Retention.Job.olderThan("processed webhook events", configuration.operations().eventRetention(),
                        clock, events::deleteProcessedBefore),
                new Retention.Job("unrouted webhook events", unrouted::purge),
                new Retention.Job("expired OAuth flows and connect links",
                        () -> OAuthFlows.purgeExpired(flows, links, clock.instant()))));
    }

    /** Starts running {@code retention} periodically. */
    static RetentionSchedule start(Retention retention) {
        ScheduledExecutorService runner = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "retention");
            thread.setDaemon(true);
            return thread;
        });
        // runOnce logs and survives each job's failure, so a pass never ends the schedule
        runner.scheduleWithFixedDelay(retention::runOnce, FIRST.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return new RetentionSchedule(retention, runner);
    }

    /** The jobs this schedule runs. */
    Retention retention() {
        return retention;
    }

    @Override
    public void close() {
        runner.shutdownNow();
    }
}
