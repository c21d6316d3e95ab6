package dev.switchboard.core.oauth;

import java.security.SecureRandom;
import java.util.Base64;

/** Random, URL-safe secrets for the OAuth flow. */
final class RandomSecrets {
    /** 256 bits: twice the 128 the contract asks for, at no cost. */
    static final int BYTES = 32;

    private RandomSecrets() {
    }

    /** {@link #BYTES} random bytes from {@code random}, as unpadded base64url (43 characters). */
    static String next(SecureRandom random) {
        byte[] bytes = new byte[BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
