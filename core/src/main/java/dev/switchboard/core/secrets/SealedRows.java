package dev.switchboard.core.secrets;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Port over every stored value sealed with {@link SecretCipher}, whatever its table: what re-sealing under a new
 * key and the encryption report need. Implementations compare-and-set on the old ciphertext, so a row rewritten
 * by a request between the read and the write is left as that request wrote it.
 */
public interface SealedRows {
    /**
     * Up to {@code limit} rows sealed under one of {@code readableKeyIds} other than {@code activeKeyId}; a row
     * holding several values sealed under one key id comes whole.
     */
    List<Row> sealedUnderOtherKeys(String activeKeyId, Set<String> readableKeyIds, int limit);

    /**
     * Replaces each row's values with its new ones (same order, all under one key id) only if the row still holds
     * the values read, all at once; returns how many were replaced (the others changed or went meanwhile).
     */
    int replace(List<Replacement> replacements);

    /** How many rows each key id seals, over every sealed column; key ids with no row are absent. */
    Map<String, Long> rowsPerKeyId();

    /**
     * One stored row: {@code kind} and {@code id} locate it for the implementation, {@code values} are its sealed
     * values each with the associated data it was sealed with.
     */
    record Row(String kind, String id, List<Value> values) {
        public Row {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(id, "id");
            values = List.copyOf(values);
            if (values.isEmpty()) {
                throw new IllegalArgumentException("a row holds at least one sealed value");
            }
        }

        /** The key id of the row's first value. */
        public String keyId() {
            return values.get(0).sealed().keyId();
        }
    }

    /** New values of a row read by {@link #sealedUnderOtherKeys}, in the order of its values. */
    record Replacement(Row row, List<Sealed> values) {
        public Replacement {
            Objects.requireNonNull(row, "row");
            values = List.copyOf(values);
            if (values.size() != row.values().size()) {
                throw new IllegalArgumentException("a replacement holds as many values as its row");
            }
        }
    }

    /** A sealed value with the associated data that binds it to its row and column. */
    record Value(Sealed sealed, String associatedData) {
        public Value {
            Objects.requireNonNull(sealed, "sealed");
            Objects.requireNonNull(associatedData, "associatedData");
        }
    }
}
