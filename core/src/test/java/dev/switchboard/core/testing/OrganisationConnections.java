package dev.switchboard.core.testing;

import dev.switchboard.core.oauth.ConnectionStore;
import dev.switchboard.core.oauth.ConnectionSummary;
import dev.switchboard.core.oauth.DialpadEnvironment;
import dev.switchboard.core.oauth.RefreshHealth;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Connection stores that answer which apps an organisation has, for the webhook router. */
public final class OrganisationConnections {
    private OrganisationConnections() {
    }

    /**
     * A connection store where {@code organisations} maps an organisation id to its connected apps; it answers
     * {@link ConnectionStore#findByOrganisation} only, all else throws UnsupportedOperationException.
     */
    public static ConnectionStore of(Map<String, List<UUID>> organisations) {
        return (ConnectionStore) Proxy.newProxyInstance(ConnectionStore.class.getClassLoader(),
                new Class<?>[] {ConnectionStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("findByOrganisation")) {
                        String org = (String) args[0];
                        return organisations.getOrDefault(org, List.of()).stream()
                                .map(app -> new ConnectionSummary(app, org, Instant.EPOCH, DialpadEnvironment.SANDBOX,
                                        Instant.EPOCH, Instant.EPOCH, RefreshHealth.initial(Instant.EPOCH)))
                                .toList();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
