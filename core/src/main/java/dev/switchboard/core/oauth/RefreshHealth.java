package dev.switchboard.core.oauth;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How background refreshing of one connection is going; shown by {@code GET /internal/apps/{id}}. Holds no secret.
 *
 * @param lastSuccessAt       the last successful refresh
 * @param lastFailureAt       the last failed refresh
 * @param consecutiveFailures failures since the last success (drives the backoff)
 * @param lastErrorCode       a short code of the last failure ({@code invalid_grant}, {@code unavailable}), never a
 *                            provider's message
 * @param needsReconnect      true once Dialpad refused the refresh token for good: no more attempts are made, an
 *                            operator must send a new connect link
 * @param nextAttemptAt       when the next refresh is due
 */
public record RefreshHealth(Optional<Instant> lastSuccessAt, Optional<Instant> lastFailureAt, int consecutiveFailures,
                            Optional<String> lastErrorCode, boolean needsReconnect, Instant nextAttemptAt) {
    private static final Pattern ERROR_CODE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    public RefreshHealth {
        Objects.requireNonNull(lastSuccessAt, "lastSuccessAt");
        Objects.requireNonNull(lastFailureAt, "lastFailureAt");
        Objects.requireNonNull(lastErrorCode, "lastErrorCode");
        Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        if (consecutiveFailures < 0) {
            throw new IllegalArgumentException("consecutive failures cannot be negative");
        }
        lastErrorCode.ifPresent(RefreshHealth::validErrorCode);
    }

    /** The health of a connection just made: nothing tried yet, first refresh due at {@code nextAttemptAt}. */
    public static RefreshHealth initial(Instant nextAttemptAt) {
        return new RefreshHealth(Optional.empty(), Optional.empty(), 0, Optional.empty(), false, nextAttemptAt);
    }

    /**
     * Returns {@code code} when it is a short code (1 to 64 of {@code A-Z a-z 0-9 _ . : -}); throws
     * IllegalArgumentException otherwise, so a provider's free text cannot end up stored or shown.
     */
    public static String validErrorCode(String code) {
        Objects.requireNonNull(code, "code");
        if (!ERROR_CODE.matcher(code).matches()) {
            throw new IllegalArgumentException("an error code must be 1 to 64 characters of A-Z a-z 0-9 _ . : -");
        }
        return code;
    }
}
