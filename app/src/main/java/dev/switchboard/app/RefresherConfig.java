package dev.switchboard.app;

import dev.switchboard.core.oauth.RefreshPolicy;
import dev.switchboard.core.oauth.TokenRefresher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the background token refresher runs, from the environment:
 * <ul>
 *   <li>{@code REFRESH_CONCURRENCY}: the most refreshes in flight at once on one instance, 1 to 1000, default 16;</li>
 *   <li>{@code REFRESH_MIN_MARGIN_SECONDS}: refresh at least this long before expiry (but never later than half
 *       of a token's lifetime), 1 to 86400, default 300.</li>
 * </ul>
 *
 * @param concurrency   worker threads of the refresher
 * @param minimumMargin the refresh policy's minimum margin before expiry
 * @param tickInterval  how often to look for due connections when none were waiting (not configurable from the
 *                      environment; tests shorten it)
 */
public record RefresherConfig(int concurrency, Duration minimumMargin, Duration tickInterval) {
    /** The variable of {@link #concurrency()}. */
    public static final String CONCURRENCY = "REFRESH_CONCURRENCY";
    /** The variable of {@link #minimumMargin()}, in seconds. */
    public static final String MIN_MARGIN_SECONDS = "REFRESH_MIN_MARGIN_SECONDS";

    private static final int MAX_MARGIN_SECONDS = 86_400;

    public RefresherConfig {
        Objects.requireNonNull(minimumMargin, "minimumMargin");
        Objects.requireNonNull(tickInterval, "tickInterval");
        // the core records validate the ranges; building them here fails early with their message
        settings(concurrency, tickInterval);
        policy(minimumMargin);
    }

    /** 16 concurrent refreshes, a 5-minute minimum margin, a tick every second. */
    public static RefresherConfig defaults() {
        return new RefresherConfig(TokenRefresher.Settings.DEFAULT_CONCURRENCY,
                RefreshPolicy.defaults().minimumMargin(), TokenRefresher.Settings.defaults().tickInterval());
    }

    /** Reads the variables above from {@code environment}; never throws for any content of the map. */
    public static Reading read(Map<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        List<String> problems = new ArrayList<>();
        RefresherConfig defaults = defaults();
        int concurrency = intValue(environment, CONCURRENCY, defaults.concurrency(), 1, 1000, problems);
        int margin = intValue(environment, MIN_MARGIN_SECONDS, (int) defaults.minimumMargin().toSeconds(), 1,
                MAX_MARGIN_SECONDS, problems);
        if (!problems.isEmpty()) {
            return new Reading.Invalid(problems);
        }
        return new Reading.Valid(new RefresherConfig(concurrency, Duration.ofSeconds(margin),
                defaults.tickInterval()));
    }

    /** This configuration with another tick interval. */
    public RefresherConfig withTickInterval(Duration newTickInterval) {
        return new RefresherConfig(concurrency, minimumMargin, newTickInterval);
    }

    /** The refresher's settings: the default lease, grace and store retries with this concurrency and tick. */
    public TokenRefresher.Settings settings() {
        return settings(concurrency, tickInterval);
    }

    /** The default refresh policy with this minimum margin. */
    public RefreshPolicy policy() {
        return policy(minimumMargin);
    }

    private static TokenRefresher.Settings settings(int concurrency, Duration tickInterval) {
        return TokenRefresher.Settings.defaults().withConcurrency(concurrency).withTickInterval(tickInterval);
    }

    private static RefreshPolicy policy(Duration minimumMargin) {
        RefreshPolicy defaults = RefreshPolicy.defaults();
        return new RefreshPolicy(minimumMargin, defaults.lifetimeFraction(), defaults.initialBackoff(),
                defaults.maxBackoff());
    }

    private static int intValue(Map<String, String> environment, String name, int fallback, int min, int max,
                                List<String> problems) {
        String text = environment.get(name);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.strip());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below with the accepted range
        }
        problems.add(name + " must be a whole number from " + min + " to " + max);
        return fallback;
    }

    /** The outcome of {@link #read}. */
    public sealed interface Reading {
        /** The variables were absent or valid. */
        record Valid(RefresherConfig config) implements Reading {
            public Valid {
                Objects.requireNonNull(config, "config");
            }
        }

        /** One sentence per variable that was set to something unusable; none quotes the value. */
        record Invalid(List<String> problems) implements Reading {
            public Invalid {
                problems = List.copyOf(problems);
            }
        }
    }
}
