package dev.switchboard.persistence;

import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Test support shared by the OAuth store tests: a cipher, races, a column dump (apps come from {@link Apps}). */
final class OAuthStoreFixtures {
    private OAuthStoreFixtures() {
    }

    /** A cipher with one random key. */
    static SecretCipher cipher() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return SecretCipher.of("k-test", Map.of("k-test", key), new SecureRandom());
    }

    /** Runs {@code threads} copies of {@code task} released at the same instant; returns their results. */
    static <T> List<T> race(int threads, Callable<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return task.call();
                }));
            }
            ready.await();
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Every value of every text-like and bytea column of every table in the schema: text as is, bytea both decoded
     * as UTF-8 and as lowercase hex.
     */
    static List<String> dumpAllColumns(TestDatabase database) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = database.connect()) {
            List<String[]> columns = new ArrayList<>();
            try (Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("""
                         SELECT table_name, column_name, data_type FROM information_schema.columns
                         WHERE table_schema = 'public'
                           AND data_type IN ('text', 'character varying', 'character', 'bytea', 'jsonb', 'json')""")) {
                while (rows.next()) {
                    columns.add(new String[] {rows.getString(1), rows.getString(2), rows.getString(3)});
                }
            }
            for (String[] column : columns) {
                try (Statement statement = connection.createStatement();
                     ResultSet rows = statement.executeQuery(
                             "SELECT \"" + column[1] + "\" FROM \"" + column[0] + "\"")) {
                    while (rows.next()) {
                        if ("bytea".equals(column[2])) {
                            byte[] bytes = rows.getBytes(1);
                            if (bytes != null) {
                                values.add(new String(bytes, StandardCharsets.UTF_8));
                                values.add(HexFormat.of().formatHex(bytes));
                            }
                        } else {
                            String text = rows.getString(1);
                            if (text != null) {
                                values.add(text);
                            }
                        }
                    }
                }
            }
        }
        return values;
    }

    /** The lowercase hex of a string's UTF-8 bytes. */
    static String hex(String value) {
        return HexFormat.of().formatHex(value.getBytes(StandardCharsets.UTF_8));
    }
}
