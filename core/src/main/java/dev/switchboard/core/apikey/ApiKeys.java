package dev.switchboard.core.apikey;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.IllegalBCryptFormatException;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Generates API keys and checks a presented key against a stored bcrypt hash.
 *
 * <p><b>Format.</b> A key is {@code raw_} followed by 64 lowercase hex digits encoding 32 bytes from the injected
 * {@link SecureRandom} (256 bits). That is 68 ASCII bytes, below bcrypt's 72-byte limit, and every key is
 * format-checked before bcrypt sees it, so nothing longer ever reaches bcrypt (the hasher also runs with the
 * library's strict long-password strategy, which refuses rather than truncates).
 *
 * <p><b>Storage.</b> The bcrypt hash (cost {@value #BCRYPT_COST}, version {@code $2a$}, the library's default, which
 * for inputs this short is the same function as {@code $2b$}) of the whole key. Hashes of version {@code $2a$},
 * {@code $2b$} and {@code $2y$} all verify, so hashes made by the predecessor's Node.js bcrypt ({@code $2b$}) keep
 * working. The first {@value #LOOKUP_PREFIX_LENGTH} hex digits after {@code raw_} (64 bits) are stored in the clear
 * as the lookup prefix, unique and indexed: a check reads the single candidate row and makes one bcrypt comparison,
 * however many keys exist. The remaining 192 bits are protected by bcrypt only.
 *
 * <p><b>Hint.</b> The first 8 and the last 4 characters of the key joined by {@code ...}, e.g.
 * {@code raw_a1b2...9f0e}: what audit trails, logs and the admin API show.
 *
 * <p>Thread-safe.
 */
public final class ApiKeys {
    /** The fixed start of every key. */
    public static final String KEY_PREFIX = "raw_";
    /** Number of hex digits after {@link #KEY_PREFIX}. */
    public static final int HEX_LENGTH = 64;
    /** Total length of a key in characters (and bytes). */
    public static final int KEY_LENGTH = KEY_PREFIX.length() + HEX_LENGTH;
    /** Number of hex digits after {@link #KEY_PREFIX} that form the lookup prefix. */
    public static final int LOOKUP_PREFIX_LENGTH = 16;
    /** The bcrypt cost of new hashes. */
    public static final int BCRYPT_COST = 10;
    /** Stored hashes with a higher cost are refused rather than verified, so no row can stall a request. */
    static final int MAX_ACCEPTED_COST = 12;

    private static final int RANDOM_BYTES = 32;
    private static final Pattern KEY = Pattern.compile("raw_[0-9a-f]{64}");
    private static final Pattern LOOKUP_PREFIX = Pattern.compile("[0-9a-f]{" + LOOKUP_PREFIX_LENGTH + "}");
    private static final Pattern HINT = Pattern.compile("raw_[0-9a-f]{4}\\.\\.\\.[0-9a-f]{4}");
    private static final Pattern BCRYPT_HASH = Pattern.compile("\\$2[aby]\\$[0-9]{2}\\$[./A-Za-z0-9]{53}");
    private static final BCrypt.Version HASH_VERSION = BCrypt.Version.VERSION_2A;

    private final SecureRandom random;
    private final Runnable bcryptObserver;

    private ApiKeys(SecureRandom random, Runnable bcryptObserver) {
        this.random = random;
        this.bcryptObserver = bcryptObserver;
    }

    /** A key service drawing keys and bcrypt salts from {@code random}. */
    public static ApiKeys create(SecureRandom random) {
        return create(random, () -> { });
    }

    /** For tests: {@code bcryptObserver} runs once per bcrypt computation (hash or comparison). */
    static ApiKeys create(SecureRandom random, Runnable bcryptObserver) {
        return new ApiKeys(Objects.requireNonNull(random, "random"), Objects.requireNonNull(bcryptObserver, "observer"));
    }

    /** Generates a new key and its hash (one bcrypt computation, tens of milliseconds). */
    public IssuedApiKey issue() {
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        String plaintext = KEY_PREFIX + HexFormat.of().formatHex(bytes);
        bcryptObserver.run();
        byte[] hash = BCrypt.with(HASH_VERSION, random, LongPasswordStrategies.strict(HASH_VERSION))
                .hash(BCRYPT_COST, plaintext.getBytes(StandardCharsets.US_ASCII));
        return new IssuedApiKey(plaintext, lookupPrefixOf(plaintext), new String(hash, StandardCharsets.US_ASCII),
                hintOf(plaintext));
    }

    /**
     * True only when {@code plain} is a well-formed key whose bcrypt hash is {@code hash}. False, never an exception,
     * for a null, malformed or over-long key, and for a hash that is null, not bcrypt, or costlier than 12. Costs
     * at most one bcrypt computation; the final comparison is constant-time ({@link MessageDigest#isEqual}).
     */
    public boolean validateApiKey(String plain, String hash) {
        if (!isWellFormed(plain) || hash == null || !isBcryptHash(hash)) {
            return false;
        }
        BCrypt.HashData stored;
        try {
            stored = HASH_VERSION.parser.parse(hash.getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalBCryptFormatException | RuntimeException e) {
            return false;
        }
        if (stored.cost < BCrypt.MIN_COST || stored.cost > MAX_ACCEPTED_COST) {
            return false;
        }
        bcryptObserver.run();
        try {
            BCrypt.HashData computed = BCrypt.with(stored.version, LongPasswordStrategies.strict(stored.version))
                    .hashRaw(stored.cost, stored.rawSalt, plain.getBytes(StandardCharsets.US_ASCII));
            return MessageDigest.isEqual(computed.rawHash, stored.rawHash);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** True when {@code key} is exactly {@code raw_} + 64 lowercase hex digits. Null is not. */
    public static boolean isWellFormed(String key) {
        return key != null && key.length() == KEY_LENGTH && KEY.matcher(key).matches();
    }

    /** The lookup prefix of a well-formed key; IllegalArgumentException otherwise (the message omits the key). */
    public static String lookupPrefixOf(String key) {
        requireWellFormed(key);
        return key.substring(KEY_PREFIX.length(), KEY_PREFIX.length() + LOOKUP_PREFIX_LENGTH);
    }

    /** The hint of a well-formed key: first 8 characters, {@code ...}, last 4 characters. */
    public static String hintOf(String key) {
        requireWellFormed(key);
        return key.substring(0, 8) + "..." + key.substring(KEY_LENGTH - 4);
    }

    static boolean isLookupPrefix(String value) {
        return value != null && LOOKUP_PREFIX.matcher(value).matches();
    }

    static boolean isHint(String value) {
        return value != null && HINT.matcher(value).matches();
    }

    static boolean isBcryptHash(String value) {
        return value != null && value.length() == 60 && BCRYPT_HASH.matcher(value).matches();
    }

    private static void requireWellFormed(String key) {
        if (!isWellFormed(key)) {
            throw new IllegalArgumentException("an API key is raw_ followed by 64 lowercase hex digits");
        }
    }
}
