package dev.switchboard.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditExport;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The audit export of the internal API: {@code GET /internal/audit?app_id=&since=&until=&format=},
 * behind the internal bearer check of {@code /internal/*}.
 *
 * <p>Every filter is optional: {@code app_id} (a UUID; absent: every app, and the events about no app),
 * {@code since} (inclusive) and {@code until} (exclusive), ISO-8601 instants with {@code Z} or an offset (absent: the
 * whole trail). {@code format} is {@code json} (default) {@code {"events": [event, …]}}, {@code ndjson}
 * ({@code application/x-ndjson}, one event object per line) or {@code csv} ({@code text/csv}, RFC 4180: a header
 * line {@code at,event,app_id,actor,client_ip,details}, CRLF line ends, fields quoted when they hold a comma, a quote
 * or a line break). An event is {@code at}, {@code event}, {@code app_id}, {@code actor}, {@code client_ip} and
 * {@code details} (an object; in CSV its JSON text). Oldest first.
 *
 * <p>In CSV a cell starting with {@code = + - @}, a tab or a carriage return gets a leading {@code '}, so that a
 * spreadsheet opening the file does not run it as a formula (CSV injection); nothing else is altered.
 *
 * <p>The answer is streamed: the trail is read a page at a time ({@link AuditExport}) and written as it comes, so an
 * export of any size holds one page in memory. The first page is read before the status is sent, so an unreachable
 * database is still a 503; a failure later can only cut the stream short. Errors: 400 {@code invalid_app_id},
 * {@code invalid_since}, {@code invalid_until}, {@code invalid_range} (until before since), {@code invalid_format}.
 * Thread-safe.
 */
public final class AuditExportRoutes implements RouteGroup {
    /** The CSV header line, also the field order of every format. */
    static final String CSV_HEADER = "at,event,app_id,actor,client_ip,details";
    private static final Instant START_OF_TIME = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant END_OF_TIME = Instant.parse("9999-12-31T23:59:59Z");
    private static final ObjectMapper MAPPER = HttpServer.objectMapper();

    private final AuditExport export;
    private final Predicate<UUID> appExists;

    private AuditExportRoutes(AuditExport export, Predicate<UUID> appExists) {
        this.export = export;
        this.appExists = appExists;
    }

    /**
     * The route over {@code export}; {@code appExists} tells whether an app has the id: an {@code app_id} that is
     * neither an app nor in the log is answered 404 {@code app_not_found}.
     */
    public static AuditExportRoutes create(AuditExport export, Predicate<UUID> appExists) {
        return new AuditExportRoutes(Objects.requireNonNull(export, "export"),
                Objects.requireNonNull(appExists, "appExists"));
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get("/internal/audit", this::export);
    }

    private enum Format { JSON, NDJSON, CSV }

    private void export(Context ctx) throws IOException {
        Optional<UUID> appId = Requests.uuidQuery(ctx, "app_id", "invalid_app_id");
        Instant since = instant(ctx, "since").orElse(Instant.EPOCH);
        Instant until = instant(ctx, "until").orElse(END_OF_TIME);
        if (until.isBefore(since)) {
            throw Problems.badRequest("invalid_range", "until must not be before since.");
        }
        Format format = format(ctx.queryParam("format"));
        Iterator<AuditEvent> events = export.events(appId, since, until);
        // 404 only for an id that names no app and has nothing in the log: what the log holds of an id is shown,
        // even of one that never was an app (a rejected delivery to an unknown app's path)
        if (appId.isPresent() && !events.hasNext() && !appExists.test(appId.get())) {
            throw Problems.notFound("app_not_found", "No app has this id.");
        }

        ctx.status(200);
        switch (format) {
            case JSON -> {
                ctx.contentType("application/json");
                writeJson(events, ctx.outputStream());
            }
            case NDJSON -> {
                ctx.contentType("application/x-ndjson");
                writeNdjson(events, ctx.outputStream());
            }
            case CSV -> {
                ctx.contentType("text/csv; charset=utf-8");
                ctx.header("Content-Disposition", "attachment; filename=\"audit.csv\"");
                writeCsv(events, ctx.outputStream());
            }
            default -> throw new IllegalStateException("unknown format");
        }
    }

    private static Optional<Instant> instant(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null) {
            return Optional.empty();
        }
        Problem invalid = Problems.badRequest("invalid_" + name,
                name + " must be an ISO-8601 instant between the years 0 and 9999, such as 2025-03-01T10:00:00Z.");
        Instant instant;
        try {
            // An unencoded '+' of an offset arrives as a space.
            instant = OffsetDateTime.parse(value.strip().replace(' ', '+')).toInstant();
        } catch (DateTimeParseException e) {
            throw invalid;
        }
        if (instant.isBefore(START_OF_TIME) || instant.isAfter(END_OF_TIME)) {
            throw invalid;
        }
        return Optional.of(instant);
    }

    private static Format format(String value) {
        if (value == null) {
            return Format.JSON;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "json" -> Format.JSON;
            case "ndjson" -> Format.NDJSON;
            case "csv" -> Format.CSV;
            default -> throw Problems.badRequest("invalid_format", "format must be json, ndjson or csv.");
        };
    }

    static void writeJson(Iterator<AuditEvent> events, OutputStream out) throws IOException {
        try (JsonGenerator json = MAPPER.createGenerator(out)) {
            json.writeStartObject();
            json.writeArrayFieldStart("events");
            while (events.hasNext()) {
                json.writeObject(fields(events.next()));
            }
            json.writeEndArray();
            json.writeEndObject();
        }
    }

    static void writeNdjson(Iterator<AuditEvent> events, OutputStream out) throws IOException {
        try (Writer writer = writer(out)) {
            while (events.hasNext()) {
                writer.write(MAPPER.writeValueAsString(fields(events.next())));
                writer.write('\n');
            }
        }
    }

    static void writeCsv(Iterator<AuditEvent> events, OutputStream out) throws IOException {
        try (Writer writer = writer(out)) {
            writer.write(CSV_HEADER);
            writer.write("\r\n");
            while (events.hasNext()) {
                AuditEvent event = events.next();
                writer.write(csvCell(event.at().toString()));
                writer.write(',');
                writer.write(csvCell(event.type().code()));
                writer.write(',');
                writer.write(csvCell(event.appId().map(UUID::toString).orElse("")));
                writer.write(',');
                writer.write(csvCell(event.actor()));
                writer.write(',');
                writer.write(csvCell(event.clientIp().orElse("")));
                writer.write(',');
                writer.write(csvCell(event.details().isEmpty() ? "" : json(new TreeMap<>(event.details()))));
                writer.write("\r\n");
            }
        }
    }

    /**
     * One CSV field: a leading {@code '} when a spreadsheet would read the text as a formula, then RFC 4180 quoting
     * (the field in double quotes, each quote doubled) when it holds a comma, a quote, CR or LF.
     */
    static String csvCell(String value) {
        String cell = value;
        if (!cell.isEmpty() && "=+-@\t\r".indexOf(cell.charAt(0)) >= 0) {
            cell = "'" + cell;
        }
        if (cell.indexOf(',') >= 0 || cell.indexOf('"') >= 0 || cell.indexOf('\n') >= 0 || cell.indexOf('\r') >= 0) {
            return '"' + cell.replace("\"", "\"\"") + '"';
        }
        return cell;
    }

    private static Map<String, Object> fields(AuditEvent event) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("at", event.at().toString());
        fields.put("event", event.type().code());
        fields.put("app_id", event.appId().map(UUID::toString).orElse(null));
        fields.put("actor", event.actor());
        fields.put("client_ip", event.clientIp().orElse(null));
        fields.put("details", new TreeMap<>(event.details()));
        return fields;
    }

    private static String json(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Writer writer(OutputStream out) {
        return new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 16 * 1024);
    }
}
