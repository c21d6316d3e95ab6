package dev.switchboard.app;

import dev.switchboard.core.apikey.ApiKeyAuthenticator;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.data.DataVersions;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.SecretValues;
import dev.switchboard.http.ApiKeyRoutes;
import dev.switchboard.http.AppAuthenticator;
import dev.switchboard.http.DataApiRoutes;
import dev.switchboard.http.InternalAuth;
import dev.switchboard.http.RouteGroup;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.JdbiApiKeyStore;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.JdbiAuditLog;
import dev.switchboard.persistence.JdbiCallStore;
import dev.switchboard.persistence.JdbiMessageStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;

/**
 * Wires API keys and the data API with plain constructors: the key store, core's authenticator behind the cached
 * {@link AppAuthenticator} (which {@code /ws} reuses), the key administration and introspection routes, and
 * {@code /api/*}.
 *
 * @param authenticator the one cached key check of this instance
 * @param routes        the route groups to add to the server
 */
record ApiWiring(AppAuthenticator authenticator, List<RouteGroup> routes) {
    ApiWiring {
        routes = List.copyOf(routes);
    }

    /**
     * The wiring on {@code database}; {@code versions} (the push listener's change notices) lets {@code /api/*} reuse
     * an answer while the app's data has not changed.
     */
    static ApiWiring create(Configuration configuration, Database database, DataVersions versions,
                            SecureRandom random, Clock clock) {
        ApiKeys apiKeys = ApiKeys.create(random);
        JdbiApiKeyStore keyStore = JdbiApiKeyStore.create(database);
        AppAuthenticator authenticator = AppAuthenticator.create(ApiKeyAuthenticator.create(apiKeys, keyStore, clock),
                keyStore, keyStore, AppAuthenticator.Settings.defaults());
        InternalAuth internalAuth = InternalAuth.withSecrets(
                SecretValues.of(configuration.secrets().requireInternalApiSecret()));
        RouteGroup keys = ApiKeyRoutes.create(JdbiAppStore.create(database, clock), apiKeys, keyStore, authenticator,
                JdbiAuditLog.create(database), internalAuth, clock);
        RouteGroup data = DataApiRoutes.create(authenticator, JdbiCallStore.create(database, clock),
                JdbiMessageStore.create(database), versions);
        return new ApiWiring(authenticator, List.of(keys, data));
    }
}
