package dev.switchboard.app.config;

import static dev.switchboard.app.config.EnvironmentVariables.shown;

import dev.switchboard.core.secrets.Secret;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The database variables: {@code DATABASE_URL} in its JDBC and libpq forms, else the {@code DB_*} variables, else
 * libpq's {@code PG*} variables, else (sandbox only) the embedded PostgreSQL. Credentials leave the URL, so the URL
 * that results can be logged.
 */
final class DatabaseSection {
    private static final List<String> DB_VARIABLES = List.of("DB_HOST", "DB_PORT", "DB_USER", "DB_PASSWORD", "DB_NAME");
    private static final List<String> PG_VARIABLES = List.of("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE");

    private final EnvironmentVariables env;

    DatabaseSection(EnvironmentVariables env) {
        this.env = env;
    }

    DatabaseConfig database(boolean production) {
        int maxClients = env.intValue("DB_MAX_CLIENTS", 10, 1, DatabaseConfig.MAX_CLIENTS_LIMIT,
                "a pool size (1 to " + DatabaseConfig.MAX_CLIENTS_LIMIT + ")");
        Optional<String> url = env.optional("DATABASE_URL");
        if (url.isPresent()) {
            return fromUrl(url.get(), maxClients);
        }
        if (DB_VARIABLES.stream().anyMatch(name -> env.optional(name).isPresent())) {
            return fromParts(DB_VARIABLES, maxClients);
        }
        if (PG_VARIABLES.stream().anyMatch(name -> env.optional(name).isPresent())) {
            return fromParts(PG_VARIABLES, maxClients);
        }
        if (production) {
            env.problem("DATABASE_URL", "is required in production (or DB_HOST and the other DB_* variables, or "
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
            env.problem(name, "must start with postgresql://, postgres:// or jdbc:postgresql://");
            return null;
        }
        URI uri;
        try {
            uri = new URI("postgresql://" + rest);
        } catch (URISyntaxException e) {
            // the text may hold a password: say what is wrong, never echo it
            env.problem(name, "is not a valid PostgreSQL URL (check that special characters in the user name and "
                    + "password are percent-encoded)");
            return null;
        }
        String authority = uri.getRawAuthority();
        if (authority == null) {
            env.problem(name, "must name a host");
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
            env.problem(name, "names an invalid database");
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
        String host = env.optional(hostName).orElse("localhost");
        if (host.startsWith("/")) {
            env.problem(hostName, "names a Unix socket directory; Switchboard connects over TCP, so give a host name "
                    + "or address");
            return null;
        }
        if (!EnvironmentVariables.HOST.matcher(host).matches()) {
            env.problem(hostName, "is " + shown(host) + ", which is not a host name or IP address");
            return null;
        }
        int port = env.intValue(names.get(1), 5432, 1, 65_535, "a port number (1 to 65535)");
        Optional<String> user = env.optional(names.get(2));
        // a password is taken exactly as given: spaces at its ends may be part of it
        Optional<Secret> password = Optional.ofNullable(env.raw(names.get(3)))
                .filter(value -> !value.isEmpty())
                .map(Secret::new);
        String database = env.optional(names.get(4)).orElse("");
        if (database.indexOf('/') >= 0 || database.chars().anyMatch(Character::isISOControl)) {
            env.problem(names.get(4), "is not a valid database name");
            return null;
        }
        String bracketed = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return new DatabaseConfig.External(jdbcUrl(new HostPort(bracketed, port), database), user, password,
                maxClients);
    }

    private Optional<HostPort> hostPort(String name, String text) {
        if (text.indexOf(',') >= 0) {
            env.problem(name, "names several hosts, which is not supported");
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
                    env.problem(name, "has an invalid port (1 to 65535)");
                    return Optional.empty();
                }
            }
        }
        if (host.isEmpty()) {
            env.problem(name, "must name a host (Unix sockets are not supported)");
            return Optional.empty();
        }
        if (!EnvironmentVariables.HOST.matcher(host).matches()) {
            env.problem(name, "has an invalid host");
            return Optional.empty();
        }
        return Optional.of(new HostPort(host, port));
    }

    private static String jdbcUrl(HostPort hostPort, String database) {
        // the PostgreSQL driver URL-decodes the database name, so it is URL-encoded here
        return "jdbc:postgresql://" + hostPort.host() + (hostPort.port() > 0 ? ":" + hostPort.port() : "") + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8);
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
