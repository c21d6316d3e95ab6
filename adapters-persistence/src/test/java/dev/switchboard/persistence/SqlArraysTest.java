package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.TestDatabase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.argument.Argument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Array parameters reach PostgreSQL element for element, whatever the elements hold. */
class SqlArraysTest {
    private static TestDatabase testDatabase;
    private static Database database;

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 1));
    }

    @AfterAll
    static void close() {
        database.close();
        testDatabase.close();
    }

    @Test
    void textKeepsQuotesBackslashesBracesCommasSpacesNullsAndNonAsciiAsTheyAre() {
        List<String> values = Arrays.asList("{\"a\":\"b\\\"c\",\"d\":[1,2]}", "", null, "NULL", " spaced ",
                "back\\slash", "{}", "é ü 中文 😀", "line\nbreak\ttab", "a,b;c");

        assertThat(roundTrip("text", SqlArrays.text(values))).isEqualTo(values);
    }

    @Test
    void uuidsArriveAsUuidsWithTheirNulls() {
        List<UUID> values = Arrays.asList(UUID.randomUUID(), null, UUID.randomUUID());

        List<String> back = roundTrip("uuid", SqlArrays.uuids(values));

        assertThat(back).containsExactly(values.get(0).toString(), null, values.get(2).toString());
        String type = database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT pg_typeof(CAST(:a AS uuid[]))::text").bind("a", SqlArrays.uuids(values))
                .mapTo(String.class).one());
        assertThat(type).isEqualTo("uuid[]");
    }

    @Test
    void integersAndBigintsKeepTheirValuesNullsAndExtremes() {
        List<Integer> ints = Arrays.asList(Integer.MIN_VALUE, -1, 0, null, Integer.MAX_VALUE);
        List<Long> longs = Arrays.asList(Long.MIN_VALUE, null, 0L, 13_000_000_000L, Long.MAX_VALUE);

        assertThat(roundTrip("int", SqlArrays.ints(ints))).containsExactly(
                String.valueOf(Integer.MIN_VALUE), "-1", "0", null, String.valueOf(Integer.MAX_VALUE));
        assertThat(roundTrip("bigint", SqlArrays.bigints(longs))).containsExactly(
                String.valueOf(Long.MIN_VALUE), null, "0", "13000000000", String.valueOf(Long.MAX_VALUE));
    }

    @Test
    void anEmptyArrayIsNoRows() {
        assertThat(roundTrip("text", SqlArrays.text(List.of()))).isEmpty();
    }

    /** The elements of the array bound as {@code :a}, cast to {@code type[]}, as text, in order. */
    private static List<String> roundTrip(String type, Argument array) {
        return database.jdbi().withHandle(handle -> {
            List<String> out = new ArrayList<>();
            handle.createQuery("SELECT v::text FROM unnest(CAST(:a AS " + type + "[])) WITH ORDINALITY AS t(v, n) "
                            + "ORDER BY n")
                    .bind("a", array)
                    .map((rs, ctx) -> rs.getString(1))
                    .forEach(out::add);
            return out;
        });
    }
}
