package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class TestDatabaseTest {
    @Test
    void createWhenCalledThenGivesAnEmptyDatabaseThatCloseDrops() throws Exception {
        String name;
        try (TestDatabase database = TestDatabase.create()) {
            name = database.name();
            try (Connection connection = database.connect(); Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT current_database()")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo(name);
            }
        }
        assertThat(name).startsWith("sb_test_");
    }

    @Test
    void withDatabaseWhenUrlHasQueryThenKeepsIt() {
        assertThat(TestDatabase.withDatabase("jdbc:postgresql://127.0.0.1:5432/test?user=postgres", "x"))
                .isEqualTo("jdbc:postgresql://127.0.0.1:5432/x?user=postgres");
        assertThat(TestDatabase.withDatabase("jdbc:postgresql://localhost:5432/", "x"))
                .isEqualTo("jdbc:postgresql://localhost:5432/x");
    }
}
