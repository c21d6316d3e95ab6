package dev.switchboard.persistence;

import dev.switchboard.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/** Inserts apps with plain SQL, so these tests do not depend on the app store. */
final class Apps {
    private Apps() {
    }

    static UUID insert(TestDatabase database) {
        UUID id = UUID.randomUUID();
        try (Connection connection = database.connect();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO apps (id, name) VALUES (?, ?)")) {
            insert.setObject(1, id);
            insert.setString(2, "app " + id);
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return id;
    }
}
