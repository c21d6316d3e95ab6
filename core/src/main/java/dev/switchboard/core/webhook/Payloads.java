package dev.switchboard.core.webhook;

import java.math.BigDecimal;
import java.math.BigInteger;
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
 * the expected type, never the value (a payload may carry personal data). Stateless and thread-safe.
 */
public final class Payloads {
    /** Longest identifier accepted (Dialpad ids are 64-bit integers; strings are allowed for safety). */
    public static final int MAX_ID_LENGTH = 128;

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
            return Optional.of(integral(number, field).toString());
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

    /** A string field; empty when absent, null or blank. Numbers are accepted and written in plain decimal. */
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
                    return Optional.of(Instant.ofEpochMilli(millis(new BigDecimal(trimmed), field)));
                }
                return Optional.of(OffsetDateTime.parse(trimmed).toInstant());
            }
        } catch (DateTimeException | NumberFormatException | ArithmeticException e) {
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

    private static BigInteger integral(Number number, String field) {
        try {
            return decimal(number).toBigIntegerExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw new FieldException(field + " must be a whole number");
        }
    }

    private static long millis(Number number, String field) {
        try {
            BigDecimal decimal = decimal(number);
            return decimal.setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw new FieldException(field + " is out of range");
        }
    }

    private static BigDecimal decimal(Number number) {
        if (number instanceof BigDecimal decimal) {
            return decimal;
        }
        if (number instanceof BigInteger integer) {
            return new BigDecimal(integer);
        }
        if (number instanceof Double || number instanceof Float) {
            double d = number.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException("not finite");
            }
            return BigDecimal.valueOf(d);
        }
        return BigDecimal.valueOf(number.longValue());
    }

    private static String plain(Number number) {
        try {
            return decimal(number).stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return number.toString();
        }
    }
}
