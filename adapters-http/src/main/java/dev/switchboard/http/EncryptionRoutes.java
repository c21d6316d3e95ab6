package dev.switchboard.http;

import dev.switchboard.core.secrets.Resealer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@code GET /internal/encryption}, behind the internal bearer check of {@code /internal/*}: the key that seals new
 * values and how many stored rows each key seals, {@code {"active_key_id": "…", "keys": [{"key_id": "…",
 * "rows": n}, …]}}, the active key first, then by key id. Every key of the ring is listed, with 0 rows when it
 * seals none (the sign that an old key may be removed). A row is a connection (both its tokens), a pending OAuth
 * flow or a Dialpad webhook secret. Thread-safe.
 */
public final class EncryptionRoutes implements RouteGroup {
    private final Supplier<Resealer.Report> report;

    private EncryptionRoutes(Supplier<Resealer.Report> report) {
        this.report = report;
    }

    /** The route answering with what {@code report} gives at each request. */
    public static EncryptionRoutes create(Supplier<Resealer.Report> report) {
        return new EncryptionRoutes(Objects.requireNonNull(report, "report"));
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get("/internal/encryption", this::show);
    }

    private void show(Context ctx) {
        Resealer.Report current = report.get();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("active_key_id", current.activeKeyId());
        body.put("keys", current.keys().stream().map(key -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("key_id", key.keyId());
            entry.put("rows", key.rows());
            return entry;
        }).toList());
        ctx.json(body);
    }
}
