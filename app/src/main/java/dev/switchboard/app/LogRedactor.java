package dev.switchboard.app;

import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last line of defence of the log: masks, in a finished log line, anything shaped like a secret, whatever put
 * it there (a message, an argument, an MDC or key-value field, an exception's text, a library's own line). Code
 * must still never log secrets; this catches the mistakes. Masked:
 * <ul>
 *   <li>API keys: {@code raw_} followed by 16 or more hex digits (key hints, {@code raw_a1b2...9f0e}, stay);
 *   <li>{@code Bearer} and {@code Basic} credentials in text;
 *   <li>JWTs: {@code eyJ...} segments, and any three long base64url segments joined by dots;
 *   <li>the values of {@code access_token}, {@code refresh_token}, {@code id_token}, {@code code},
 *       {@code code_verifier}, {@code client_secret}, {@code state}, {@code api_key}, {@code connect_token},
 *       {@code token}, {@code secret}, {@code password} (and a few more names) as query or form parameters and as
 *       JSON members, escaped or not;
 *   <li>cookie values: whole {@code Cookie:} and {@code Set-Cookie:} header values, and any {@code __Host-},
 *       {@code __Secure-} or {@code switchboard*} cookie.
 * </ul>
 * Pure and thread-safe.
 */
final class LogRedactor {
    static final String MASK = "[REDACTED]";
    private static final String SECRET_NAMES = "access_token|refresh_token|id_token|code|code_verifier|client_secret"
            + "|state|api_key|connect_token|token|secret|password|webhook_secret|session_secret|internal_api_secret"
            + "|token_encryption_keys|token_encryption_key|x-app-api-key|authorization|cookie|set-cookie";

    private record Rule(Pattern pattern, String replacement) {
    }

    private static final List<Rule> RULES = List.of(
            // "name": "value" and, inside a JSON string, \"name\":\"value\"
            new Rule(Pattern.compile("(\\\\?\")(" + SECRET_NAMES + ")(\\\\?\"\\s*:\\s*\\\\?\")((?:[^\"\\\\]|\\\\[^\"])*)",
                    Pattern.CASE_INSENSITIVE), "$1$2$3" + MASK),
            new Rule(Pattern.compile("(?<![A-Za-z0-9_-])(" + SECRET_NAMES + ")=([^&\\s\"'\\\\;<>]+)",
                    Pattern.CASE_INSENSITIVE), "$1=" + MASK),
            new Rule(Pattern.compile("((?:set-)?cookie\\s*:\\s*)[^\\r\\n\"\\\\]+", Pattern.CASE_INSENSITIVE),
                    "$1" + MASK),
            new Rule(Pattern.compile("(__Host-[A-Za-z0-9_.-]+|__Secure-[A-Za-z0-9_.-]+|switchboard[A-Za-z0-9_.-]*)"
                    + "=([^;\\s\"'\\\\,&]+)"), "$1=" + MASK),
            new Rule(Pattern.compile("\\b(Bearer|Basic)\\s+[A-Za-z0-9._~+/=-]{8,}", Pattern.CASE_INSENSITIVE),
                    "$1 " + MASK),
            new Rule(Pattern.compile("raw_[0-9A-Fa-f]{16,}"), "raw_" + MASK),
            new Rule(Pattern.compile("eyJ[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]*"), MASK),
            new Rule(Pattern.compile("(?<![A-Za-z0-9_.-])[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}"),
                    MASK));

    private LogRedactor() {
    }

    /** {@code line} with every secret-shaped part replaced by {@value #MASK}. */
    static String redact(String line) {
        Objects.requireNonNull(line, "line");
        String result = line;
        for (Rule rule : RULES) {
            Matcher matcher = rule.pattern().matcher(result);
            if (matcher.find()) {
                result = matcher.replaceAll(rule.replacement());
            }
        }
        return result;
    }
}
