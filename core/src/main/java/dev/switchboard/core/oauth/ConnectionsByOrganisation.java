package dev.switchboard.core.oauth;

import java.util.List;

/**
 * Port: the apps connected to a Dialpad organisation, for routing the events that arrive on the shared webhook path.
 *
 * <p>Thread-safe; infrastructure failures throw {@link dev.switchboard.core.StoreUnavailableException}. Usage:
 * {@code OrganisationRouter.create(connections::findByOrganisation, clock)}.
 */
public interface ConnectionsByOrganisation {
    /**
     * The connections to a Dialpad organisation, oldest connection first, without tokens: several apps may serve the
     * same company. Used to route events arriving on the shared webhook path.
     */
    List<ConnectionSummary> findByOrganisation(String organisationId);
}
