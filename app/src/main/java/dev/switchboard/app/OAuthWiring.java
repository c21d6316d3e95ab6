package dev.switchboard.app;

import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.DialpadConfig;
import dev.switchboard.app.config.SecretValues;
import dev.switchboard.core.oauth.BrowserBinding;
import dev.switchboard.core.oauth.ConnectTokenStore;
import dev.switchboard.core.oauth.ConnectionStore;
import dev.switchboard.core.oauth.DialpadConnections;
import dev.switchboard.core.oauth.DialpadEnvironment;
import dev.switchboard.core.oauth.OAuthFlows;
import dev.switchboard.core.oauth.Pkce;
import dev.switchboard.core.oauth.RefreshPolicy;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.dialpad.DialpadClientSettings;
import dev.switchboard.dialpad.DialpadEndpoints;
import dev.switchboard.dialpad.NimbusDialpadClient;
import dev.switchboard.http.AppRoutes;
import dev.switchboard.http.InternalAuth;
import dev.switchboard.http.OAuthRoutes;
import dev.switchboard.http.RouteGroup;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.JdbiApiKeyStore;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.JdbiAuditLog;
import dev.switchboard.persistence.JdbiConnectTokenStore;
import dev.switchboard.persistence.JdbiConnectionStore;
import dev.switchboard.persistence.JdbiOAuthFlowStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the OAuth lifecycle and app administration with plain constructors: the stores on {@code database}, the
 * Dialpad client of the configured environment, the core services, and their route groups.
 */
final class OAuthWiring {
    private static final Logger LOG = LoggerFactory.getLogger(OAuthWiring.class);

    private OAuthWiring() {
    }

    /** The route groups of the Dialpad connection ({@code /auth/dialpad/*} and the app administration under {@code /internal}). */
    static List<RouteGroup> routes(Configuration configuration, Database database, SecureRandom random, Clock clock) {
        SecretCipher cipher = SecretCipher.fromKeyRing(
                configuration.secrets().requireTokenEncryptionKey().value(), random);
        JdbiAppStore apps = JdbiAppStore.create(database, clock);
        JdbiAuditLog audit = JdbiAuditLog.create(database);
        ConnectionStore connections = JdbiConnectionStore.create(database, cipher);
        ConnectTokenStore connectTokens = JdbiConnectTokenStore.create(database);
        OAuthFlows flows = flows(configuration, database, apps, connectTokens, cipher, audit, random, clock);
        InternalAuth internalAuth = InternalAuth.withSecrets(
                SecretValues.of(configuration.secrets().requireInternalApiSecret()));

        RouteGroup oauth;
        DialpadConfig dialpad = configuration.dialpad();
        if (dialpad.client().isPresent()) {
            DialpadConfig.Client client = dialpad.client().get();
            NimbusDialpadClient dialpadClient = NimbusDialpadClient.create(DialpadClientSettings.of(
                    DialpadEndpoints.of(dialpad.baseUrl().toString()), client.clientId(),
                    client.clientSecret().value(), dialpad.redirectUri()));
            DialpadConnections dialpadConnections = DialpadConnections.create(dialpadClient, connections, connectTokens,
                    apps, audit, RefreshPolicy.defaults(), environment(configuration), clock);
            oauth = OAuthRoutes.create(flows, dialpadConnections, dialpadClient, internalAuth,
                    new OAuthRoutes.Settings(dialpad.scopes(), configuration.production(),
                            configuration.connectSuccessUrl()));
        } else {
            LOG.warn("no Dialpad OAuth client is configured (DIALPAD_{}_CLIENT_ID and _CLIENT_SECRET): "
                    + "/auth/dialpad/* answers 503 after its own checks",
                    configuration.production() ? "PROD" : "SANDBOX");
            oauth = OAuthRoutes.unconfigured(apps, internalAuth);
        }
        AppRoutes admin = AppRoutes.create(apps, ApiKeys.create(random), JdbiApiKeyStore.create(database), connections,
                flows, audit, internalAuth, configuration.publicBaseUrl(), clock);
        return List.of(oauth, admin);
    }

    /**
     * The OAuth flows on {@code database}: what issues connect links (the internal API's and the command line's) and
     * runs each connection's authorisation.
     */
    static OAuthFlows flows(Configuration configuration, Database database, SecureRandom random, Clock clock) {
        SecretCipher cipher = SecretCipher.fromKeyRing(
                configuration.secrets().requireTokenEncryptionKey().value(), random);
        return flows(configuration, database, JdbiAppStore.create(database, clock),
                JdbiConnectTokenStore.create(database), cipher, JdbiAuditLog.create(database), random, clock);
    }

    private static OAuthFlows flows(Configuration configuration, Database database, JdbiAppStore apps,
                                    ConnectTokenStore connectTokens, SecretCipher cipher, JdbiAuditLog audit,
                                    SecureRandom random, Clock clock) {
        Pkce pkce = Pkce.using(random);
        return OAuthFlows.create(apps, connectTokens, JdbiOAuthFlowStore.create(database, cipher),
                BrowserBinding.of(configuration.secrets().requireSessionSecret().value(), random), pkce::newVerifier, audit, clock, random);
    }

    private static DialpadEnvironment environment(Configuration configuration) {
        return configuration.production() ? DialpadEnvironment.PRODUCTION : DialpadEnvironment.SANDBOX;
    }
}
