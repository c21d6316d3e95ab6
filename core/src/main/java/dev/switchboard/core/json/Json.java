package dev.switchboard.core.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A small, strict JSON reader and writer (RFC 8259) for core, which may not use a JSON library.
 *
 * <h2>Reading</h2>
 * {@link #parse} accepts exactly the grammar of RFC 8259 section 2 (any value at the top, surrounded by optional
 * whitespace) and returns plain Java values:
 * <ul>
 *   <li>object: an unmodifiable {@code Map<String, Object>} keeping the members in document order;</li>
 *   <li>array: an unmodifiable {@code List<Object>};</li>
 *   <li>string: {@code String};</li>
 *   <li>number: {@code Long} when it is an integer (no fraction, no exponent) that fits in a long, otherwise
 *       {@code BigDecimal} (so no precision is ever lost);</li>
 *   <li>{@code true}/{@code false}: {@code Boolean}; {@code null}: {@code null}.</li>
 * </ul>
 * Stricter than many parsers, on purpose, because it reads untrusted webhook payloads: a duplicate member name
 * (section 4 leaves its meaning open, and two readers disagreeing on it is an attack surface), a nesting deeper than
 * {@link #MAX_DEPTH}, an unpaired surrogate escape (section 8.2), invalid UTF-8 (section 8.1), a byte order mark,
 * trailing content, comments, single quotes, leading zeros, {@code NaN} and raw control characters in strings are
 * all rejected with a {@link JsonException} naming the offset, never the input.
 *
 * <h2>Writing</h2>
 * {@link #write} turns {@code Map} (String keys), {@code List}/arrays of objects, {@code String}, {@code Number},
 * {@code Boolean} and {@code null} into compact JSON text, for tests, fixtures and outgoing payloads.
 *
 * <p>Stateless and thread-safe.
 */
public final class Json {
    /** Deepest nesting of arrays and objects accepted (and written). */
    public static final int MAX_DEPTH = 64;

    private Json() {
    }

    /** Parses JSON text; throws {@link JsonException} when it is not exactly one valid JSON value. */
    public static Object parse(String text) {
        Objects.requireNonNull(text, "text");
        return new Reader(text).document();
    }

    /** Parses UTF-8 encoded JSON; invalid UTF-8 is a {@link JsonException} like any other malformed input. */
    public static Object parse(byte[] utf8) {
        Objects.requireNonNull(utf8, "utf8");
        return parse(decodeUtf8(utf8));
    }

    /** Parses JSON text that must be an object; anything else (an array, a string...) is a {@link JsonException}. */
    public static Map<String, Object> parseObject(String text) {
        return asObject(parse(text));
    }

    /** Parses UTF-8 encoded JSON that must be an object; see {@link #parseObject(String)}. */
    public static Map<String, Object> parseObject(byte[] utf8) {
        return asObject(parse(utf8));
    }

    /**
     * Writes a value as compact JSON. Throws {@link JsonException} for what JSON cannot express: a non-finite
     * double, a map key that is not a String, an unsupported type, or nesting deeper than {@link #MAX_DEPTH}
     * (which also stops a self-containing collection).
     */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        writeValue(out, value, 0);
        return out.toString();
    }

    /** Decodes strict UTF-8, reporting malformed input as a {@link JsonException}. */
    static String decodeUtf8(byte[] utf8) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new JsonException("the input is not valid UTF-8", -1);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Object value) {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new JsonException("expected a JSON object", 0);
    }

    private static final class Reader {
        private final String text;
        private int pos;

        Reader(String text) {
            this.text = text;
        }

        Object document() {
            skipWhitespace();
            Object value = value(0);
            skipWhitespace();
            if (pos != text.length()) {
                throw fail("unexpected content after the JSON value");
            }
            return value;
        }

        private Object value(int depth) {
            if (pos >= text.length()) {
                throw fail("unexpected end of input");
            }
            char c = text.charAt(pos);
            return switch (c) {
                case '{' -> object(depth + 1);
                case '[' -> array(depth + 1);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw fail("unexpected character");
                }
            };
        }

        private Map<String, Object> object(int depth) {
            checkDepth(depth);
            pos++;
            Map<String, Object> members = new LinkedHashMap<>();
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return Collections.unmodifiableMap(members);
            }
            while (true) {
                skipWhitespace();
                if (peek() != '"') {
                    throw fail("expected a member name");
                }
                int keyAt = pos;
                String key = string();
                skipWhitespace();
                expect(':');
                skipWhitespace();
                Object value = value(depth);
                if (members.containsKey(key)) {
                    throw new JsonException("duplicate member name", keyAt);
                }
                members.put(key, value);
                skipWhitespace();
                char c = peek();
                pos++;
                if (c == '}') {
                    return Collections.unmodifiableMap(members);
                }
                if (c != ',') {
                    pos--;
                    throw fail("expected ',' or '}'");
                }
            }
        }

        private List<Object> array(int depth) {
            checkDepth(depth);
            pos++;
            List<Object> items = new ArrayList<>();
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return Collections.unmodifiableList(items);
            }
            while (true) {
                skipWhitespace();
                items.add(value(depth));
                skipWhitespace();
                char c = peek();
                pos++;
                if (c == ']') {
                    return Collections.unmodifiableList(items);
                }
                if (c != ',') {
                    pos--;
                    throw fail("expected ',' or ']'");
                }
            }
        }

        private String string() {
            pos++;
            // most strings hold no escape: one scan, one substring
            int start = pos;
            int end = start;
            while (end < text.length()) {
                char c = text.charAt(end);
                if (c == '"') {
                    pos = end + 1;
                    return text.substring(start, end);
                }
                if (c == '\\' || c < 0x20 || Character.isSurrogate(c)) {
                    break;
                }
                end++;
            }
            StringBuilder out = new StringBuilder(end - start + 16).append(text, start, end);
            pos = end;
            while (true) {
                if (pos >= text.length()) {
                    throw fail("unterminated string");
                }
                char c = text.charAt(pos);
                if (c == '"') {
                    pos++;
                    return out.toString();
                }
                if (c < 0x20) {
                    throw fail("control character in a string");
                }
                if (c == '\\') {
                    pos++;
                    escape(out);
                } else {
                    // a surrogate here came from decoded UTF-8 or a Java String: pairs were checked by the decoder,
                    // but a String handed to parse(String) may hold a lone one
                    if (Character.isSurrogate(c)) {
                        surrogatePair(out, c);
                    } else {
                        out.append(c);
                        pos++;
                    }
                }
            }
        }

        private void surrogatePair(StringBuilder out, char c) {
            if (Character.isHighSurrogate(c) && pos + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(pos + 1))) {
                out.append(c).append(text.charAt(pos + 1));
                pos += 2;
                return;
            }
            throw fail("unpaired surrogate in a string");
        }

        private void escape(StringBuilder out) {
            if (pos >= text.length()) {
                throw fail("unterminated string");
            }
            char e = text.charAt(pos);
            switch (e) {
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                case '/' -> out.append('/');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    int escapeAt = pos - 1;
                    char unit = hex4();
                    if (Character.isHighSurrogate(unit)) {
                        if (pos + 2 < text.length() && text.charAt(pos + 1) == '\\' && text.charAt(pos + 2) == 'u') {
                            pos += 2;
                            char low = hex4();
                            if (!Character.isLowSurrogate(low)) {
                                throw new JsonException("unpaired surrogate escape", escapeAt);
                            }
                            out.append(unit).append(low);
                        } else {
                            throw new JsonException("unpaired surrogate escape", escapeAt);
                        }
                    } else if (Character.isLowSurrogate(unit)) {
                        throw new JsonException("unpaired surrogate escape", escapeAt);
                    } else {
                        out.append(unit);
                    }
                }
                default -> throw fail("invalid escape sequence");
            }
            pos++;
        }

        /** Reads the four hex digits after {@code \\u}; leaves pos on the last digit. */
        private char hex4() {
            if (pos + 4 >= text.length()) {
                throw fail("truncated unicode escape");
            }
            int code = 0;
            for (int i = 1; i <= 4; i++) {
                int digit = hexDigit(text.charAt(pos + i));
                if (digit < 0) {
                    pos += i;
                    throw fail("invalid unicode escape");
                }
                code = code * 16 + digit;
            }
            pos += 4;
            return (char) code;
        }

        private static int hexDigit(char c) {
            if (c >= '0' && c <= '9') {
                return c - '0';
            }
            if (c >= 'a' && c <= 'f') {
                return c - 'a' + 10;
            }
            if (c >= 'A' && c <= 'F') {
                return c - 'A' + 10;
            }
            return -1;
        }

        private Object number() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            char first = peek();
            if (first == '0') {
                pos++;
                if (isDigit(peek())) {
                    throw fail("leading zero in a number");
                }
            } else if (isDigit(first)) {
                digits();
            } else {
                throw fail("expected a digit");
            }
            boolean integer = true;
            if (peek() == '.') {
                integer = false;
                pos++;
                if (!isDigit(peek())) {
                    throw fail("expected a digit after the decimal point");
                }
                digits();
            }
            if (peek() == 'e' || peek() == 'E') {
                integer = false;
                pos++;
                if (peek() == '+' || peek() == '-') {
                    pos++;
                }
                if (!isDigit(peek())) {
                    throw fail("expected a digit in the exponent");
                }
                digits();
            }
            String literal = text.substring(start, pos);
            if (integer && literal.length() <= 20) {
                try {
                    return Long.parseLong(literal);
                } catch (NumberFormatException tooBig) {
                    // 19 digits (and a sign) may still overflow a long: fall through to BigDecimal
                }
            }
            try {
                return new BigDecimal(literal);
            } catch (NumberFormatException | ArithmeticException e) {
                // an exponent beyond the range of an int scale
                throw new JsonException("number out of range", start);
            }
        }

        private void digits() {
            while (isDigit(peek())) {
                pos++;
            }
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, pos)) {
                throw fail("unexpected character");
            }
            pos += word.length();
            return value;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw fail("expected '" + c + "'");
            }
            pos++;
        }

        /** The current character, or U+0000 at the end (never valid where a token is expected, so it fails). */
        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        private void skipWhitespace() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }

        private void checkDepth(int depth) {
            if (depth > MAX_DEPTH) {
                throw fail("nesting deeper than " + MAX_DEPTH);
            }
        }

        private JsonException fail(String problem) {
            if (pos >= text.length()) {
                return new JsonException(problem.equals("unexpected character") ? "unexpected end of input" : problem,
                        text.length());
            }
            return new JsonException(problem, pos);
        }
    }

    private static void writeValue(StringBuilder out, Object value, int depth) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            writeString(out, s);
        } else if (value instanceof Boolean b) {
            out.append(b.booleanValue());
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof Byte || value instanceof BigInteger) {
            out.append(value);
        } else if (value instanceof BigDecimal d) {
            out.append(d.toString());
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new JsonException("JSON has no NaN or infinity", -1);
            }
            // Double.toString gives "1.0E10", which is valid JSON
            out.append(value);
        } else if (value instanceof Map<?, ?> map) {
            enter(depth);
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!(entry.getKey() instanceof String key)) {
                    throw new JsonException("a JSON object key must be a String", -1);
                }
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeString(out, key);
                out.append(':');
                writeValue(out, entry.getValue(), depth + 1);
            }
            out.append('}');
        } else if (value instanceof Iterable<?> items) {
            enter(depth);
            writeArray(out, items, depth);
        } else if (value instanceof Object[] array) {
            enter(depth);
            writeArray(out, Arrays.asList(array), depth);
        } else {
            throw new JsonException("cannot write a " + value.getClass().getSimpleName() + " as JSON", -1);
        }
    }

    private static void writeArray(StringBuilder out, Iterable<?> items, int depth) {
        out.append('[');
        boolean first = true;
        for (Object item : items) {
            if (!first) {
                out.append(',');
            }
            first = false;
            writeValue(out, item, depth + 1);
        }
        out.append(']');
    }

    private static void enter(int depth) {
        if (depth >= MAX_DEPTH) {
            throw new JsonException("nesting deeper than " + MAX_DEPTH, -1);
        }
    }

    private static void writeString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // U+2028/2029 are valid JSON but break JavaScript string literals if the text lands in a page
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
