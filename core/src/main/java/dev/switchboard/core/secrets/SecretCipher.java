package dev.switchboard.core.secrets;

import dev.switchboard.core.SwitchboardException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption at rest for Dialpad tokens and webhook secrets: AES-256-GCM (NIST SP 800-38D) with a random 96-bit
 * nonce per value and the key id stored beside each ciphertext.
 *
 * <p>New values are sealed with the current key; {@link #open} accepts any key of the ring, so an operator rotates
 * by adding a new current key and keeping the old one until every row was rewritten. Callers pass associated data
 * (for example the app id and column name) so that a ciphertext copied to another row or column fails to open.
 *
 * <p>Thread-safe. A tampered value, a wrong associated datum or an unknown key id raise
 * {@link SecretCipherException}, whose message names the key id and never the value.
 */
public final class SecretCipher {
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int KEY_BYTES = 32;

    private final String currentKeyId;
    private final Map<String, SecretKeySpec> keys;
    private final SecureRandom random;

    private SecretCipher(String currentKeyId, Map<String, SecretKeySpec> keys, SecureRandom random) {
        this.currentKeyId = currentKeyId;
        this.keys = keys;
        this.random = random;
    }

    /**
     * A cipher whose current key is {@code currentKeyId}; {@code keys} maps each key id to its 32 raw bytes and
     * must contain the current one.
     */
    public static SecretCipher of(String currentKeyId, Map<String, byte[]> keys, SecureRandom random) {
        Objects.requireNonNull(currentKeyId, "currentKeyId");
        Objects.requireNonNull(random, "random");
        if (!keys.containsKey(currentKeyId)) {
            throw new IllegalArgumentException("the current key id " + currentKeyId + " is not in the key ring");
        }
        Map<String, SecretKeySpec> specs = new LinkedHashMap<>();
        keys.forEach((id, bytes) -> {
            if (id.isBlank() || id.length() > 64) {
                throw new IllegalArgumentException("a key id must have 1 to 64 characters");
            }
            if (bytes.length != KEY_BYTES) {
                throw new IllegalArgumentException("key " + id + " must be 32 bytes, not " + bytes.length);
            }
            specs.put(id, new SecretKeySpec(bytes.clone(), "AES"));
        });
        return new SecretCipher(currentKeyId, Map.copyOf(specs), random);
    }

    /**
     * A cipher with a single key given as base64 of 32 bytes, the form of {@code TOKEN_ENCRYPTION_KEY}. The key id
     * is derived from the key (a short SHA-256 fingerprint), so the same key always carries the same id.
     */
    public static SecretCipher fromBase64Key(String base64Key, SecureRandom random) {
        byte[] key = decodeKey(base64Key);
        String id = keyId(key);
        return of(id, Map.of(id, key), random);
    }

    /**
     * A cipher from the value of {@code TOKEN_ENCRYPTION_KEYS}, {@code <key id>:<base64 of 32 bytes>} entries
     * separated by commas (the first seals, all open), or from a single base64 key as {@link #fromBase64Key} takes
     * it: base64 never contains a colon, so the two forms cannot be confused.
     */
    public static SecretCipher fromKeyRing(String keys, SecureRandom random) {
        Objects.requireNonNull(keys, "keys");
        if (keys.indexOf(':') < 0) {
            return fromBase64Key(keys, random);
        }
        Map<String, byte[]> ring = parseKeyRing(keys);
        return of(ring.keySet().iterator().next(), ring, random);
    }

    /**
     * Parses {@code <key id>:<base64 of 32 bytes>} entries separated by commas, in their order (the first is the
     * current key). Throws IllegalArgumentException naming the entry's position or key id, never a key.
     */
    public static Map<String, byte[]> parseKeyRing(String keys) {
        Objects.requireNonNull(keys, "keys");
        Map<String, byte[]> ring = new LinkedHashMap<>();
        String[] entries = keys.split(",", -1);
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].strip();
            int colon = entry.indexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new IllegalArgumentException("entry " + (i + 1) + " must be <key id>:<base64 of 32 bytes>");
            }
            String id = entry.substring(0, colon).strip();
            if (id.length() > 64 || !id.chars().allMatch(c -> c > ' ' && c < 127)) {
                throw new IllegalArgumentException("the key id of entry " + (i + 1)
                        + " must have 1 to 64 printable ASCII characters");
            }
            if (ring.containsKey(id)) {
                throw new IllegalArgumentException("key id " + id + " appears twice");
            }
            try {
                ring.put(id, decodeKey(entry.substring(colon + 1)));
            } catch (IllegalArgumentException e) {
                // decodeKey's message describes the shape of the value, never the value itself
                throw new IllegalArgumentException("key " + id + ": " + e.getMessage());
            }
        }
        return ring;
    }

    /** Decodes a base64 (standard or URL-safe) key of exactly 32 bytes, or throws IllegalArgumentException. */
    public static byte[] decodeKey(String base64Key) {
        Objects.requireNonNull(base64Key, "base64Key");
        byte[] key;
        try {
            String trimmed = base64Key.trim();
            key = trimmed.indexOf('-') >= 0 || trimmed.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(trimmed)
                    : Base64.getDecoder().decode(trimmed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the encryption key is not valid base64");
        }
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("the encryption key must decode to 32 bytes, not " + key.length);
        }
        return key;
    }

    /** A stable, non-secret identifier of a key: the first 8 hex characters of SHA-256("switchboard-key:" + key). */
    public static String keyId(byte[] key) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update("switchboard-key:".getBytes(StandardCharsets.US_ASCII));
            byte[] digest = sha.digest(key);
            return "k" + java.util.HexFormat.of().formatHex(digest, 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The id of the key new values are sealed with. */
    public String currentKeyId() {
        return currentKeyId;
    }

    /** The ids of every key of the ring, current one included, in alphabetical order. */
    public java.util.SortedSet<String> keyIds() {
        return java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(keys.keySet()));
    }

    /** Seals {@code plaintext} with the current key, binding it to {@code associatedData}. */
    public Sealed seal(byte[] plaintext, byte[] associatedData) {
        Objects.requireNonNull(plaintext, "plaintext");
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, nonce));
            if (associatedData != null) {
                cipher.updateAAD(associatedData);
            }
            byte[] body = cipher.doFinal(plaintext);
            byte[] out = new byte[NONCE_BYTES + body.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(body, 0, out, NONCE_BYTES, body.length);
            return new Sealed(currentKeyId, out);
        } catch (GeneralSecurityException e) {
            throw new SecretCipherException("sealing with key " + currentKeyId + " failed", e);
        }
    }

    /** Seals a UTF-8 string; see {@link #seal(byte[], byte[])}. */
    public Sealed sealString(String plaintext, String associatedData) {
        return seal(plaintext.getBytes(StandardCharsets.UTF_8), associatedData.getBytes(StandardCharsets.UTF_8));
    }

    /** Opens a value sealed by this ring; throws {@link SecretCipherException} when it cannot be authenticated. */
    public byte[] open(Sealed sealed, byte[] associatedData) {
        Objects.requireNonNull(sealed, "sealed");
        SecretKeySpec key = keys.get(sealed.keyId());
        if (key == null) {
            throw new SecretCipherException("no key with id " + sealed.keyId() + " is configured", null);
        }
        byte[] data = sealed.ciphertext();
        if (data.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new SecretCipherException("a value sealed with key " + sealed.keyId() + " is truncated", null);
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, data, 0, NONCE_BYTES));
            if (associatedData != null) {
                cipher.updateAAD(associatedData);
            }
            return cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new SecretCipherException("a value sealed with key " + sealed.keyId() + " failed authentication", e);
        }
    }

    /** Opens a UTF-8 string; see {@link #open(Sealed, byte[])}. */
    public String openString(Sealed sealed, String associatedData) {
        return new String(open(sealed, associatedData.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    /** A sealed value could not be produced or opened. The message never contains the value. */
    public static final class SecretCipherException extends SwitchboardException {
        private static final long serialVersionUID = 1L;

        SecretCipherException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
