package dev.switchboard.app.config;

import static dev.switchboard.app.config.EnvironmentVariables.shown;

import dev.switchboard.http.IpRange;
import dev.switchboard.http.RateLimitConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the environment variables of the contract into a {@link Configuration}, or lists every problem.
 *
 * <p>A pure function: it reads nothing but the map it is given (no file, no DNS, no clock), so the same map always
 * gives the same result. Blank variables count as unset. Each problem is one sentence that starts with the
 * variable's name; no problem ever contains the value of a secret or of a URL that may carry credentials.
 *
 * <p>When {@code APP_ENV} itself is invalid, the rest is checked with the production rules, the strictest, so
 * that one run shows everything an operator may have to fix.
 */
public final class ConfigurationReader {
    /** Scopes requested when {@code DIALPAD_SCOPES} is unset. */
    public static final String DEFAULT_SCOPES = "calls:list recordings_export offline_access";
    /** Dialpad's sandbox host. */
    public static final String DEFAULT_SANDBOX_BASE_URL = "https://sandbox.dialpad.com";
    /** Dialpad's production host. */
    public static final String DEFAULT_PRODUCTION_BASE_URL = "https://dialpad.com";
    /** Path of the OAuth callback, appended to the public base URL for the default redirect URI. */
    public static final String CALLBACK_PATH = "/auth/dialpad/callback";

    private final EnvironmentVariables env;

    private ConfigurationReader(Map<String, String> environment) {
        this.env = new EnvironmentVariables(environment);
    }

    /** Reads {@code environment} (typically {@code System.getenv()}); never throws for any content of the map. */
    public static ConfigurationResult read(Map<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        return new ConfigurationReader(environment).read();
    }

    private ConfigurationResult read() {
        AppEnvironment appEnvironment = environment();
        boolean production = appEnvironment == AppEnvironment.PRODUCTION;
        int port = env.intValue("PORT", 4000, 1, 65_535, "a port number (1 to 65535)");
        String host = host();
        URI publicBaseUrl = publicBaseUrl(production, port);
        DialpadConfig dialpad = new DialpadSection(env).dialpad(production, publicBaseUrl);
        Secrets secrets = new SecretsSection(env).secrets(production);
        DatabaseConfig database = new DatabaseSection(env).database(production);
        EdgeSection edge = new EdgeSection(env);
        List<IpRange> trustedProxies = edge.trustedProxies();
        RateLimitConfig rateLimits = edge.rateLimits();
        LoggingConfig logging = logging();
        Optional<URI> connectSuccessUrl = env.optional("CONNECT_SUCCESS_URL")
                .flatMap(text -> env.url("CONNECT_SUCCESS_URL", text, production, true, true));
        List<String> corsOrigins = edge.corsAllowedOrigins(production);
        EdgeLimitsConfig edgeLimits = edge.edgeLimits();
        OperationsConfig operations = operations();
        if (!env.problems().isEmpty()) {
            return new ConfigurationResult.Invalid(env.problems());
        }
        return new ConfigurationResult.Valid(new Configuration(appEnvironment, host, port, publicBaseUrl, dialpad,
                secrets, database, trustedProxies, rateLimits, logging, connectSuccessUrl,
                Configuration.DEFAULT_DATA_DIRECTORY, corsOrigins, edgeLimits, operations));
    }

    private AppEnvironment environment() {
        String name = "APP_ENV";
        Optional<String> text = env.optional(name);
        if (text.isEmpty()) {
            name = "NODE_ENV";
            text = env.optional(name);
        }
        if (text.isEmpty()) {
            return AppEnvironment.SANDBOX;
        }
        String value = text.get().toLowerCase(Locale.ROOT);
        if (value.equals("sandbox")) {
            return AppEnvironment.SANDBOX;
        }
        if (value.equals("production")) {
            return AppEnvironment.PRODUCTION;
        }
        // the predecessor read NODE_ENV, where development and test meant "not production"
        if (name.equals("NODE_ENV") && Set.of("development", "dev", "test").contains(value)) {
            return AppEnvironment.SANDBOX;
        }
        env.problem(name, "is " + shown(text.get()) + ", expected sandbox or production (the other variables were "
                + "checked with the production rules)");
        return AppEnvironment.PRODUCTION;
    }

    private String host() {
        String host = env.optional("HOST").orElse("0.0.0.0");
        if (!EnvironmentVariables.HOST.matcher(host).matches()) {
            env.problem("HOST", "is " + shown(host) + ", which is not a host name or IP address");
        }
        return host;
    }

    private URI publicBaseUrl(boolean production, int port) {
        Optional<String> text = env.optional("PUBLIC_BASE_URL");
        if (text.isEmpty()) {
            if (production) {
                env.problem("PUBLIC_BASE_URL", "is required in production: the https URL at which Dialpad and "
                        + "browsers reach this server");
            }
            return URI.create("http://localhost:" + port);
        }
        return env.url("PUBLIC_BASE_URL", text.get(), production, false, false)
                .map(ConfigurationReader::withoutTrailingSlash)
                .orElse(null);
    }

    private OperationsConfig operations() {
        OperationsConfig defaults = OperationsConfig.DEFAULTS;
        int drainSeconds = env.intValue("SHUTDOWN_DRAIN_SECONDS", (int) defaults.shutdownDrain().toSeconds(), 0,
                (int) OperationsConfig.MAX_SHUTDOWN_DRAIN.toSeconds(),
                "a whole number of seconds (0 to " + OperationsConfig.MAX_SHUTDOWN_DRAIN.toSeconds() + ")");
        return new OperationsConfig(Duration.ofSeconds(drainSeconds), eventRetention(defaults.eventRetention()));
    }

    /** {@code EVENT_RETENTION} as a duration, else the older {@code EVENT_RETENTION_DAYS} as days, else the default. */
    private Duration eventRetention(Duration fallback) {
        long minimumHours = OperationsConfig.MIN_EVENT_RETENTION.toHours();
        Optional<String> text = env.optional("EVENT_RETENTION");
        if (text.isPresent()) {
            Optional<Duration> retention = OperationsConfig.parseDuration(text.get());
            if (retention.isPresent() && retention.get().compareTo(OperationsConfig.MIN_EVENT_RETENTION) >= 0) {
                return retention.get();
            }
            env.problem("EVENT_RETENTION", "is " + shown(text.get()) + ", expected a number and a unit "
                    + "(ms, s, m, h, d) of at least " + minimumHours + "h, e.g. 7d");
            return fallback;
        }
        if (env.optional("EVENT_RETENTION_DAYS").isPresent()) {
            return Duration.ofDays(env.intValue("EVENT_RETENTION_DAYS", (int) fallback.toDays(), 1, 36_500,
                    "a whole number of days (1 to 36500)"));
        }
        return fallback;
    }

    private LoggingConfig logging() {
        String level = env.optional("LOG_LEVEL").orElse("info").toLowerCase(Locale.ROOT);
        if (!LoggingConfig.LEVELS.contains(level)) {
            env.problem("LOG_LEVEL", "is " + shown(level) + ", expected one of trace, debug, info, warn, error");
            level = "info";
        }
        LoggingConfig.Format format = LoggingConfig.Format.JSON;
        Optional<String> formatText = env.optional("LOG_FORMAT");
        if (formatText.isPresent()) {
            switch (formatText.get().toLowerCase(Locale.ROOT)) {
                case "json" -> format = LoggingConfig.Format.JSON;
                case "text" -> format = LoggingConfig.Format.TEXT;
                default -> env.problem("LOG_FORMAT", "is " + shown(formatText.get()) + ", expected json or text");
            }
        }
        return new LoggingConfig(level, format);
    }

    static URI withoutTrailingSlash(URI uri) {
        String text = uri.toString();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        return URI.create(text);
    }
}
