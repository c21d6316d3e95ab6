package dev.switchboard.core.webhook;

import dev.switchboard.core.json.Payloads;
import dev.switchboard.core.oauth.ConnectionsByOrganisation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the apps an event of the shared webhook path belongs to, from the Dialpad organisation (company) it names.
 *
 * <p>DIALPAD.md does not pin which payload field carries the company id, so the candidates are read in this order,
 * each an integral number or a string: {@code company_id}, {@code organization_id}, {@code organisation_id},
 * {@code target.company_id}, {@code target.office_id}. The first candidate to which at least one app is connected
 * (the organisation id stored by the OAuth callback, {@link ConnectionsByOrganisation#findByOrganisation}) routes the event,
 * to every app connected to it (several apps may serve one company). When none matches, the event is unrouted and
 * its organisation id is the first candidate present, or none.
 *
 * <p>Look-ups that found apps are remembered for {@link #CACHE_TTL}, so a burst of deliveries costs no query per
 * event; look-ups that found none are never cached, so an app connected a moment ago gets its next event (and the
 * processor re-routes unrouted events, see {@link EventProcessor}). An event kept unrouted goes only to the apps
 * whose connection existed when it was received ({@link #appsConnectedBy}): an organisation's past events never
 * reach an app that connects it later. Thread-safe.
 */
public final class OrganisationRouter {
    /** How long a found routing is reused. */
    public static final Duration CACHE_TTL = Duration.ofSeconds(10);
    private static final List<String> TOP_LEVEL = List.of("company_id", "organization_id", "organisation_id");
    private static final List<String> IN_TARGET = List.of("company_id", "office_id");

    /** Where an event goes: the apps (possibly none) and the organisation id to store with it. */
    public record Route(List<UUID> appIds, Optional<String> organisationId) {
        public Route {
            appIds = List.copyOf(appIds);
            Objects.requireNonNull(organisationId, "organisationId");
        }

        /** True when no app takes the event. */
        public boolean unrouted() {
            return appIds.isEmpty();
        }
    }

    /** An app connected to the organisation, and since when. */
    private record Connected(UUID appId, Instant connectedAt) {
    }

    private record Cached(List<Connected> connections, Instant until) {
    }

    private final ConnectionsByOrganisation connections;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private OrganisationRouter(ConnectionsByOrganisation connections, Clock clock) {
        this.connections = connections;
        this.clock = clock;
    }

    /** A router reading connections from {@code connections}. */
    public static OrganisationRouter create(ConnectionsByOrganisation connections, Clock clock) {
        return new OrganisationRouter(Objects.requireNonNull(connections, "connections"),
                Objects.requireNonNull(clock, "clock"));
    }

    /**
     * The route of a verified payload. Throws {@link dev.switchboard.core.StoreUnavailableException} when the
     * connections cannot be read; a candidate field of an unusable type is skipped, never an error.
     */
    public Route route(Map<String, Object> payload) {
        Objects.requireNonNull(payload, "payload");
        List<String> candidates = candidates(payload);
        for (String organisationId : candidates) {
            List<UUID> apps = appsOf(organisationId);
            if (!apps.isEmpty()) {
                return new Route(apps, Optional.of(organisationId));
            }
        }
        return new Route(List.of(), candidates.stream().findFirst());
    }

    /** The apps connected to this organisation now (cached when there are some). */
    public List<UUID> appsOf(String organisationId) {
        return connectionsOf(organisationId).stream().map(Connected::appId).distinct().toList();
    }

    /**
     * The apps whose connection to this organisation existed at {@code receivedAt} (connected at or before it): where
     * an event kept unrouted since {@code receivedAt} may go. An app connected after the event arrived never gets
     * it, so a connection does not inherit what the organisation sent before it existed.
     */
    public List<UUID> appsConnectedBy(String organisationId, Instant receivedAt) {
        Objects.requireNonNull(receivedAt, "receivedAt");
        return connectionsOf(organisationId).stream().filter(c -> !c.connectedAt().isAfter(receivedAt))
                .map(Connected::appId).distinct().toList();
    }

    private List<Connected> connectionsOf(String organisationId) {
        Instant now = clock.instant();
        Cached cached = cache.get(organisationId);
        if (cached != null && now.isBefore(cached.until())) {
            return cached.connections();
        }
        List<Connected> found = connections.findByOrganisation(organisationId).stream()
                .map(c -> new Connected(c.appId(), c.connectedAt())).toList();
        if (found.isEmpty()) {
            cache.remove(organisationId);
        } else {
            if (cache.size() > 10_000) {
                cache.clear();
            }
            cache.put(organisationId, new Cached(found, now.plus(CACHE_TTL)));
        }
        return found;
    }

    /** The organisation ids the payload names, in the documented order, without repeats. */
    static List<String> candidates(Map<String, Object> payload) {
        List<String> ids = new ArrayList<>();
        for (String field : TOP_LEVEL) {
            read(payload, field).filter(id -> !ids.contains(id)).ifPresent(ids::add);
        }
        if (payload.get("target") instanceof Map<?, ?> target) {
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = (Map<String, Object>) target;
            for (String field : IN_TARGET) {
                read(fields, field).filter(id -> !ids.contains(id)).ifPresent(ids::add);
            }
        }
        return ids;
    }

    private static Optional<String> read(Map<String, Object> map, String field) {
        try {
            return Payloads.id(map, field).filter(id -> id.length() <= 128);
        } catch (Payloads.FieldException e) {
            return Optional.empty();
        }
    }
}
