package dev.switchboard.core.users;

/**
 * Map Dialpad user {@code dialpadUserId} to CRM user {@code crmUserId}. Each id is trimmed and must have 1 to
 * {@link #MAX_ID_LENGTH} characters without control characters (IllegalArgumentException otherwise).
 */
public record UserMappingRequest(String dialpadUserId, String crmUserId) {
    /** Longest id accepted. */
    public static final int MAX_ID_LENGTH = 255;

    public UserMappingRequest {
        dialpadUserId = check("dialpadUserId", dialpadUserId);
        crmUserId = check("crmUserId", crmUserId);
    }

    /** Whether {@code value} is acceptable as a Dialpad or CRM user id (after trimming), as this record checks it. */
    public static boolean isValidId(String value) {
        if (value == null) {
            return false;
        }
        String trimmed = value.strip();
        return !trimmed.isEmpty() && trimmed.length() <= MAX_ID_LENGTH
                && trimmed.chars().noneMatch(Character::isISOControl);
    }

    static String check(String name, String value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        if (!isValidId(value)) {
            throw new IllegalArgumentException(name + " must have 1 to " + MAX_ID_LENGTH
                    + " characters and no control characters");
        }
        return value.strip();
    }
}
