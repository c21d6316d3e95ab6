package dev.switchboard.core.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
    private static final ApiKeys KEYS = ApiKeys.create(new SecureRandom());

    @Test
    void issueWhenCalledThenRawPlus64LowercaseHexWithMatchingParts() {
        IssuedApiKey issued = KEYS.issue();

        assertThat(issued.plaintext()).matches("raw_[0-9a-f]{64}").hasSize(68);
        assertThat(issued.plaintext().getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(72);
        assertThat(issued.lookupPrefix()).isEqualTo(issued.plaintext().substring(4, 20));
        assertThat(issued.hint()).isEqualTo(issued.plaintext().substring(0, 8) + "..." + issued.plaintext().substring(64));
        assertThat(issued.bcryptHash()).startsWith("$2a$10$").hasSize(60);
        assertThat(issued.bcryptHash()).doesNotContain(issued.plaintext().substring(4));
        assertThat(KEYS.validateApiKey(issued.plaintext(), issued.bcryptHash())).isTrue();
    }

    @Test
    void issueWhenRandomIsFixedThenKeyIsTheHexOfItsBytes() {
        SecureRandom fixed = new SecureRandom() {
            private static final long serialVersionUID = 1L;

            @Override
            public void nextBytes(byte[] bytes) {
                Arrays.fill(bytes, (byte) 0xab);
            }
        };

        IssuedApiKey issued = ApiKeys.create(fixed).issue();

        assertThat(issued.plaintext()).isEqualTo("raw_" + "ab".repeat(32));
        assertThat(issued.hint()).isEqualTo("raw_abab...abab");
        assertThat(issued.lookupPrefix()).isEqualTo("ab".repeat(8));
    }

    @Test
    void issueWhenCalledTwiceThenDifferentKeysAndSalts() {
        IssuedApiKey first = KEYS.issue();
        IssuedApiKey second = KEYS.issue();
        assertThat(first.plaintext()).isNotEqualTo(second.plaintext());
        assertThat(first.bcryptHash().substring(7, 29)).isNotEqualTo(second.bcryptHash().substring(7, 29));
    }

    @Test
    void validateApiKeyWhenWrongKeyThenFalse() {
        IssuedApiKey issued = KEYS.issue();
        String other = issued.plaintext().substring(0, 67) + (issued.plaintext().endsWith("0") ? "1" : "0");
        assertThat(KEYS.validateApiKey(other, issued.bcryptHash())).isFalse();
    }

    @Test
    void validateApiKeyWhenGarbageThenFalseNotException() {
        IssuedApiKey issued = KEYS.issue();
        String key = issued.plaintext();
        String hash = issued.bcryptHash();

        assertThat(KEYS.validateApiKey(null, hash)).isFalse();
        assertThat(KEYS.validateApiKey(key, null)).isFalse();
        assertThat(KEYS.validateApiKey("", hash)).isFalse();
        assertThat(KEYS.validateApiKey(key, "")).isFalse();
        assertThat(KEYS.validateApiKey(key, "not a hash")).isFalse();
        assertThat(KEYS.validateApiKey(key, hash.substring(0, 59))).isFalse();
        assertThat(KEYS.validateApiKey(key, "$2a$99$" + hash.substring(7))).isFalse();
        assertThat(KEYS.validateApiKey(key, "$3a$10$" + hash.substring(7))).isFalse();
        assertThat(KEYS.validateApiKey(key.toUpperCase(java.util.Locale.ROOT), hash)).isFalse();
        assertThat(KEYS.validateApiKey(key + "00", hash)).isFalse();
        assertThat(KEYS.validateApiKey(key + "x".repeat(10_000), hash)).isFalse();
    }

    @Test
    void validateApiKeyWhenKeyIsLongerThanBcryptSeesThenNeverReachesBcrypt() {
        // bcrypt ignores bytes past 72: a hash of the first 72 bytes must not accept a longer input
        String longKey = "raw_" + "a".repeat(64) + "bbbbbbbbbbbb";
        byte[] truncatedHash = BCrypt.with(BCrypt.Version.VERSION_2A)
                .hash(4, Arrays.copyOf(longKey.getBytes(StandardCharsets.US_ASCII), 72));
        AtomicInteger bcrypts = new AtomicInteger();
        ApiKeys counting = ApiKeys.create(new SecureRandom(), bcrypts::incrementAndGet);

        assertThat(counting.validateApiKey(longKey, new String(truncatedHash, StandardCharsets.US_ASCII))).isFalse();
        assertThat(bcrypts).hasValue(0);
    }

    @Test
    void validateApiKeyWhenHashIsVersion2bOr2yThenVerifies() {
        String key = KEYS.issue().plaintext();
        for (BCrypt.Version version : new BCrypt.Version[] {BCrypt.Version.VERSION_2B, BCrypt.Version.VERSION_2Y}) {
            String hash = BCrypt.with(version).hashToString(10, key.toCharArray());
            assertThat(KEYS.validateApiKey(key, hash)).as(hash.substring(0, 4)).isTrue();
        }
    }

    @Test
    void isWellFormedWhenNotExactlyRawPlus64LowercaseHexThenFalse() {
        assertThat(ApiKeys.isWellFormed("raw_" + "0".repeat(64))).isTrue();
        assertThat(ApiKeys.isWellFormed("raw_" + "0".repeat(63))).isFalse();
        assertThat(ApiKeys.isWellFormed("raw_" + "0".repeat(65))).isFalse();
        assertThat(ApiKeys.isWellFormed("RAW_" + "0".repeat(64))).isFalse();
        assertThat(ApiKeys.isWellFormed("raw_" + "A".repeat(64))).isFalse();
        assertThat(ApiKeys.isWellFormed("raw_" + "g".repeat(64))).isFalse();
        assertThat(ApiKeys.isWellFormed("key_" + "0".repeat(64))).isFalse();
        assertThat(ApiKeys.isWellFormed(" raw_" + "0".repeat(64))).isFalse();
        assertThat(ApiKeys.isWellFormed(null)).isFalse();
    }

    @Test
    void issuedApiKeyWhenPrintedThenShowsOnlyTheHint() {
        IssuedApiKey issued = KEYS.issue();
        assertThat(issued.toString()).contains(issued.hint())
                .doesNotContain(issued.plaintext())
                .doesNotContain(issued.plaintext().substring(4))
                .doesNotContain(issued.bcryptHash());
        assertThat(issued.stored().toString()).doesNotContain(issued.plaintext().substring(4));
    }

    @Test
    void issuedApiKeyWhenPartsDoNotBelongToTheKeyThenRejected() {
        IssuedApiKey issued = KEYS.issue();
        assertThatThrownBy(() -> new IssuedApiKey(issued.plaintext(), "0".repeat(16), issued.bcryptHash(), issued.hint()))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(issued.plaintext()));
        assertThatThrownBy(() -> new IssuedApiKey(issued.plaintext(), issued.lookupPrefix(), "plain", issued.hint()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ApiKeys.hintOf("raw_short")).isInstanceOf(IllegalArgumentException.class);
    }
}
