package dev.switchboard.app;

import dev.switchboard.core.audit.AuditExport;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.core.webhook.DialpadWebhookProvisioner;
import dev.switchboard.core.webhook.DialpadWebhookStore;
import dev.switchboard.core.webhook.WebhookSecretRotator;
import dev.switchboard.dialpad.DialpadEndpoints;
import dev.switchboard.dialpad.DialpadWebhooksClient;
import dev.switchboard.http.AuditExportRoutes;
import dev.switchboard.http.DialpadWebhookRoutes;
import dev.switchboard.http.RouteGroup;
import dev.switchboard.http.UserMappingRoutes;
import dev.switchboard.http.VoicemailRoutes;
import dev.switchboard.http.WebhookSecretCache;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.JdbiAuditLog;
import dev.switchboard.persistence.JdbiConnectionStore;
import dev.switchboard.persistence.JdbiDialpadWebhookStore;
import dev.switchboard.persistence.JdbiUserMappingStore;
import dev.switchboard.persistence.JdbiVoicemailStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;

/**
 * Wires the per-app administration with plain constructors: user mappings, voicemails, Dialpad webhooks (through
 * the Dialpad host of the configured environment) and the audit export, each a route group under {@code /internal}.
 */
final class AdministrationWiring {
    private AdministrationWiring() {
    }

    /**
     * The route groups. They register no bearer check of their own: the one before-handler of {@code /internal/*}
     * comes with {@link dev.switchboard.http.AppRoutes} (see {@link OAuthWiring}), so it runs exactly once. Webhooks
     * are written through {@code secrets}' store, so that the webhook path of this instance uses a changed secret at
     * once.
     */
    static List<RouteGroup> routes(Configuration configuration, Database database, WebhookSecretCache secrets,
                                   SecureRandom random, Clock clock) {
        SecretCipher cipher = SecretCipher.fromKeyRing(
                configuration.secrets().requireTokenEncryptionKey().value(), random);
        JdbiAppStore apps = JdbiAppStore.create(database, clock);
        JdbiAuditLog audit = JdbiAuditLog.create(database);
        DialpadWebhookStore webhooks = secrets.invalidatingOnWrite(
                JdbiDialpadWebhookStore.create(database, cipher, clock));
        JdbiConnectionStore connections = JdbiConnectionStore.create(database, cipher);
        DialpadWebhooksClient dialpad = DialpadWebhooksClient.create(
                DialpadEndpoints.of(configuration.dialpad().baseUrl().toString()));
        DialpadWebhookProvisioner provisioner = DialpadWebhookProvisioner.create(apps, connections, dialpad,
                webhooks, audit, configuration.publicBaseUrl(), random, clock);
        WebhookSecretRotator rotator = WebhookSecretRotator.create(connections, dialpad, webhooks, audit, random,
                clock);
        return List.of(
                UserMappingRoutes.create(apps, JdbiUserMappingStore.create(database, clock), audit, clock),
                VoicemailRoutes.create(apps, JdbiVoicemailStore.create(database)),
                DialpadWebhookRoutes.create(apps, webhooks, provisioner, rotator),
                AuditExportRoutes.create(AuditExport.over(audit), id -> apps.find(id).isPresent()));
    }
}
