package dev.switchboard.core.oauth;

/**
 * A token endpoint's successful answer as received (RFC 6749 section 5.1), before {@link TokenResponseCheck} has
 * looked at it. Any field is null when the response lacked it; nothing is validated here, because judging the
 * response is the check's job and it must be able to say what was wrong.
 *
 * @param accessToken  secret; never logged
 * @param refreshToken secret; never logged
 * @param tokenType    expected to be {@code bearer} in any case
 * @param expiresIn    lifetime of the access token in seconds
 */
public record TokenResponse(String accessToken, String refreshToken, String tokenType, Long expiresIn) {
    @Override
    public String toString() {
        return "TokenResponse[accessToken=" + presence(accessToken) + ", refreshToken=" + presence(refreshToken)
                + ", tokenType=" + tokenType + ", expiresIn=" + expiresIn + "]";
    }

    private static String presence(String secret) {
        return secret == null ? "null" : "(redacted)";
    }
}
