package dev.switchboard.core.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.testing.InMemorySealedRows;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResealerTest {
    private static final byte[] KEY_A = key(1);
    private static final byte[] KEY_B = key(2);
    private final SecureRandom random = new SecureRandom();
    private final SecretCipher onlyA = SecretCipher.of("a", Map.of("a", KEY_A), random);
    private final SecretCipher bThenA = SecretCipher.of("b", ring("b", KEY_B, "a", KEY_A), random);
    private final InMemorySealedRows rows = new InMemorySealedRows();

    @Test
    void aBatchResealsRowsUnderTheCurrentKeyAndTheyStillOpen() {
        for (int i = 0; i < 3; i++) {
            rows.put(row(onlyA, "connection", "c" + i, "access-" + i, "refresh-" + i));
        }
        Resealer resealer = Resealer.create(rows, bThenA);

        Resealer.Batch batch = resealer.resealBatch(500);

        assertThat(batch).isEqualTo(new Resealer.Batch(3, 3, 0, 0));
        SealedRows.Row moved = rows.get("connection", "c1");
        assertThat(moved.values()).allSatisfy(value -> assertThat(value.sealed().keyId()).isEqualTo("b"));
        assertThat(bThenA.openString(moved.values().get(0).sealed(), "connection/c1/0")).isEqualTo("access-1");
        assertThat(bThenA.openString(moved.values().get(1).sealed(), "connection/c1/1")).isEqualTo("refresh-1");
        assertThat(resealer.resealBatch(500).read()).isZero();
    }

    @Test
    void batchesAreBoundedByTheLimitAndResumeWhereTheLastOneStopped() {
        for (int i = 0; i < 5; i++) {
            rows.put(row(onlyA, "webhook", "w" + i, "secret-" + i));
        }
        Resealer resealer = Resealer.create(rows, bThenA);

        assertThat(resealer.resealBatch(2).resealed()).isEqualTo(2);
        assertThat(resealer.resealBatch(2).resealed()).isEqualTo(2);
        assertThat(resealer.resealBatch(2).resealed()).isEqualTo(1);
        assertThat(resealer.resealBatch(2).read()).isZero();
        assertThat(rows.rowsPerKeyId()).containsExactly(Map.entry("b", 5L));
    }

    @Test
    void aRowRewrittenBetweenReadAndWriteKeepsTheNewerValue() {
        rows.put(row(onlyA, "connection", "c", "old-access"));
        SealedRows changing = new SealedRowsWithWriteBetween(rows,
                () -> rows.put(row(bThenA, "connection", "c", "new-access")));

        Resealer.Batch batch = Resealer.create(changing, bThenA).resealBatch(10);

        assertThat(batch).isEqualTo(new Resealer.Batch(1, 0, 1, 0));
        assertThat(bThenA.openString(rows.get("connection", "c").values().get(0).sealed(), "connection/c/0"))
                .isEqualTo("new-access");
    }

    @Test
    void aValueThatDoesNotOpenIsCountedAndLeftAsItIs() {
        SealedRows.Row good = row(onlyA, "flow", "f", "verifier");
        SealedRows.Row bad = new SealedRows.Row("flow", "g",
                List.of(new SealedRows.Value(good.values().get(0).sealed(), "another row")));
        rows.put(bad);

        Resealer.Batch batch = Resealer.create(rows, bThenA).resealBatch(10);

        assertThat(batch).isEqualTo(new Resealer.Batch(1, 0, 0, 1));
        assertThat(rows.get("flow", "g")).isEqualTo(bad);
    }

    @Test
    void unreadableRowsFirstInTheStoreDoNotHoldBackTheRowsBehindThem() {
        SealedRows.Row sample = row(onlyA, "flow", "sample", "verifier");
        for (int i = 0; i < 3; i++) {
            rows.put(new SealedRows.Row("flow", "bad" + i,
                    List.of(new SealedRows.Value(sample.values().get(0).sealed(), "another row"))));
        }
        for (int i = 0; i < 2; i++) {
            rows.put(row(onlyA, "flow", "good" + i, "verifier-" + i));
        }
        Resealer resealer = Resealer.create(rows, bThenA);

        assertThat(resealer.resealBatch(2)).isEqualTo(new Resealer.Batch(2, 0, 0, 2));
        assertThat(resealer.resealBatch(2)).isEqualTo(new Resealer.Batch(2, 1, 0, 1));
        assertThat(resealer.resealBatch(2)).isEqualTo(new Resealer.Batch(1, 1, 0, 0));
        assertThat(resealer.resealBatch(2).read()).isZero();
        assertThat(rows.rowsPerKeyId()).containsOnly(Map.entry("a", 3L), Map.entry("b", 2L));
    }

    @Test
    void rowsUnderAKeyOutsideTheRingAreNeitherReadNorMovedButReportedMissing() {
        SecretCipher onlyC = SecretCipher.of("c", Map.of("c", key(3)), random);
        rows.put(row(onlyC, "webhook", "w", "secret"));
        rows.put(row(onlyA, "webhook", "v", "secret"));
        Resealer resealer = Resealer.create(rows, bThenA);

        assertThat(resealer.resealBatch(10)).isEqualTo(new Resealer.Batch(1, 1, 0, 0));
        assertThat(resealer.missingKeyIds()).containsExactly("c");
        assertThat(Resealer.create(rows, onlyC).missingKeyIds()).containsExactly("b");
    }

    @Test
    void theReportListsTheCurrentKeyFirstAndConfiguredKeysWithoutRows() {
        rows.put(row(onlyA, "webhook", "w", "secret"));

        Resealer.Report report = Resealer.create(rows, bThenA).report();

        assertThat(report.activeKeyId()).isEqualTo("b");
        assertThat(report.keys()).containsExactly(new Resealer.KeyRows("b", 0), new Resealer.KeyRows("a", 1));
    }

    @Test
    void aKeyRingIsParsedInOrderAndAProblemNamesTheKeyIdNeverTheKey() {
        String a = Base64.getEncoder().encodeToString(KEY_A);
        String b = Base64.getEncoder().encodeToString(KEY_B);

        SecretCipher cipher = SecretCipher.fromKeyRing("b:" + b + ", a:" + a, random);

        assertThat(cipher.currentKeyId()).isEqualTo("b");
        assertThat(cipher.keyIds()).containsExactly("a", "b");
        assertThat(SecretCipher.fromKeyRing(a, random).currentKeyId()).isEqualTo(SecretCipher.keyId(KEY_A));
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> SecretCipher.parseKeyRing("b:" + b + ",old:" + shortKey))
                .hasMessageContaining("old").hasMessageNotContaining(shortKey).hasMessageNotContaining(b);
        assertThatThrownBy(() -> SecretCipher.parseKeyRing("b:" + b + ",b:" + a)).hasMessageContaining("twice");
        assertThatThrownBy(() -> SecretCipher.parseKeyRing(":" + b)).hasMessageContaining("entry 1");
    }

    private static SealedRows.Row row(SecretCipher cipher, String kind, String id, String... plaintexts) {
        List<SealedRows.Value> values = new java.util.ArrayList<>();
        for (int i = 0; i < plaintexts.length; i++) {
            String data = kind + "/" + id + "/" + i;
            values.add(new SealedRows.Value(cipher.sealString(plaintexts[i], data), data));
        }
        return new SealedRows.Row(kind, id, values);
    }

    private static byte[] key(int seed) {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) seed);
        return key;
    }

    private static Map<String, byte[]> ring(String firstId, byte[] first, String secondId, byte[] second) {
        Map<String, byte[]> ring = new LinkedHashMap<>();
        ring.put(firstId, first);
        ring.put(secondId, second);
        return ring;
    }

    /** Delegates, running {@code between} after the read, as a concurrent request would. */
    private record SealedRowsWithWriteBetween(SealedRows delegate, Runnable between) implements SealedRows {
        @Override
        public List<Row> sealedUnderOtherKeys(String activeKeyId, java.util.Set<String> readable, int limit) {
            List<Row> found = delegate.sealedUnderOtherKeys(activeKeyId, readable, limit);
            between.run();
            return found;
        }

        @Override
        public int replace(List<Replacement> replacements) {
            return delegate.replace(replacements);
        }

        @Override
        public Map<String, Long> rowsPerKeyId() {
            return delegate.rowsPerKeyId();
        }
    }
}
