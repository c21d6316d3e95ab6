package dev.switchboard.core.testing;

import dev.switchboard.core.secrets.SealedRows;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * In-memory {@link SealedRows} with the port's compare-and-set semantics. One lock makes every method atomic.
 * Usage: {@code rows.put(new SealedRows.Row("connection", id, values))}, then {@code Resealer.create(rows, cipher)};
 * {@link #put} also stands for a request rewriting a row between a batch's read and write.
 */
public final class InMemorySealedRows implements SealedRows {
    private final Map<String, Row> rows = new LinkedHashMap<>();

    /** Stores or overwrites a row. */
    public synchronized void put(Row row) {
        rows.put(row.kind() + "/" + row.id(), row);
    }

    /** The stored row of {@code kind} and {@code id}, or null. */
    public synchronized Row get(String kind, String id) {
        return rows.get(kind + "/" + id);
    }

    @Override
    public synchronized List<Row> sealedUnderOtherKeys(String activeKeyId, Set<String> readableKeyIds, int limit) {
        List<Row> found = new ArrayList<>();
        for (Row row : rows.values()) {
            if (found.size() == limit) {
                break;
            }
            if (!row.keyId().equals(activeKeyId) && readableKeyIds.contains(row.keyId())) {
                found.add(row);
            }
        }
        return found;
    }

    @Override
    public synchronized int replace(List<Replacement> replacements) {
        int replaced = 0;
        for (Replacement replacement : replacements) {
            Row row = replacement.row();
            String key = row.kind() + "/" + row.id();
            if (!row.equals(rows.get(key))) {
                continue;
            }
            List<Value> values = new ArrayList<>();
            for (int i = 0; i < replacement.values().size(); i++) {
                values.add(new Value(replacement.values().get(i), row.values().get(i).associatedData()));
            }
            rows.put(key, new Row(row.kind(), row.id(), values));
            replaced++;
        }
        return replaced;
    }

    @Override
    public synchronized Map<String, Long> rowsPerKeyId() {
        Map<String, Long> counts = new TreeMap<>();
        rows.values().forEach(row -> counts.merge(row.keyId(), 1L, Long::sum));
        return counts;
    }
}
