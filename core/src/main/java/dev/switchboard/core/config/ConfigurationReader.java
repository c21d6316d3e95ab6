package dev.switchboard.core.config;

import dev.switchboard.core.secrets.SecretCipher;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

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

    private static final int MAX_RATE_LIMIT = 1_000_000;
    private static final int MAX_EDGE_LIMIT = 100_000;
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]{1,253}|\\[[0-9A-Fa-f:.]+]|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");
    private static final Pattern CLIENT_ID = Pattern.compile("[\\x21-\\x7E]{1,200}");
    private static final List<String> DB_VARIABLES = List.of("DB_HOST", "DB_PORT", "DB_USER", "DB_PASSWORD", "DB_NAME");
    private static final List<String> PG_VARIABLES = List.of("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE");

    private final Map<String, String> environment;
    private final List<String> problems = new ArrayList<>();

    private ConfigurationReader(Map<String, String> environment) {
        this.environment = environment;
    }

    /** Reads {@code environment} (typically {@code System.getenv()}); never throws for any content of the map. */
    public static ConfigurationResult read(Map<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        return new ConfigurationReader(environment).read();
    }

    private ConfigurationResult read() {
        AppEnvironment env = environment();
        boolean production = env == AppEnvironment.PRODUCTION;
        int port = intValue("PORT", 4000, 1, 65_535, "a port number (1 to 65535)");
        String host = host();
        URI publicBaseUrl = publicBaseUrl(production, port);
        DialpadConfig dialpad = dialpad(production, publicBaseUrl);
        Secrets secrets = secrets(production);
        DatabaseConfig database = database(production);
        List<IpRange> trustedProxies = trustedProxies();
        RateLimitConfig rateLimits = rateLimits();
        LoggingConfig logging = logging();
        Optional<URI> connectSuccessUrl = optional("CONNECT_SUCCESS_URL")
                .flatMap(text -> url("CONNECT_SUCCESS_URL", text, production, true, true));
        List<String> corsOrigins = corsAllowedOrigins(production);
        EdgeLimitsConfig edgeLimits = edgeLimits();
        OperationsConfig operations = operations();
        if (!problems.isEmpty()) {
            return new ConfigurationResult.Invalid(problems);
        }
        return new ConfigurationResult.Valid(new Configuration(env, host, port, publicBaseUrl, dialpad, secrets,
                database, trustedProxies, rateLimits, logging, connectSuccessUrl,
                Configuration.DEFAULT_DATA_DIRECTORY, corsOrigins, edgeLimits, operations));
    }

    private AppEnvironment environment() {
        String name = "APP_ENV";
        Optional<String> text = optional(name);
        if (text.isEmpty()) {
            name = "NODE_ENV";
            text = optional(name);
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
        problem(name, "is " + shown(text.get()) + ", expected sandbox or production (the other variables were "
                + "checked with the production rules)");
        return AppEnvironment.PRODUCTION;
    }

    private String host() {
        String host = optional("HOST").orElse("0.0.0.0");
        if (!HOST.matcher(host).matches()) {
            problem("HOST", "is " + shown(host) + ", which is not a host name or IP address");
        }
        return host;
    }

    private URI publicBaseUrl(boolean production, int port) {
        Optional<String> text = optional("PUBLIC_BASE_URL");
        if (text.isEmpty()) {
            if (production) {
                problem("PUBLIC_BASE_URL", "is required in production: the https URL at which Dialpad and "
                        + "browsers reach this server");
            }
            return URI.create("http://localhost:" + port);
        }
        return url("PUBLIC_BASE_URL", text.get(), production, false, false)
                .map(ConfigurationReader::withoutTrailingSlash)
                .orElse(null);
    }

    private DialpadConfig dialpad(boolean production, URI publicBaseUrl) {
        String prefix = production ? "DIALPAD_PROD_" : "DIALPAD_SANDBOX_";
        Optional<DialpadConfig.Client> client = client(prefix);

        String redirectName = firstSet(prefix + "REDIRECT_URI", "REDIRECT_URI");
        URI redirectUri;
        if (redirectName != null) {
            redirectUri = url(redirectName, optional(redirectName).orElseThrow(), production, true, false)
                    .orElse(null);
        } else {
            redirectUri = publicBaseUrl == null ? null : URI.create(publicBaseUrl + CALLBACK_PATH);
        }

        String baseName = prefix + "BASE_URL";
        String baseText = optional(baseName)
                .orElse(production ? DEFAULT_PRODUCTION_BASE_URL : DEFAULT_SANDBOX_BASE_URL);
        URI baseUrl = url(baseName, baseText, production, false, false)
                .map(ConfigurationReader::withoutTrailingSlash)
                .orElse(null);

        List<String> scopes = scopes();
        if (redirectUri == null || baseUrl == null || scopes.isEmpty()) {
            return null;
        }
        return new DialpadConfig(client, redirectUri, baseUrl, scopes);
    }

    private Optional<DialpadConfig.Client> client(String prefix) {
        String idName = firstSet(prefix + "CLIENT_ID", "CLIENT_ID");
        String secretName = firstSet(prefix + "CLIENT_SECRET", "CLIENT_SECRET");
        if (idName == null && secretName == null) {
            // optional, in production too (the contract's default is none): the server then receives webhooks
            // and serves its data, and /auth/dialpad/* say that no client is configured; start-up warns
            return Optional.empty();
        }
        if (idName == null) {
            problem(prefix + "CLIENT_ID", "(or CLIENT_ID) must be set when " + secretName + " is set");
            return Optional.empty();
        }
        if (secretName == null) {
            problem(prefix + "CLIENT_SECRET", "(or CLIENT_SECRET) must be set when " + idName + " is set");
            return Optional.empty();
        }
        String id = optional(idName).orElseThrow();
        if (!CLIENT_ID.matcher(id).matches()) {
            problem(idName, "must be 1 to 200 visible ASCII characters");
            return Optional.empty();
        }
        return Optional.of(new DialpadConfig.Client(id, new Secret(optional(secretName).orElseThrow())));
    }

    private List<String> scopes() {
        String text = optional("DIALPAD_SCOPES").orElse(DEFAULT_SCOPES);
        Set<String> scopes = new LinkedHashSet<>();
        for (String token : text.split("[\\s,]+")) {
            if (token.isEmpty()) {
                continue;
            }
            if (!SCOPE_TOKEN.matcher(token).matches()) {
                problem("DIALPAD_SCOPES", "contains " + shown(token) + ", which is not a valid scope (RFC 6749 "
                        + "section 3.3)");
                return List.of();
            }
            scopes.add(token);
        }
        if (scopes.isEmpty()) {
            problem("DIALPAD_SCOPES", "must list at least one scope");
            return List.of();
        }
        return List.copyOf(scopes);
    }

    private Secrets secrets(boolean production) {
        SecretSetting internal = secret(Secrets.INTERNAL_API_SECRET, production, true,
                "the bearer secret of /internal/*");
        SecretSetting session = secret(Secrets.SESSION_SECRET, production, true,
                "the key that signs the OAuth flow's browser cookie");
        SecretSetting tokenKey = secret(Secrets.TOKEN_ENCRYPTION_KEY, production, false,
                "base64 of 32 random bytes, e.g. from `openssl rand -base64 32`");
        if (tokenKey instanceof SecretSetting.Provided provided) {
            try {
                SecretCipher.decodeKey(provided.secret().value());
            } catch (IllegalArgumentException e) {
                // decodeKey's messages describe the shape of the value, never the value itself
                problem(Secrets.TOKEN_ENCRYPTION_KEY, "must be base64 of exactly 32 bytes: " + e.getMessage());
            }
        }
        // routing on the shared path trusts the payload's organisation, so this one secret guards every tenant:
        // production wants it as long as the others; a sandbox keeps whatever its developer set
        SecretSetting webhook = secret(Secrets.DIALPAD_WEBHOOK_SECRET, production, production,
                "the secret of the shared webhook endpoint, as configured at Dialpad");
        if (!problems.isEmpty()) {
            return null;
        }
        return new Secrets(internal, session, tokenKey, webhook);
    }

    private SecretSetting secret(String name, boolean production, boolean minimumLength, String what) {
        Optional<String> value = optional(name);
        if (value.isEmpty()) {
            if (production) {
                problem(name, "is required in production (" + what + ")");
            }
            return new SecretSetting.GenerateInSandbox();
        }
        if (minimumLength && value.get().length() < Secrets.MIN_SECRET_LENGTH) {
            problem(name, "must have at least " + Secrets.MIN_SECRET_LENGTH + " characters");
        }
        return SecretSetting.provided(value.get());
    }

    private DatabaseConfig database(boolean production) {
        int maxClients = intValue("DB_MAX_CLIENTS", 10, 1, DatabaseConfig.MAX_CLIENTS_LIMIT,
                "a pool size (1 to " + DatabaseConfig.MAX_CLIENTS_LIMIT + ")");
        Optional<String> url = optional("DATABASE_URL");
        if (url.isPresent()) {
            return fromUrl(url.get(), maxClients);
        }
        if (DB_VARIABLES.stream().anyMatch(name -> optional(name).isPresent())) {
            return fromParts(DB_VARIABLES, maxClients);
        }
        if (PG_VARIABLES.stream().anyMatch(name -> optional(name).isPresent())) {
            return fromParts(PG_VARIABLES, maxClients);
        }
        if (production) {
            problem("DATABASE_URL", "is required in production (or DB_HOST and the other DB_* variables, or "
                    + "libpq's PG* variables); the embedded PostgreSQL is for sandbox only");
        }
        return new DatabaseConfig.Embedded(Configuration.DEFAULT_DATA_DIRECTORY.resolve("postgres"), maxClients);
    }

    /** Parses {@code jdbc:postgresql://…} and libpq's {@code postgresql://user:pass@host:port/db?…} forms. */
    private DatabaseConfig fromUrl(String text, int maxClients) {
        String name = "DATABASE_URL";
        String lower = text.toLowerCase(Locale.ROOT);
        boolean jdbc = lower.startsWith("jdbc:postgresql://");
        String rest;
        if (jdbc) {
            rest = text.substring("jdbc:postgresql://".length());
        } else if (lower.startsWith("postgresql://")) {
            rest = text.substring("postgresql://".length());
        } else if (lower.startsWith("postgres://")) {
            rest = text.substring("postgres://".length());
        } else {
            problem(name, "must start with postgresql://, postgres:// or jdbc:postgresql://");
            return null;
        }
        URI uri;
        try {
            uri = new URI("postgresql://" + rest);
        } catch (URISyntaxException e) {
            // the text may hold a password: say what is wrong, never echo it
            problem(name, "is not a valid PostgreSQL URL (check that special characters in the user name and "
                    + "password are percent-encoded)");
            return null;
        }
        String authority = uri.getRawAuthority();
        if (authority == null) {
            problem(name, "must name a host");
            return null;
        }
        int at = authority.lastIndexOf('@');
        String userInfo = at < 0 ? null : authority.substring(0, at);
        Optional<HostPort> hostPort = hostPort(name, authority.substring(at + 1));
        if (hostPort.isEmpty()) {
            return null;
        }
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = nonEmpty(decode(colon < 0 ? userInfo : userInfo.substring(0, colon), jdbc));
            password = colon < 0 ? Optional.empty() : nonEmpty(decode(userInfo.substring(colon + 1), jdbc));
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = path.startsWith("/") ? decode(path.substring(1), jdbc) : "";
        if (database.indexOf('/') >= 0 || database.chars().anyMatch(Character::isISOControl)) {
            problem(name, "names an invalid database");
            return null;
        }
        List<String> kept = new ArrayList<>();
        String query = uri.getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                String key = decode(equals < 0 ? pair : pair.substring(0, equals), jdbc);
                String value = equals < 0 ? "" : decode(pair.substring(equals + 1), jdbc);
                // credentials leave the URL, so the URL can be logged and shown
                if (key.equals("user")) {
                    user = nonEmpty(value);
                } else if (key.equals("password")) {
                    password = nonEmpty(value);
                } else {
                    kept.add(pair);
                }
            }
        }
        String jdbcUrl = jdbcUrl(hostPort.get(), database) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        return new DatabaseConfig.External(jdbcUrl, user, password.map(Secret::new), maxClients);
    }

    /** Builds the URL from DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, DB_NAME or their PG* equivalents. */
    private DatabaseConfig fromParts(List<String> names, int maxClients) {
        String hostName = names.get(0);
        String host = optional(hostName).orElse("localhost");
        if (host.startsWith("/")) {
            problem(hostName, "names a Unix socket directory; Switchboard connects over TCP, so give a host name "
                    + "or address");
            return null;
        }
        if (!HOST.matcher(host).matches()) {
            problem(hostName, "is " + shown(host) + ", which is not a host name or IP address");
            return null;
        }
        int port = intValue(names.get(1), 5432, 1, 65_535, "a port number (1 to 65535)");
        Optional<String> user = optional(names.get(2));
        // a password is taken exactly as given: spaces at its ends may be part of it
        Optional<Secret> password = Optional.ofNullable(environment.get(names.get(3)))
                .filter(value -> !value.isEmpty())
                .map(Secret::new);
        String database = optional(names.get(4)).orElse("");
        if (database.indexOf('/') >= 0 || database.chars().anyMatch(Character::isISOControl)) {
            problem(names.get(4), "is not a valid database name");
            return null;
        }
        String bracketed = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return new DatabaseConfig.External(jdbcUrl(new HostPort(bracketed, port), database), user, password,
                maxClients);
    }

    private Optional<HostPort> hostPort(String name, String text) {
        if (text.indexOf(',') >= 0) {
            problem(name, "names several hosts, which is not supported");
            return Optional.empty();
        }
        String host = text;
        int port = -1;
        int colon = text.lastIndexOf(':');
        int bracket = text.lastIndexOf(']');
        if (colon > bracket) {
            host = text.substring(0, colon);
            String digits = text.substring(colon + 1);
            if (!digits.isEmpty()) {
                port = digits.length() <= 5 && digits.chars().allMatch(c -> c >= '0' && c <= '9')
                        ? Integer.parseInt(digits) : 0;
                if (port < 1 || port > 65_535) {
                    problem(name, "has an invalid port (1 to 65535)");
                    return Optional.empty();
                }
            }
        }
        if (host.isEmpty()) {
            problem(name, "must name a host (Unix sockets are not supported)");
            return Optional.empty();
        }
        if (!HOST.matcher(host).matches()) {
            problem(name, "has an invalid host");
            return Optional.empty();
        }
        return Optional.of(new HostPort(host, port));
    }

    private static String jdbcUrl(HostPort hostPort, String database) {
        // the PostgreSQL driver URL-decodes the database name, so it is URL-encoded here
        return "jdbc:postgresql://" + hostPort.host() + (hostPort.port() > 0 ? ":" + hostPort.port() : "") + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8);
    }

    private List<IpRange> trustedProxies() {
        Optional<String> text = optional("TRUST_PROXY");
        if (text.isEmpty()) {
            return List.of();
        }
        List<IpRange> ranges = new ArrayList<>();
        for (String entry : text.get().split(",")) {
            String trimmed = entry.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (Set.of("true", "*", "all").contains(trimmed.toLowerCase(Locale.ROOT))) {
                problem("TRUST_PROXY", "is " + shown(trimmed) + ", but believing every client's X-Forwarded-For "
                        + "would let anyone choose their address: list the proxies' addresses or CIDR blocks");
                continue;
            }
            Optional<List<IpRange>> parsed = IpRange.parseEntry(trimmed);
            if (parsed.isEmpty()) {
                problem("TRUST_PROXY", "contains " + shown(trimmed) + ", which is not an IP address, a CIDR block, "
                        + "or one of loopback, linklocal, uniquelocal");
                continue;
            }
            ranges.addAll(parsed.get());
        }
        return ranges;
    }

    /**
     * {@code CORS_ALLOWED_ORIGINS}: comma-separated exact origins ({@code https://crm.example.com}, RFC 6454), kept in
     * lower case. A wildcard is refused: an allow-list is the point. Production accepts https origins only.
     */
    private List<String> corsAllowedOrigins(boolean production) {
        Optional<String> text = optional("CORS_ALLOWED_ORIGINS");
        if (text.isEmpty()) {
            return List.of();
        }
        Set<String> origins = new LinkedHashSet<>();
        for (String entry : text.get().split(",")) {
            String trimmed = entry.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.equals("*") || trimmed.equalsIgnoreCase("null")) {
                problem("CORS_ALLOWED_ORIGINS", "contains " + shown(trimmed) + ": list the exact origins allowed, "
                        + "such as https://crm.example.com");
                continue;
            }
            URI uri;
            try {
                uri = new URI(trimmed);
            } catch (URISyntaxException e) {
                problem("CORS_ALLOWED_ORIGINS", "contains " + shown(trimmed) + ", which is not an origin");
                continue;
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            boolean shaped = uri.isAbsolute() && (scheme.equals("http") || scheme.equals("https"))
                    && uri.getHost() != null && uri.getRawUserInfo() == null && path.isEmpty()
                    && uri.getRawQuery() == null && uri.getRawFragment() == null;
            if (!shaped) {
                problem("CORS_ALLOWED_ORIGINS", "contains " + shown(trimmed) + ", which is not an origin "
                        + "(scheme://host[:port], without a path or a trailing slash)");
                continue;
            }
            if (production && !scheme.equals("https")) {
                problem("CORS_ALLOWED_ORIGINS", "contains " + shown(trimmed) + ", but production allows only https "
                        + "origins");
                continue;
            }
            origins.add(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT)
                    + (uri.getPort() < 0 ? "" : ":" + uri.getPort()));
        }
        return List.copyOf(origins);
    }

    private RateLimitConfig rateLimits() {
        RateLimitConfig defaults = RateLimitConfig.DEFAULTS;
        RateLimitConfig.Store store = RateLimitConfig.Store.MEMORY;
        Optional<String> storeText = optional("RATE_LIMIT_STORE");
        if (storeText.isPresent()) {
            switch (storeText.get().toLowerCase(Locale.ROOT)) {
                case "memory" -> store = RateLimitConfig.Store.MEMORY;
                case "postgres", "postgresql" -> store = RateLimitConfig.Store.POSTGRES;
                default -> problem("RATE_LIMIT_STORE", "is " + shown(storeText.get()) + ", expected memory or postgres");
            }
        }
        String what = "a positive whole number (at most " + MAX_RATE_LIMIT + ")";
        int api = intValue("RATE_LIMIT_API_PER_MINUTE", defaults.apiPerMinute(), 1, MAX_RATE_LIMIT, what);
        int internal = intValue("RATE_LIMIT_INTERNAL_PER_MINUTE", defaults.internalPerMinute(), 1, MAX_RATE_LIMIT, what);
        int webhooks = intValue("RATE_LIMIT_WEBHOOKS_PER_MINUTE", defaults.webhooksPerMinute(), 1, MAX_RATE_LIMIT, what);
        int oauth = intValue("RATE_LIMIT_OAUTH_FAILURES_PER_15_MINUTES", defaults.oauthFailuresPer15Minutes(), 1,
                MAX_RATE_LIMIT, what);
        return new RateLimitConfig(store, api, internal, webhooks, oauth);
    }

    private EdgeLimitsConfig edgeLimits() {
        EdgeLimitsConfig defaults = EdgeLimitsConfig.DEFAULTS;
        String what = "a positive whole number (at most " + MAX_EDGE_LIMIT + ")";
        return new EdgeLimitsConfig(
                intValue("HTTP_MAX_CONNECTIONS_PER_CLIENT", defaults.maxConnectionsPerClient(), 1, MAX_EDGE_LIMIT, what),
                intValue("WS_MAX_SOCKETS_PER_APP", defaults.maxSocketsPerApp(), 1, MAX_EDGE_LIMIT, what));
    }

    private OperationsConfig operations() {
        OperationsConfig defaults = OperationsConfig.DEFAULTS;
        int drainSeconds = intValue("SHUTDOWN_DRAIN_SECONDS", (int) defaults.shutdownDrain().toSeconds(), 0,
                (int) OperationsConfig.MAX_SHUTDOWN_DRAIN.toSeconds(),
                "a whole number of seconds (0 to " + OperationsConfig.MAX_SHUTDOWN_DRAIN.toSeconds() + ")");
        return new OperationsConfig(Duration.ofSeconds(drainSeconds), eventRetention(defaults.eventRetention()));
    }

    /** {@code EVENT_RETENTION} as a duration, else the older {@code EVENT_RETENTION_DAYS} as days, else the default. */
    private Duration eventRetention(Duration fallback) {
        long minimumHours = OperationsConfig.MIN_EVENT_RETENTION.toHours();
        Optional<String> text = optional("EVENT_RETENTION");
        if (text.isPresent()) {
            Optional<Duration> retention = OperationsConfig.parseDuration(text.get());
            if (retention.isPresent() && retention.get().compareTo(OperationsConfig.MIN_EVENT_RETENTION) >= 0) {
                return retention.get();
            }
            problem("EVENT_RETENTION", "is " + shown(text.get()) + ", expected a number and a unit (ms, s, m, h, d) "
                    + "of at least " + minimumHours + "h, e.g. 7d");
            return fallback;
        }
        if (optional("EVENT_RETENTION_DAYS").isPresent()) {
            return Duration.ofDays(intValue("EVENT_RETENTION_DAYS", (int) fallback.toDays(), 1, 36_500,
                    "a whole number of days (1 to 36500)"));
        }
        return fallback;
    }

    private LoggingConfig logging() {
        String level = optional("LOG_LEVEL").orElse("info").toLowerCase(Locale.ROOT);
        if (!LoggingConfig.LEVELS.contains(level)) {
            problem("LOG_LEVEL", "is " + shown(level) + ", expected one of trace, debug, info, warn, error");
            level = "info";
        }
        LoggingConfig.Format format = LoggingConfig.Format.JSON;
        Optional<String> formatText = optional("LOG_FORMAT");
        if (formatText.isPresent()) {
            switch (formatText.get().toLowerCase(Locale.ROOT)) {
                case "json" -> format = LoggingConfig.Format.JSON;
                case "text" -> format = LoggingConfig.Format.TEXT;
                default -> problem("LOG_FORMAT", "is " + shown(formatText.get()) + ", expected json or text");
            }
        }
        return new LoggingConfig(level, format);
    }

    /**
     * Checks an absolute http(s) URL. At most one problem per variable, and the URL is never echoed: it could hold
     * credentials in its user-info part.
     */
    private Optional<URI> url(String name, String text, boolean httpsRequired, boolean queryAllowed,
                              boolean fragmentAllowed) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            problem(name, "is not a valid URL");
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))) {
            problem(name, "must be an absolute http or https URL");
        } else if (uri.getHost() == null) {
            problem(name, "must name a host");
        } else if (uri.getRawUserInfo() != null) {
            problem(name, "must not contain a user name or password");
        } else if (httpsRequired && !scheme.equals("https")) {
            problem(name, "must be an https URL in production");
        } else if (!queryAllowed && uri.getRawQuery() != null) {
            problem(name, "must not have a query (?...)");
        } else if (!fragmentAllowed && uri.getRawFragment() != null) {
            problem(name, "must not have a fragment (#...)");
        } else {
            return Optional.of(uri);
        }
        return Optional.empty();
    }

    private int intValue(String name, int fallback, int min, int max, String what) {
        Optional<String> text = optional(name);
        if (text.isEmpty()) {
            return fallback;
        }
        String digits = text.get();
        if (digits.length() <= 9 && !digits.isEmpty() && digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int value = Integer.parseInt(digits);
            if (value >= min && value <= max) {
                return value;
            }
        }
        problem(name, "is " + shown(digits) + ", expected " + what);
        return fallback;
    }

    private Optional<String> optional(String name) {
        String value = environment.get(name);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(value.strip());
    }

    private String firstSet(String... names) {
        for (String name : names) {
            if (optional(name).isPresent()) {
                return name;
            }
        }
        return null;
    }

    private void problem(String variable, String sentence) {
        problems.add(variable + " " + sentence);
    }

    /** A non-secret value quoted for a problem line: control characters dropped, long values cut. */
    private static String shown(String value) {
        StringBuilder clean = new StringBuilder();
        value.codePoints().filter(c -> !Character.isISOControl(c)).limit(40).forEach(clean::appendCodePoint);
        return "'" + clean + (value.length() > 40 ? "...'" : "'");
    }

    private static URI withoutTrailingSlash(URI uri) {
        String text = uri.toString();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        return URI.create(text);
    }

    private static Optional<String> nonEmpty(String value) {
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    /**
     * Decodes a URL part. In a JDBC URL the driver applies form decoding ({@code +} is a space); in a libpq URL
     * only percent-escapes are decoded (RFC 3986 section 2.1), so a {@code +} in a password stays a plus.
     */
    private static String decode(String raw, boolean formDecoding) {
        if (formDecoding) {
            try {
                return URLDecoder.decode(raw, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return raw;
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int i = 0;
        while (i < raw.length()) {
            if (raw.charAt(i) == '%' && i + 2 < raw.length() && isHex(raw.charAt(i + 1)) && isHex(raw.charAt(i + 2))) {
                bytes.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
                i += 3;
            } else {
                int next = raw.indexOf('%', i + 1);
                int end = next < 0 ? raw.length() : next;
                byte[] run = raw.substring(i, end).getBytes(StandardCharsets.UTF_8);
                bytes.write(run, 0, run.length);
                i = end;
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private record HostPort(String host, int port) {
    }

}
