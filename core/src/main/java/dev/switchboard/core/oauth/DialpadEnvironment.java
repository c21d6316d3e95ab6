package dev.switchboard.core.oauth;

import java.util.Locale;
import java.util.Optional;

/** Which Dialpad a connection was made with: its tokens only work against that host. */
public enum DialpadEnvironment {
    SANDBOX,
    PRODUCTION;

    /** The lowercase name used in configuration, responses and the database: {@code sandbox}, {@code production}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The environment whose {@link #code()} is {@code code}, or empty. */
    public static Optional<DialpadEnvironment> fromCode(String code) {
        for (DialpadEnvironment environment : values()) {
            if (environment.code().equals(code)) {
                return Optional.of(environment);
            }
        }
        return Optional.empty();
    }
}
