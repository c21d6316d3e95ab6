package dev.switchboard.core.json;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Typed reads of fields of a parsed JSON object (values are String, Number, Boolean, null, List, Map), shared by
 * the event parsers. A field of the wrong type raises {@link FieldException}, whose message names the field and
 * the expected type, never the value (a payload may carry personal data).
 *
 * <p>Numbers are read as {@code long} with range checks and never through arbitrary-precision arithmetic: an
 * identifier or a time that is a huge integer, a fraction where a whole number is wanted, or a literal such as
 * {@code 1e9999999} is refused at the cost of a comparison. Stateless and thread-safe.
 */
public final class Payloads {
    /** Longest identifier accepted (Dialpad ids are 64-bit integers; strings are allowed for safety). */
    public static final int MAX_ID_LENGTH = 128;
    /** Most digits of a time given as a string of milliseconds: 18 always fit a long (year 31 million and more). */
    private static final int MAX_MILLIS_DIGITS = 18;

    private Payloads() {
    }

    /** A field that is present but unusable. The message is safe to log and to return to a client. */
    public static final class FieldException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public FieldException(String message) {
            super(message);
        }
    }

    /**
     * An identifier: an integral number or a non-blank string of at most {@link #MAX_ID_LENGTH} characters without
     * control characters, as a string; empty when absent or null.
     */
    public static Optional<String> id(Map<String, ?> map, String field) {
        Object value = map.get(field);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Number number) {
            return Optional.of(integral(number, field));
        }
        if (value instanceof String text) {
            String id = text.strip();
            if (id.isEmpty() || id.length() > MAX_ID_LENGTH || id.chars().anyMatch(Character::isISOControl)) {
                throw new FieldException(field + " must be a non-empty identifier of at most " + MAX_ID_LENGTH
                        + " characters");
            }
            return Optional.of(id);
        }
        throw new FieldException(field + " must be a number or a string");
    }

    /**
     * A string field; empty when absent, null or blank. Numbers are accepted: whole ones within the range of a long
     * in plain decimal, others as Java writes them.
     */
    public static Optional<String> text(Map<String, ?> map, String field) {
        Object value = map.get(field);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof String text) {
            return text.isBlank() ? Optional.empty() : Optional.of(text);
        }
        if (value instanceof Number number) {
            return Optional.of(plain(number));
        }
        throw new FieldException(field + " must be a string");
    }

    /**
     * A time given as milliseconds since the epoch (an integral or fractional number, or a string of one) or as an
     * ISO-8601 date-time string with an offset; empty when absent or null. Fractions of a millisecond are dropped.
     */
    public static Optional<Instant> epochMillis(Map<String, ?> map, String field) {
        Object value = map.get(field);
        if (value == null) {
            return Optional.empty();
        }
        try {
            if (value instanceof Number number) {
                return Optional.of(Instant.ofEpochMilli(millis(number, field)));
            }
            if (value instanceof String text && !text.isBlank()) {
                String trimmed = text.strip();
                if (trimmed.chars().allMatch(c -> c >= '0' && c <= '9' || c == '.')) {
                    return Optional.of(Instant.ofEpochMilli(millis(trimmed, field)));
                }
                return Optional.of(OffsetDateTime.parse(trimmed).toInstant());
            }
        } catch (DateTimeException e) {
            throw new FieldException(field + " must be a time in milliseconds since the epoch or ISO-8601");
        }
        throw new FieldException(field + " must be a time in milliseconds since the epoch or ISO-8601");
    }

    /** A non-negative whole number of milliseconds (fractions dropped); empty when absent or null. */
    public static Optional<Long> nonNegativeMillis(Map<String, ?> map, String field) {
        Object value = map.get(field);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Number number) {
            long millis = millis(number, field);
            if (millis < 0) {
                throw new FieldException(field + " must not be negative");
            }
            return Optional.of(millis);
        }
        throw new FieldException(field + " must be a number");
    }

    /** A nested object; empty when absent or null. */
    @SuppressWarnings("unchecked")
    public static Optional<Map<String, Object>> object(Map<String, ?> map, String field) {
        Object value = map.get(field);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Map<?, ?> nested) {
            return Optional.of((Map<String, Object>) nested);
        }
        throw new FieldException(field + " must be an object");
    }

    /** A list field, or a single value read as a one-element list; empty list when absent or null. */
    public static List<Object> list(Map<String, ?> map, String field) {
        Object value = map.get(field);
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            return new ArrayList<>(list);
        }
        List<Object> single = new ArrayList<>();
        single.add(value);
        return single;
    }

    /**
     * The number as a whole long, or null when it is not one: a {@code Long} (or a smaller integer type) as it is,
     * any other number only when it is a finite double with no fraction within the range of a long. Never through
     * BigDecimal, whose cost grows with the digits and exponent of the input.
     */
    private static Long whole(Number number) {
        if (number instanceof Long || number instanceof Integer || number instanceof Short || number instanceof Byte) {
            return number.longValue();
        }
        double d = number.doubleValue();
        return inLongRange(d) && d == Math.rint(d) ? (long) d : null;
    }

    private static boolean inLongRange(double d) {
        // -2^63 is a long, 2^63 is not; NaN and the infinities fail both comparisons
        return d >= -0x1p63 && d < 0x1p63;
    }

    private static String integral(Number number, String field) {
        Long whole = whole(number);
        if (whole == null) {
            throw new FieldException(field + " must be a whole number within the range of a 64-bit integer");
        }
        return whole.toString();
    }

    /** Milliseconds from a number: fractions dropped (towards the past), out of the range of a long refused. */
    private static long millis(Number number, String field) {
        Long whole = whole(number);
        if (whole != null) {
            return whole;
        }
        double d = Math.floor(number.doubleValue());
        if (!inLongRange(d)) {
            throw new FieldException(field + " is out of range");
        }
        return (long) d;
    }

    /**
     * Milliseconds from a string of digits with at most one decimal point (the caller checked the characters):
     * the whole part read as a long of at most 18 digits, the fraction dropped.
     */
    private static long millis(String digits, String field) {
        int point = digits.indexOf('.');
        String whole = point < 0 ? digits : digits.substring(0, point);
        if (whole.length() > MAX_MILLIS_DIGITS || digits.equals(".") || point >= 0 && digits.indexOf('.', point + 1) > 0) {
            throw new FieldException(field + " must be a time in milliseconds since the epoch or ISO-8601");
        }
        return whole.isEmpty() ? 0 : Long.parseLong(whole);
    }

    private static String plain(Number number) {
        Long whole = whole(number);
        return whole != null ? whole.toString() : number.toString();
    }
}
