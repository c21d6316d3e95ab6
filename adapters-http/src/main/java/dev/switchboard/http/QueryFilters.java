package dev.switchboard.http;

import io.javalin.http.Context;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the query parameters of the data API into typed filters. Every rule answers 400 {@code invalid_filter} with
 * a message that names the parameter and what it accepts, and never quotes the value sent.
 *
 * <p>Rules shared by every parameter: an absent or blank parameter is no filter (clients that send {@code status=}
 * for "any" keep working); a parameter given twice is 400; parameters the route does not know are ignored.
 */
final class QueryFilters {
    static final String INVALID_FILTER = "invalid_filter";
    private static final int MAX_OFFSET = 1_000_000;
    private static final int MAX_TEXT = 64;
    private static final Pattern CANONICAL_UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    /**
     * A time range over the request's {@code from} and {@code to}: {@code from} inclusive, {@code to} exclusive.
     * Each is an ISO-8601 instant with an offset ({@code 2024-05-01T09:30:00Z}, {@code ...+02:00}) or a date
     * ({@code 2024-05-01}, read in UTC). A date in {@code from} means the start of that day, a date in {@code to}
     * the end of that day, so {@code from=2024-05-01&to=2024-05-01} is that whole day.
     */
    record TimeRange(Optional<Instant> from, Optional<Instant> to) {
    }

    private QueryFilters() {
    }

    /** The single value of {@code name}, stripped; empty when absent or blank; 400 when given more than once. */
    static Optional<String> single(Context ctx, String name) {
        List<String> values = ctx.queryParams(name);
        if (values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw invalid(name + " may be given only once.");
        }
        String value = values.get(0);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    /** {@code name} read with {@code parse} (empty for a value it refuses, which becomes 400 with {@code accepts}). */
    static <T> Optional<T> choice(Context ctx, String name, Function<String, Optional<T>> parse, String accepts) {
        Optional<String> raw = single(ctx, name);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(parse.apply(raw.get()).orElseThrow(() -> invalid(name + " must be one of " + accepts + ".")));
    }

    /** {@code limit}: 1 to {@code max}, {@code defaultLimit} when absent. */
    static int limit(Context ctx, int defaultLimit, int max) {
        return integer(ctx, "limit", 1, max).orElse(defaultLimit);
    }

    /** {@code offset}: 0 or more (at most 1,000,000), 0 when absent. */
    static int offset(Context ctx) {
        return integer(ctx, "offset", 0, MAX_OFFSET).orElse(0);
    }

    /** {@code from} and {@code to} as described on {@link TimeRange}; 400 when {@code to} is not after {@code from}. */
    static TimeRange timeRange(Context ctx) {
        Optional<Instant> from = single(ctx, "from").map(value -> instant("from", value, false));
        Optional<Instant> to = single(ctx, "to").map(value -> instant("to", value, true));
        if (from.isPresent() && to.isPresent() && !to.get().isAfter(from.get())) {
            throw invalid("to must be later than from.");
        }
        return new TimeRange(from, to);
    }

    /** A free-text filter such as a phone number or a Dialpad user id: at most 64 characters, no control characters. */
    static Optional<String> text(Context ctx, String name) {
        Optional<String> value = single(ctx, name);
        if (value.isPresent() && (value.get().length() > MAX_TEXT || value.get().chars().anyMatch(Character::isISOControl))) {
            throw invalid(name + " must be at most " + MAX_TEXT + " characters without control characters.");
        }
        return value;
    }

    /** {@code value} as a UUID in canonical 8-4-4-4-12 form (any case), or empty. */
    static Optional<UUID> uuid(String value) {
        if (value == null || !CANONICAL_UUID.matcher(value).matches()) {
            return Optional.empty();
        }
        return Optional.of(UUID.fromString(value));
    }

    static Problem invalid(String message) {
        return Problems.badRequest(INVALID_FILTER, message);
    }

    private static Optional<Integer> integer(Context ctx, String name, int min, int max) {
        Optional<String> raw = single(ctx, name);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        String value = raw.get();
        String accepts = name + " must be a whole number from " + min + " to " + max + ".";
        // digits only: no sign, no exponent, and short enough that parsing cannot overflow
        if (value.length() > 9 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(accepts);
        }
        int number = Integer.parseInt(value);
        if (number < min || number > max) {
            throw invalid(accepts);
        }
        return Optional.of(number);
    }

    private static Instant instant(String name, String raw, boolean endOfDay) {
        // an unencoded "+02:00" arrives as " 02:00" (form decoding); a space is never valid here, so read it back
        String value = raw.replace(' ', '+');
        try {
            if (DATE.matcher(value).matches()) {
                LocalDate date = LocalDate.parse(value, DateTimeFormatter.ISO_LOCAL_DATE);
                return (endOfDay ? date.plusDays(1) : date).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeException e) {
            throw invalid(name + " must be an ISO-8601 date (2024-05-01) or instant with offset "
                    + "(2024-05-01T09:30:00Z).");
        }
    }
}
