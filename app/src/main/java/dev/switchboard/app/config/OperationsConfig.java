package dev.switchboard.app.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the server stops and how long it keeps what it has processed.
 *
 * @param shutdownDrain  how long, after SIGTERM, {@code /ready} answers 503 while requests are still served, so that a
 *                       load balancer stops sending before the port closes ({@code SHUTDOWN_DRAIN_SECONDS}, default
 *                       10 s; 0 stops at once)
 * @param eventRetention how long a processed inbound event is kept after it was received ({@code EVENT_RETENTION},
 *                       default 7 days; at least {@link #MIN_EVENT_RETENTION})
 */
public record OperationsConfig(Duration shutdownDrain, Duration eventRetention) {
    /** Longest drain accepted: an orchestrator's grace period is rarely longer. */
    public static final Duration MAX_SHUTDOWN_DRAIN = Duration.ofMinutes(10);
    /**
     * Shortest retention accepted. A stored event is also what recognises Dialpad's redelivery of it (seconds later,
     * three times at most): an hour keeps that window with a wide margin, whatever is configured.
     */
    public static final Duration MIN_EVENT_RETENTION = Duration.ofHours(1);
    /** Ten seconds of drain and seven days of retention. */
    public static final OperationsConfig DEFAULTS = new OperationsConfig(Duration.ofSeconds(10), Duration.ofDays(7));

    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");

    public OperationsConfig {
        Objects.requireNonNull(shutdownDrain, "shutdownDrain");
        Objects.requireNonNull(eventRetention, "eventRetention");
        if (shutdownDrain.isNegative() || shutdownDrain.compareTo(MAX_SHUTDOWN_DRAIN) > 0) {
            throw new IllegalArgumentException("the shutdown drain must be between 0 and " + MAX_SHUTDOWN_DRAIN);
        }
        if (eventRetention.compareTo(MIN_EVENT_RETENTION) < 0) {
            throw new IllegalArgumentException("the event retention must be at least " + MIN_EVENT_RETENTION);
        }
    }

    /** This configuration with another drain (tests use 0 or a second). */
    public OperationsConfig withShutdownDrain(Duration newDrain) {
        return new OperationsConfig(newDrain, eventRetention);
    }

    /** This configuration with another retention of processed events. */
    public OperationsConfig withEventRetention(Duration newRetention) {
        return new OperationsConfig(shutdownDrain, newRetention);
    }

    /**
     * A duration written as a whole number and a unit, {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}
     * (e.g. {@code 7d}, {@code 90m}); empty when {@code text} is not one.
     */
    public static Optional<Duration> parseDuration(String text) {
        Matcher matcher = DURATION.matcher(Objects.requireNonNull(text, "text").strip().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            return Optional.empty();
        }
        long amount = Long.parseLong(matcher.group(1));
        return Optional.of(switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        });
    }
}
