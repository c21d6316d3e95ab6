package dev.switchboard.core.oauth;

import java.util.Objects;
import java.util.UUID;

/**
 * Result of {@link DialpadConnections#finish} and {@link DialpadConnections#declined}. Expected failures are values;
 * the HTTP adapter turns each into its status code.
 */
public sealed interface ConnectOutcome {
    /** The connection is stored, with its tokens encrypted by the store. */
    record Connected(UUID appId, String organisationId, DialpadEnvironment environment) implements ConnectOutcome {
        public Connected {
            Objects.requireNonNull(appId, "appId");
            Objects.requireNonNull(organisationId, "organisationId");
            Objects.requireNonNull(environment, "environment");
        }
    }

    /** The user refused consent at Dialpad ({@code error=access_denied}). */
    record ConsentDenied() implements ConnectOutcome {
    }

    /** Dialpad answered the authorization request with another error; {@code error} is a short safe code. */
    record AuthorizationFailed(String error) implements ConnectOutcome {
        public AuthorizationFailed {
            Objects.requireNonNull(error, "error");
        }
    }

    /** The token endpoint refused the code (RFC 6749 section 5.2), e.g. {@code invalid_grant}. */
    record ExchangeRefused(String errorCode) implements ConnectOutcome {
        public ExchangeRefused {
            RefreshHealth.validErrorCode(errorCode);
        }
    }

    /**
     * The token response cannot be used; a missing refresh token
     * ({@link TokenResponseCheck.Failure#MISSING_REFRESH_TOKEN}) means the {@code offline_access} scope was not
     * granted, which {@link #message()} says.
     */
    record InvalidTokenResponse(TokenResponseCheck.Failure failure) implements ConnectOutcome {
        public InvalidTokenResponse {
            Objects.requireNonNull(failure, "failure");
        }

        /** One human sentence naming what was wrong; never contains a token. */
        public String message() {
            return failure.message();
        }
    }

    /** Dialpad could not be reached or answered unusably (token or company endpoint). */
    record DialpadUnavailable() implements ConnectOutcome {
    }

    /** Dialpad issued tokens but refused to say which organisation they belong to. */
    record OrganisationLookupFailed() implements ConnectOutcome {
    }

    /**
     * The connect link names organisation {@code expected} and Dialpad says the consent was given for
     * {@code actual}: nothing is stored, and the grant is revoked.
     */
    record OrganisationMismatch(String expected, String actual) implements ConnectOutcome {
        public OrganisationMismatch {
            Objects.requireNonNull(expected, "expected");
            Objects.requireNonNull(actual, "actual");
        }
    }

    /**
     * Another flow of the same connect link completed a connection first: nothing is stored, and the grant is
     * revoked.
     */
    record LinkUsed() implements ConnectOutcome {
    }

    /** The app no longer exists. */
    record AppNotFound() implements ConnectOutcome {
    }

    /** The app was deactivated while the flow was under way. */
    record AppInactive() implements ConnectOutcome {
    }
}
