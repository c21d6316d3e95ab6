package dev.switchboard.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one JSON configuration of the server: every JSON text it reads or writes, in core and in every adapter, goes
 * through a mapper built here, so one set of limits holds wherever untrusted JSON arrives.
 *
 * <h2>Limits</h2>
 * A document longer than {@link #MAX_DOCUMENT_LENGTH}, nested deeper than {@link #MAX_DEPTH}, with a number longer
 * than {@link #MAX_NUMBER_LENGTH} characters or a string longer than {@link #MAX_STRING_LENGTH} characters is refused
 * while it is read, before anything is built from it. A repeated member name in one object is refused (RFC 8259
 * section 4 leaves its meaning open, and two readers disagreeing on it is an attack surface), and so is anything after
 * the one top-level value. Numbers are never turned into {@code BigDecimal} or {@code BigInteger}: the cost of that
 * arithmetic grows with the digits and exponents an attacker chooses.
 *
 * <h2>Plain values</h2>
 * {@link #parse} and {@link #parseObject} give plain Java values, which is what core's event parsers read: an object
 * is an unmodifiable {@code Map<String, Object>} in document order, an array an unmodifiable {@code List<Object>}, a
 * string a {@code String}, {@code true}/{@code false} a {@code Boolean}, {@code null} null, and a number a
 * {@code Long} when it is an integer within the range of a long, otherwise a {@code Double} (possibly infinite, for
 * a literal such as {@code 1e999}): whoever needs a whole number reads a {@code Long} and refuses the rest.
 * {@link #write} turns such values (and any others Jackson serialises) into compact JSON.
 *
 * <p>Errors are {@link JsonException}s whose message never quotes the input. Stateless and thread-safe.
 */
public final class JsonCodec {
    /** Deepest nesting of arrays and objects accepted (and written). */
    public static final int MAX_DEPTH = 64;
    /** Longest number literal accepted, in characters. */
    public static final int MAX_NUMBER_LENGTH = 100;
    /** Longest string (or member name) accepted, in characters. */
    public static final int MAX_STRING_LENGTH = 1024 * 1024;
    /** Longest document accepted, in bytes (or characters for text input). */
    public static final int MAX_DOCUMENT_LENGTH = 1024 * 1024;

    private static final JsonMapper MAPPER = builder().build();

    private JsonCodec() {
    }

    /**
     * A builder holding the server's JSON configuration: the limits above on a fresh {@link JsonFactory}, duplicate
     * member names and trailing tokens refused, and a fractional number never accepted where a whole one is bound.
     * Adapters that need more (naming conventions, modules) start from it, so their mappers keep these limits.
     */
    public static JsonMapper.Builder builder() {
        StreamReadConstraints limits = StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxStringLength(MAX_STRING_LENGTH)
                .maxNameLength(MAX_STRING_LENGTH)
                .maxDocumentLength(MAX_DOCUMENT_LENGTH)
                .build();
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(limits)
                // also stops a self-containing collection from being written for ever
                .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .build();
        return JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    }

    /** The shared mapper of {@link #builder()}, for code that reads or writes JSON with Jackson directly. */
    public static JsonMapper mapper() {
        return MAPPER;
    }

    /** Parses UTF-8 JSON into plain values (see the class documentation); {@link JsonException} when refused. */
    public static Object parse(byte[] utf8) {
        Objects.requireNonNull(utf8, "utf8");
        if (utf8.length > MAX_DOCUMENT_LENGTH) {
            throw new JsonException("the document is longer than " + MAX_DOCUMENT_LENGTH + " bytes", -1);
        }
        try (JsonParser parser = MAPPER.createParser(utf8)) {
            return document(parser);
        } catch (IOException e) {
            throw refused(e);
        }
    }

    /** Parses JSON text into plain values; see {@link #parse(byte[])}. */
    public static Object parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.length() > MAX_DOCUMENT_LENGTH) {
            throw new JsonException("the document is longer than " + MAX_DOCUMENT_LENGTH + " characters", -1);
        }
        try (JsonParser parser = MAPPER.createParser(text)) {
            return document(parser);
        } catch (IOException e) {
            throw refused(e);
        }
    }

    /** Parses UTF-8 JSON that must be an object; anything else is a {@link JsonException}. */
    public static Map<String, Object> parseObject(byte[] utf8) {
        return asObject(parse(utf8));
    }

    /** Parses JSON text that must be an object; anything else is a {@link JsonException}. */
    public static Map<String, Object> parseObject(String text) {
        return asObject(parse(text));
    }

    /** Writes a value as compact JSON; {@link JsonException} when it cannot be written. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new JsonException("the value cannot be written as JSON", -1);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Object value) {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new JsonException("expected a JSON object", 0);
    }

    private static Object document(JsonParser parser) throws IOException {
        if (parser.nextToken() == null) {
            throw new JsonException("no JSON value", 0);
        }
        Object value = value(parser);
        if (parser.nextToken() != null) {
            throw new JsonException("unexpected content after the JSON value", offset(parser.currentLocation()));
        }
        return value;
    }

    /** The value whose first token is current; the parser's depth limit bounds this recursion. */
    private static Object value(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        return switch (token) {
            case START_OBJECT -> {
                Map<String, Object> members = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    members.put(name, value(parser));
                }
                yield Collections.unmodifiableMap(members);
            }
            case START_ARRAY -> {
                List<Object> items = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    items.add(value(parser));
                }
                yield Collections.unmodifiableList(items);
            }
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT -> number(parser);
            // at most MAX_NUMBER_LENGTH characters: a plain double parse, never BigDecimal
            case VALUE_NUMBER_FLOAT -> Double.parseDouble(parser.getText());
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new JsonException("unexpected token", offset(parser.currentLocation()));
        };
    }

    private static Object number(JsonParser parser) throws IOException {
        JsonParser.NumberType type = parser.getNumberType();
        if (type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG) {
            return parser.getLongValue();
        }
        // beyond a long: as a double, which every reader of a whole number refuses as out of range
        return Double.parseDouble(parser.getText());
    }

    /**
     * A refusal whose message says what was wrong without quoting the input: Jackson's messages for malformed
     * input quote the offending token (and a duplicate member's name), so only the limit messages, which hold
     * nothing but lengths, are kept.
     */
    private static JsonException refused(IOException e) {
        if (e instanceof StreamConstraintsException limit) {
            return new JsonException("the JSON exceeds a limit: " + limit.getOriginalMessage(), -1);
        }
        if (e instanceof JsonProcessingException malformed) {
            String message = malformed.getOriginalMessage();
            String problem = message != null && message.startsWith("Duplicate field") ? "duplicate member name"
                    : "malformed JSON";
            return new JsonException(problem, offset(malformed.getLocation()));
        }
        throw new UncheckedIOException(e);
    }

    private static int offset(JsonLocation location) {
        if (location == null) {
            return -1;
        }
        long offset = location.getCharOffset() >= 0 ? location.getCharOffset() : location.getByteOffset();
        return offset > Integer.MAX_VALUE ? -1 : (int) offset;
    }
}
