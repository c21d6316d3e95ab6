package dev.switchboard.core.apps;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** A tenant: one company's app (a CRM, a helpdesk) that Switchboard serves. */
public record App(UUID id, String name, boolean active, Instant createdAt) {
    /** Longest name accepted, in characters. */
    public static final int MAX_NAME_LENGTH = 200;

    public App {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(createdAt, "createdAt");
        name = validName(name);
    }

    /** Trims and checks an app name: 1 to {@link #MAX_NAME_LENGTH} characters, no control characters. */
    public static String validName(String name) {
        Objects.requireNonNull(name, "name");
        String trimmed = name.strip();
        if (trimmed.isEmpty() || trimmed.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("an app name must have 1 to " + MAX_NAME_LENGTH + " characters");
        }
        if (trimmed.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("an app name must not contain control characters");
        }
        return trimmed;
    }
}
