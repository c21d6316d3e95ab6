package dev.switchboard.persistence;

import dev.switchboard.core.json.JsonCodec;
import dev.switchboard.core.push.PushEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * The sending half of {@link PostgresPushChannel}: push events as notifications on {@link PostgresPushChannel#CHANNEL}
 * inside the caller's transaction. PostgreSQL delivers a transaction's notifications when, and only when, it
 * commits, in the order they were sent, so a push sent with the change it reports exists exactly when that change
 * does. Stateless and thread-safe.
 *
 * <p>An event whose payload {@code {"event": {...}}} fits in {@link PostgresPushChannel#MAX_INLINE_BYTES} travels
 * inline; a larger one is written to {@code push_outbox} and only {@code {"outbox_id", "app_id"}} is notified (rows
 * older than {@link PostgresPushChannel#OUTBOX_RETENTION} are deleted then). However many events, at most three
 * statements: the notifications go out in one, which a caller may also fold into a statement of its own
 * ({@link #prepare}, then {@link #NOTIFY_ALL} as a subquery).
 */
final class PushNotifications {
    private static final Unnest<OutboxRow> OUTBOX_ROWS = Unnest.of(
            Unnest.uuid("id", OutboxRow::id),
            Unnest.uuid("app_id", OutboxRow::appId),
            Unnest.requiredText("payload", OutboxRow::payload));

    private record OutboxRow(UUID id, UUID appId, String payload) {
    }

    private PushNotifications() {
    }

    /**
     * Sends the payloads bound as {@code :payloads} (a text array) on the push channel bound as {@code :channel}, in
     * array order (unnest yields them in order, and pg_notify queues them in the order it is called); yields one
     * row, their number.
     */
    static final String NOTIFY_ALL = "SELECT count(pg_notify(:channel, t.payload)) AS sent "
            + "FROM unnest(CAST(:payloads AS text[])) WITH ORDINALITY AS t(payload, n)";

    /** Sends {@code events}, in this order, when the transaction of {@code handle} commits; {@code now} stamps the outbox. */
    static void send(Handle handle, List<PushEvent> events, Instant now) {
        sendPayloads(handle, prepare(handle, events, now));
    }

    /** Sends {@code payloads} from {@link #prepare}, in order, when the transaction of {@code handle} commits. */
    static void sendPayloads(Handle handle, List<String> payloads) {
        if (!payloads.isEmpty()) {
            bindPayloads(handle.createQuery(NOTIFY_ALL), payloads).mapTo(Long.class).one();
        }
    }

    /** Binds the {@code :channel} and {@code :payloads} of {@link #NOTIFY_ALL}, in a statement that holds it. */
    static Query bindPayloads(Query query, List<String> payloads) {
        return query.bind("channel", PostgresPushChannel.CHANNEL)
                .bind("payloads", SqlArrays.text(payloads));
    }

    /**
     * The notification payloads of {@code events}, in order, writing those too large to travel inline to the outbox
     * in the transaction of {@code handle} now; the caller sends the payloads with {@link #NOTIFY_ALL} in the same
     * transaction.
     */
    static List<String> prepare(Handle handle, List<PushEvent> events, Instant now) {
        if (events.isEmpty()) {
            return List.of();
        }
        List<String> payloads = new ArrayList<>(events.size());
        List<OutboxRow> outbox = new ArrayList<>();
        for (PushEvent event : events) {
            String eventJson = PushEventCodec.encode(event);
            String inline = "{\"event\":" + eventJson + "}";
            if (inline.getBytes(StandardCharsets.UTF_8).length <= PostgresPushChannel.MAX_INLINE_BYTES) {
                payloads.add(inline);
            } else {
                OutboxRow row = new OutboxRow(UUID.randomUUID(), event.appId(), eventJson);
                outbox.add(row);
                Map<String, Object> reference = new LinkedHashMap<>();
                reference.put("outbox_id", row.id().toString());
                reference.put("app_id", row.appId().toString());
                payloads.add(JsonCodec.write(reference));
            }
        }
        if (!outbox.isEmpty()) {
            handle.createUpdate("DELETE FROM push_outbox WHERE created_at < :cutoff")
                    .bind("cutoff", Sql.at(now.minus(PostgresPushChannel.OUTBOX_RETENTION)))
                    .execute();
            OUTBOX_ROWS.bind(handle.createUpdate("INSERT INTO push_outbox (" + OUTBOX_ROWS.names("")
                            + ", created_at) SELECT " + OUTBOX_ROWS.names("t") + ", :now FROM "
                            + OUTBOX_ROWS.from("t")), outbox)
                    .bind("now", Sql.at(now))
                    .execute();
        }
        return payloads;
    }
}
