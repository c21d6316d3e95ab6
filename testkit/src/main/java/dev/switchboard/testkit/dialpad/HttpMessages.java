package dev.switchboard.testkit.dialpad;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Request parsing and response building shared by the fake's handlers. Stateless and thread-safe. */
final class HttpMessages {
    static final ObjectMapper JSON = new ObjectMapper();

    private HttpMessages() {
    }

    /** One answer: status, headers and body (empty for none). */
    record Response(int status, Map<String, String> headers, byte[] body) {
        Response {
            headers = Map.copyOf(headers);
        }

        static Response json(int status, Object value) {
            try {
                return new Response(status, Map.of("Content-Type", "application/json"), JSON.writeValueAsBytes(value));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("response is not serialisable", e);
            }
        }

        static Response empty(int status) {
            return new Response(status, Map.of(), new byte[0]);
        }

        static Response redirect(String location) {
            return new Response(302, Map.of("Location", location, "Cache-Control", "no-store"), new byte[0]);
        }

        Response withHeader(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Response(status, more, body);
        }
    }

    /** An OAuth error response (RFC 6749 §5.2). */
    static Response oauthError(int status, String error, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        return Response.json(status, body).withHeader("Cache-Control", "no-store");
    }

    /** An error from the REST API, in the shape Dialpad's API uses. */
    static Response apiError(int status, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", status);
        error.put("message", message);
        return Response.json(status, Map.of("error", error));
    }

    /**
     * Parses {@code application/x-www-form-urlencoded} text (also a raw query) into name to values; null and empty
     * input give an empty map.
     */
    static Map<String, List<String>> form(String encoded) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return values;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            values.computeIfAbsent(name, key -> new ArrayList<>()).add(value);
        }
        return values;
    }

    /**
     * Collapses parameters to one value each; a parameter sent twice is refused (RFC 6749 §3.1 and §3.2), so the
     * result is empty then.
     */
    static Optional<Map<String, String>> single(Map<String, List<String>> values) {
        Map<String, String> single = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> entry : values.entrySet()) {
            if (entry.getValue().size() != 1) {
                return Optional.empty();
            }
            single.put(entry.getKey(), entry.getValue().get(0));
        }
        return Optional.of(single);
    }

    /** A flat JSON object's members as text; empty when the body is not a JSON object of scalars. */
    static Optional<Map<String, String>> jsonObjectOfScalars(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                return Optional.empty();
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                JsonNode value = field.getValue();
                if (value.isNull()) {
                    continue;
                }
                if (!value.isValueNode()) {
                    return Optional.empty();
                }
                values.put(field.getKey(), value.asText());
            }
            return Optional.of(values);
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /** A JSON object body, or empty when the body is not one. */
    static Optional<JsonNode> jsonObject(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /** The token of an {@code Authorization: Bearer} header (scheme in any case, RFC 6750 §2.1). */
    static Optional<String> bearer(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        int space = authorization.indexOf(' ');
        if (space < 0 || !authorization.substring(0, space).equalsIgnoreCase("bearer")) {
            return Optional.empty();
        }
        String token = authorization.substring(space + 1).trim();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    /** Client id and secret of an {@code Authorization: Basic} header, form-decoded as RFC 6749 §2.3.1 says. */
    static Optional<String[]> basic(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        int space = authorization.indexOf(' ');
        if (space < 0 || !authorization.substring(0, space).toLowerCase(Locale.ROOT).equals("basic")) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(space + 1).trim()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        try {
            String id = decode(decoded.substring(0, colon));
            return Optional.of(new String[] {id, decode(decoded.substring(colon + 1))});
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String decode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }
}
