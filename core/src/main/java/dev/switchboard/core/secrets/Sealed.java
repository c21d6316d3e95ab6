package dev.switchboard.core.secrets;

import java.util.Arrays;
import java.util.Objects;

/**
 * A secret sealed at rest: the id of the key that sealed it and the AES-256-GCM output (a 12-byte nonce followed
 * by the ciphertext and its 16-byte tag). Stored as two columns, so keys can rotate: a reader opens each value
 * with the key named beside it.
 */
public record Sealed(String keyId, byte[] ciphertext) {
    public Sealed {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(ciphertext, "ciphertext");
        ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Sealed that && keyId.equals(that.keyId) && Arrays.equals(ciphertext, that.ciphertext);
    }

    @Override
    public int hashCode() {
        return 31 * keyId.hashCode() + Arrays.hashCode(ciphertext);
    }

    @Override
    public String toString() {
        return "Sealed[keyId=" + keyId + ", " + ciphertext.length + " bytes]";
    }
}
