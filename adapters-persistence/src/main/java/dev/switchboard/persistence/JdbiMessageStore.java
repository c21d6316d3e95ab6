package dev.switchboard.persistence;

import dev.switchboard.core.json.JsonCodec;
import dev.switchboard.core.messages.Message;
import dev.switchboard.core.messages.MessageDirection;
import dev.switchboard.core.messages.MessageFilter;
import dev.switchboard.core.messages.MessageInsert;
import dev.switchboard.core.messages.MessagePage;
import dev.switchboard.core.messages.NewMessage;
import dev.switchboard.core.messages.MessageStore;
import dev.switchboard.core.messages.SmsEvent;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.StatementContext;

/** {@link MessageStore} on the {@code messages} table. Thread-safe. */
public final class JdbiMessageStore implements MessageStore {
    private static final String COLUMNS = "id, app_id, dialpad_message_id, direction, from_number, to_numbers, body, "
            + "dialpad_user_id, created_at";

    private static final Unnest<NewMessage> MESSAGE_ROWS = Unnest.of(
            Unnest.uuid("id", m -> UUID.randomUUID()),
            Unnest.uuid("app_id", NewMessage::appId),
            Unnest.requiredText("dialpad_message_id", m -> m.event().dialpadMessageId()),
            Unnest.requiredText("direction", m -> m.event().direction().jsonName()),
            Unnest.text("from_number", m -> m.event().fromNumber()),
            Unnest.requiredText("to_numbers", m -> JsonCodec.write(m.event().toNumbers())),
            Unnest.text("body", m -> m.event().text()),
            Unnest.text("dialpad_user_id", m -> m.event().dialpadUserId()),
            Unnest.timestamptz("created_at", m -> Optional.of(m.event().createdAt().orElse(m.receivedAt()))));
    // to_numbers travels as a JSON array per row: unnest cannot take a list of lists of different lengths
    private static final String INSERT_ALL = "INSERT INTO messages (" + COLUMNS + ") SELECT t.id, t.app_id, "
            + "t.dialpad_message_id, t.direction, t.from_number, "
            + "ARRAY(SELECT json_array_elements_text(CAST(t.to_numbers AS json))), t.body, t.dialpad_user_id, "
            + "t.created_at FROM " + MESSAGE_ROWS.from("t") + " ORDER BY t.app_id, t.dialpad_message_id "
            + "ON CONFLICT (app_id, dialpad_message_id) DO NOTHING RETURNING " + COLUMNS;

    private final Jdbi jdbi;

    private JdbiMessageStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A store on {@code database}. */
    public static JdbiMessageStore create(Database database) {
        return new JdbiMessageStore(Objects.requireNonNull(database, "database").jdbi());
    }

    @Override
    public MessageInsert insert(UUID appId, SmsEvent event, Instant receivedAt) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(receivedAt, "receivedAt");
        return PersistenceErrors.call("store a message", () -> jdbi.withHandle(handle -> {
            Optional<Message> inserted = handle.createQuery("INSERT INTO messages (" + COLUMNS + ") VALUES (:id, :app, "
                            + ":dp, :direction, :from, :to, :body, :user, :created) "
                            + "ON CONFLICT (app_id, dialpad_message_id) DO NOTHING RETURNING " + COLUMNS)
                    .bind("id", UUID.randomUUID())
                    .bind("app", appId)
                    .bind("dp", event.dialpadMessageId())
                    .bind("direction", event.direction().jsonName())
                    .bind("from", event.fromNumber().orElse(null))
                    .bindArray("to", String.class, event.toNumbers())
                    .bind("body", event.text().orElse(null))
                    .bind("user", event.dialpadUserId().orElse(null))
                    .bind("created", Sql.at(event.createdAt().orElse(receivedAt)))
                    .map(JdbiMessageStore::row)
                    .findOne();
            if (inserted.isPresent()) {
                return new MessageInsert.Inserted(inserted.get());
            }
            // ON CONFLICT waited for the other insert to commit, so the row is visible to this new statement.
            return new MessageInsert.Duplicate(handle.createQuery("SELECT " + COLUMNS + " FROM messages "
                            + "WHERE app_id = :app AND dialpad_message_id = :dp")
                    .bind("app", appId)
                    .bind("dp", event.dialpadMessageId())
                    .map(JdbiMessageStore::row)
                    .one());
        }));
    }

    /**
     * Inserts the messages that their app does not have yet in the transaction of {@code handle}, in one statement
     * (rows in key order, so concurrent inserts of overlapping messages wait rather than deadlock), and returns
     * those inserted. Messages of one app must have distinct Dialpad ids.
     */
    static List<Message> insertAll(Handle handle, List<NewMessage> messages) {
        if (messages.isEmpty()) {
            return List.of();
        }
        return MESSAGE_ROWS.bind(handle.createQuery(INSERT_ALL), messages)
                .map(JdbiMessageStore::row)
                .list();
    }

    @Override
    public Optional<Message> find(UUID appId, UUID id) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(id, "id");
        return PersistenceErrors.call("read a message", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM messages WHERE app_id = :app AND id = :id")
                .bind("app", appId)
                .bind("id", id)
                .map(JdbiMessageStore::row)
                .findOne()));
    }

    @Override
    public Optional<Message> findByDialpadId(UUID appId, String dialpadMessageId) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(dialpadMessageId, "dialpadMessageId");
        return PersistenceErrors.call("read a message", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM messages WHERE app_id = :app AND dialpad_message_id = :dp")
                .bind("app", appId)
                .bind("dp", dialpadMessageId)
                .map(JdbiMessageStore::row)
                .findOne()));
    }

    @Override
    public MessagePage list(UUID appId, MessageFilter filter) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(filter, "filter");
        List<String> where = new ArrayList<>(List.of("app_id = :app"));
        filter.direction().ifPresent(d -> where.add("direction = :direction"));
        filter.createdFrom().ifPresent(f -> where.add("created_at >= :created_from"));
        filter.createdTo().ifPresent(t -> where.add("created_at < :created_to"));
        filter.fromNumber().ifPresent(n -> where.add("from_number = :from_number"));
        filter.toNumber().ifPresent(n -> where.add(":to_number = ANY (to_numbers)"));
        filter.dialpadUserId().ifPresent(u -> where.add("dialpad_user_id = :user"));
        String sql = PagedQuery.sql(COLUMNS, "messages", String.join(" AND ", where), List.of("created_at DESC", "id"));
        return PersistenceErrors.call("list messages", () -> jdbi.withHandle(handle -> {
            PagedQuery.Page<Message> page = PagedQuery.read(bindFilter(handle.createQuery(sql), appId, filter),
                    filter.limit(), filter.offset(), JdbiMessageStore::row);
            return new MessagePage(page.rows(), page.total(), filter.limit(), filter.offset());
        }));
    }

    private static <S extends SqlStatement<S>> S bindFilter(S statement, UUID appId, MessageFilter filter) {
        statement.bind("app", appId);
        filter.direction().ifPresent(d -> statement.bind("direction", d.jsonName()));
        filter.createdFrom().ifPresent(f -> statement.bind("created_from", Sql.at(f)));
        filter.createdTo().ifPresent(t -> statement.bind("created_to", Sql.at(t)));
        filter.fromNumber().ifPresent(n -> statement.bind("from_number", n));
        filter.toNumber().ifPresent(n -> statement.bind("to_number", n));
        filter.dialpadUserId().ifPresent(u -> statement.bind("user", u));
        return statement;
    }

    private static Message row(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Message(Sql.uuid(rs, "id"), Sql.uuid(rs, "app_id"), rs.getString("dialpad_message_id"),
                MessageDirection.fromJson(rs.getString("direction"))
                        .orElseThrow(() -> new SQLException("unknown message direction in the database")),
                Sql.optionalText(rs, "from_number"), Sql.textArray(rs, "to_numbers"), Sql.optionalText(rs, "body"),
                Sql.optionalText(rs, "dialpad_user_id"), Sql.instant(rs, "created_at"));
    }
}
