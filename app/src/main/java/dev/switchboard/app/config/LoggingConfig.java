package dev.switchboard.app.config;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * How the server logs: the threshold ({@code LOG_LEVEL}: trace, debug, info, warn, error) and the line format
 * ({@code LOG_FORMAT}: one JSON object per line, or plain text for a developer's terminal).
 */
public record LoggingConfig(String level, Format format) {
    /** The accepted levels, lower-case. */
    public static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error");
    /** info, json. */
    public static final LoggingConfig DEFAULTS = new LoggingConfig("info", Format.JSON);

    public LoggingConfig {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(format, "format");
        level = level.toLowerCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            throw new IllegalArgumentException("unknown log level");
        }
    }

    /** The line format. */
    public enum Format {
        JSON, TEXT;

        /** Lower-case name, as in {@code LOG_FORMAT}. */
        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
