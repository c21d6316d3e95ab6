package dev.switchboard.core.secrets;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Moves sealed values to the cipher's current key one small batch at a time, and reports which keys seal what.
 * Each batch reads rows under another readable key, opens them, seals them again under the current key and writes
 * each back only if it did not change since the read; so a crash loses nothing (the next batch finds what is left)
 * and a request that rewrites a row meanwhile wins. Thread-safe when its port is.
 */
public final class Resealer {
    /**
     * Most unreadable rows remembered so that later batches read past them; beyond it a run may read the same
     * unreadable rows again (each is still counted), which only a store with that many tampered rows would meet.
     */
    public static final int MAX_REMEMBERED_UNREADABLE = 10_000;

    private final SealedRows rows;
    private final SecretCipher cipher;
    private final Set<String> unreadableRows = ConcurrentHashMap.newKeySet();

    private Resealer(SealedRows rows, SecretCipher cipher) {
        this.rows = rows;
        this.cipher = cipher;
    }

    /** A resealer of {@code rows} with {@code cipher}'s current key. */
    public static Resealer create(SealedRows rows, SecretCipher cipher) {
        return new Resealer(Objects.requireNonNull(rows, "rows"), Objects.requireNonNull(cipher, "cipher"));
    }

    /** Re-seals up to {@code limit} rows; {@link Batch#read()} is 0 when nothing readable is left to move. */
    public Batch resealBatch(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive");
        }
        // rows that did not open are read past, so that they never hold back the rows behind them
        List<SealedRows.Row> batch = rows.sealedUnderOtherKeys(cipher.currentKeyId(), cipher.keyIds(),
                        limit + unreadableRows.size()).stream()
                .filter(row -> !unreadableRows.contains(identity(row))).limit(limit).toList();
        List<SealedRows.Replacement> replacements = new ArrayList<>(batch.size());
        int unreadable = 0;
        for (SealedRows.Row row : batch) {
            List<Sealed> fresh = new ArrayList<>(row.values().size());
            try {
                for (SealedRows.Value value : row.values()) {
                    byte[] data = value.associatedData().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    fresh.add(cipher.seal(cipher.open(value.sealed(), data), data));
                }
            } catch (SecretCipher.SecretCipherException e) {
                // a tampered value stays as it is: its reader reports it, moving it would hide that
                unreadable++;
                if (unreadableRows.size() < MAX_REMEMBERED_UNREADABLE) {
                    unreadableRows.add(identity(row));
                }
                continue;
            }
            replacements.add(new SealedRows.Replacement(row, fresh));
        }
        int resealed = replacements.isEmpty() ? 0 : rows.replace(replacements);
        return new Batch(batch.size(), resealed, replacements.size() - resealed, unreadable);
    }

    private static String identity(SealedRows.Row row) {
        return row.kind() + "/" + row.id();
    }

    /** The current key and, for each key id of the ring or of a stored row, how many rows it seals. */
    public Report report() {
        Map<String, Long> counted = new TreeMap<>(rows.rowsPerKeyId());
        cipher.keyIds().forEach(id -> counted.putIfAbsent(id, 0L));
        List<KeyRows> keys = new ArrayList<>();
        counted.forEach((id, count) -> keys.add(new KeyRows(id, count)));
        String current = cipher.currentKeyId();
        keys.sort(Comparator.comparing((KeyRows k) -> !k.keyId().equals(current)).thenComparing(KeyRows::keyId));
        return new Report(current, keys);
    }

    /** Key ids sealing stored rows that the ring lacks, in alphabetical order; empty when every row opens. */
    public SortedSet<String> missingKeyIds() {
        Set<String> used = new LinkedHashSet<>(rows.rowsPerKeyId().keySet());
        used.removeAll(cipher.keyIds());
        return new TreeSet<>(used);
    }

    /**
     * What one batch did: rows read, re-sealed, left because they changed since the read, left because they did
     * not open.
     */
    public record Batch(int read, int resealed, int changed, int unreadable) {
    }

    /** Rows per key id, the current key first. */
    public record Report(String activeKeyId, List<KeyRows> keys) {
        public Report {
            Objects.requireNonNull(activeKeyId, "activeKeyId");
            keys = List.copyOf(keys);
        }
    }

    /** How many rows one key seals. */
    public record KeyRows(String keyId, long rows) {
        public KeyRows {
            Objects.requireNonNull(keyId, "keyId");
        }
    }
}
