package dev.switchboard.app;

import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.ProcessingConfig;
import dev.switchboard.app.config.SecretValues;
import dev.switchboard.core.data.DataVersions;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.core.webhook.AppWebhookSecrets;
import dev.switchboard.core.webhook.BatchingWebhookEventStore;
import dev.switchboard.core.webhook.EventProcessor;
import dev.switchboard.core.webhook.InboxCounts;
import dev.switchboard.core.webhook.OrganisationRouter;
import dev.switchboard.core.webhook.WebhookIntake;
import dev.switchboard.core.webhook.WebhookVerifier;
import dev.switchboard.core.webhook.WebhookWriters;
import dev.switchboard.http.WebhookRejectionAudit;
import dev.switchboard.http.WebhookRoutes;
import dev.switchboard.http.WebhookSecretCache;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.JdbiAuditLog;
import dev.switchboard.persistence.JdbiConnectionStore;
import dev.switchboard.persistence.JdbiDialpadWebhookStore;
import dev.switchboard.persistence.JdbiProcessingStore;
import dev.switchboard.persistence.JdbiWebhookEventStore;
import dev.switchboard.persistence.PgEventSignal;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

/**
 * The webhook half of the server, wired with plain constructors: the intake behind the two webhook routes (with
 * group commit in front of the event table, each app's webhook secrets kept in memory, rejections audited once per
 * client, reason and minute), the cross-instance wake-up signal, the event processor with {@code EVENT_WORKERS}
 * threads (none when 0). {@link #close()} stops them in reverse order.
 */
final class EventPipeline implements AutoCloseable {
    private final PgEventSignal signal;
    private final BatchingWebhookEventStore inbox;
    private final EventProcessor processor;
    private final WebhookRoutes routes;
    private final WebhookSecretCache secrets;
    private final WebhookRejectionAudit rejectionAudit;
    private final boolean processing;
    private final JdbiWebhookEventStore table;

    private EventPipeline(PgEventSignal signal, BatchingWebhookEventStore inbox, EventProcessor processor,
                          WebhookRoutes routes, WebhookSecretCache secrets, WebhookRejectionAudit rejectionAudit,
                          boolean processing, JdbiWebhookEventStore table) {
        this.signal = signal;
        this.inbox = inbox;
        this.processor = processor;
        this.routes = routes;
        this.secrets = secrets;
        this.rejectionAudit = rejectionAudit;
        this.processing = processing;
        this.table = table;
    }

    /**
     * Builds and starts the pipeline on {@code database}; the processed changes are pushed through the database's
     * notification channel, in the transaction that stores them. {@code versions} (fed by the change notices) tells
     * when an app's cached webhook secrets are stale.
     */
    static EventPipeline start(Configuration configuration, ProcessingConfig processingConfig, Database database,
                               DataVersions versions, Clock clock, SecureRandom random) {
        SecretCipher cipher = SecretCipher.fromKeyRing(
                configuration.secrets().requireTokenEncryptionKey().value(), random);
        int workers = processingConfig.eventWorkers();
        PgEventSignal signal = PgEventSignal.start(database);
        // an instance that processes wakes its own workers in process; one that only stores wakes the others
        JdbiWebhookEventStore table = workers > 0 ? JdbiWebhookEventStore.createWithoutNotifications(database, clock)
                : JdbiWebhookEventStore.create(database, clock, signal.origin());
        BatchingWebhookEventStore inbox = BatchingWebhookEventStore.create(table, signal,
                BatchingWebhookEventStore.Settings.DEFAULTS);
        WebhookWriters.start(inbox);
        OrganisationRouter router = OrganisationRouter.create(JdbiConnectionStore.create(database, cipher), clock);
        WebhookSecretCache secrets = WebhookSecretCache.over(AppWebhookSecrets.reading(
                JdbiDialpadWebhookStore.create(database, cipher, clock), JdbiAppStore.create(database, clock)),
                versions);
        WebhookIntake intake = WebhookIntake.create(WebhookVerifier.create(clock),
                SecretValues.of(configuration.secrets().requireDialpadWebhookSecret()), router, secrets, inbox, clock);
        EventProcessor processor = EventProcessor.create(inbox, JdbiProcessingStore.create(database, clock), router,
                signal, clock, EventProcessor.Settings.defaults(instanceName(), Math.max(1, workers)));
        if (workers > 0) {
            processor.start();
            // the events this instance stores go straight to its processor, leased, without a claim
            inbox.handOffTo(processor);
        }
        WebhookRejectionAudit rejectionAudit = WebhookRejectionAudit.start(JdbiAuditLog.create(database), clock);
        return new EventPipeline(signal, inbox, processor, WebhookRoutes.create(intake, rejectionAudit), secrets,
                rejectionAudit, workers > 0, table);
    }

    /** The backlog, the failed events and the oldest waiting event, counted in the database now. */
    InboxCounts counts() {
        return table.counts();
    }

    /** The webhook routes to mount on the HTTP server (they count their outcomes). */
    WebhookRoutes routes() {
        return routes;
    }

    /** The per-app webhook secrets the intake reads through; writers of webhooks go through its store. */
    WebhookSecretCache secrets() {
        return secrets;
    }

    /** Where rejected deliveries are counted into the audit trail. */
    WebhookRejectionAudit rejectionAudit() {
        return rejectionAudit;
    }

    /** The processor (running only when {@code EVENT_WORKERS} is above 0). */
    EventProcessor processor() {
        return processor;
    }

    /** A name for this instance's leases: host, process id and a random suffix, unique per start. */
    private static String instanceName() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "unknown-host";
        }
        String name = Optional.ofNullable(host).orElse("unknown-host") + "-" + ProcessHandle.current().pid() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        return name.length() > 200 ? name.substring(name.length() - 200) : name;
    }

    /**
     * Stops the intake's writers (after they wrote every event accepted before), then processing (releasing the events
     * handed to this instance and not processed), then the listener, and writes the rejections counted so far into
     * the audit trail.
     */
    @Override
    public void close() {
        try {
            // the writers first: what they still write is handed to the processor, which releases it when it stops
            inbox.close();
        } finally {
            try {
                if (processing) {
                    processor.close();
                }
            } finally {
                try {
                    signal.close();
                } finally {
                    rejectionAudit.close();
                }
            }
        }
    }
}
