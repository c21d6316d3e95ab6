package dev.switchboard.core.testing;

import dev.switchboard.core.oauth.ConnectionSummary;
import dev.switchboard.core.oauth.ConnectionsByOrganisation;
import dev.switchboard.core.oauth.DialpadEnvironment;
import dev.switchboard.core.oauth.RefreshHealth;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Fixed answers to which apps an organisation has, for the webhook router. */
public final class OrganisationConnections {
    private OrganisationConnections() {
    }

    /**
     * The port answering from {@code organisations}, which maps an organisation id to its connected apps (oldest
     * first); an organisation not in the map has none.
     */
    public static ConnectionsByOrganisation of(Map<String, List<UUID>> organisations) {
        Map<String, List<UUID>> copy = Map.copyOf(organisations);
        return organisation -> copy.getOrDefault(organisation, List.of()).stream()
                .map(app -> new ConnectionSummary(app, organisation, Instant.EPOCH, DialpadEnvironment.SANDBOX,
                        Instant.EPOCH, Instant.EPOCH, RefreshHealth.initial(Instant.EPOCH)))
                .toList();
    }
}
