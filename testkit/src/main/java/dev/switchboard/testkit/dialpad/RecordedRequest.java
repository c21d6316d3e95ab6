package dev.switchboard.testkit.dialpad;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One request {@link FakeDialpad} received, for assertions: method, path, raw query, headers (names compared
 * without regard to case) and body.
 *
 * <p>Headers and body may hold tokens and secrets, so {@link #toString()} shows neither.
 */
public record RecordedRequest(String method, String path, String rawQuery, Map<String, List<String>> headers,
                              byte[] body) {
    public RecordedRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        headers = java.util.Collections.unmodifiableMap(copy);
        body = body.clone();
    }

    /** The first value of header {@code name}, if present. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The body decoded as UTF-8. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RecordedRequest that && method.equals(that.method) && path.equals(that.path)
                && Objects.equals(rawQuery, that.rawQuery) && headers.equals(that.headers)
                && java.util.Arrays.equals(body, that.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, path, rawQuery, headers) * 31 + java.util.Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "RecordedRequest[" + method + " " + path + ", " + headers.size() + " headers, " + body.length
                + " body bytes]";
    }
}
