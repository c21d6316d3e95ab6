package dev.switchboard.core.oauth;

import java.util.Objects;

/** What Dialpad answered when asked which company a token belongs to. */
public sealed interface CompanyLookup {
    /** The organisation id (Dialpad's company {@code id}, as text). */
    record Found(String organisationId) implements CompanyLookup {
        public Found {
            organisationId = Connection.validOrganisationId(organisationId);
        }
    }

    /** Dialpad refused the token (401/403); {@code errorCode} is a short code. */
    record Refused(String errorCode, String description) implements CompanyLookup {
        public Refused {
            RefreshHealth.validErrorCode(errorCode);
            Objects.requireNonNull(description, "description");
        }
    }

    /** Dialpad could not be reached or answered unusably. */
    record Unavailable(String reason) implements CompanyLookup {
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
