package dev.switchboard.core.webhook;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where the three segments of an RFC 7515 compact JWS (section 7.1) lie in a body, and their strict decoding, for
 * {@link WebhookVerifier}. Locating reads at most the header's and the signature's bounded lengths plus one pass over
 * the payload's alphabet; nothing is decoded until asked. Immutable; the body is not copied.
 */
final class CompactJws {
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final byte[] body;
    private final int start;
    private final int firstDot;
    private final int lastDot;
    private final int end;

    private CompactJws(byte[] body, int start, int firstDot, int lastDot, int end) {
        this.body = body;
        this.start = start;
        this.firstDot = firstDot;
        this.lastDot = lastDot;
        this.end = end;
    }

    /**
     * The JWS in {@code body}, surrounding whitespace ignored, or null when it is not three dot-separated segments
     * with a header of at most {@code maxHeader} characters, a signature of at most {@code maxSignature} and a
     * non-empty payload of the base64url alphabet.
     */
    static CompactJws locate(byte[] body, int maxHeader, int maxSignature) {
        int start = 0;
        int end = body.length;
        while (start < end && isWhitespace(body[start])) {
            start++;
        }
        while (end > start && isWhitespace(body[end - 1])) {
            end--;
        }
        // sizes first, found without reading the rest of the body: the header ends within maxHeader characters of
        // the start and the signature begins within maxSignature of the end
        int firstDot = indexOfDot(body, start, Math.min(end, start + maxHeader + 1));
        int lastDot = lastIndexOfDot(body, Math.max(start, end - maxSignature - 1), end);
        // one pass over the payload segment: only the base64url alphabet, so no third dot and nothing beyond ASCII
        if (firstDot < 0 || lastDot <= firstDot || !isBase64Url(body, firstDot + 1, lastDot)) {
            return null;
        }
        return new CompactJws(body, start, firstDot, lastDot, end);
    }

    /** The decoded protected header, or null when its segment is not canonical base64url. */
    byte[] header() {
        return decodeSegment(new String(body, start, firstDot - start, StandardCharsets.ISO_8859_1));
    }

    /** The decoded signature, or null when its segment is not canonical base64url. */
    byte[] signature() {
        return decodeSegment(new String(body, lastDot + 1, end - lastDot - 1, StandardCharsets.ISO_8859_1));
    }

    /** The decoded payload, or null when its segment is not canonical base64url. */
    byte[] payload() {
        return decodeSegment(new String(body, firstDot + 1, lastDot - firstDot - 1, StandardCharsets.US_ASCII));
    }

    /** Where the signing input, the raw ASCII of header "." payload, starts in the body. */
    int signingInputOffset() {
        return start;
    }

    /** The length of the signing input. */
    int signingInputLength() {
        return lastDot - start;
    }

    /** The first '.' in {@code bytes[from, to)}, or -1. */
    private static int indexOfDot(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == '.') {
                return i;
            }
        }
        return -1;
    }

    /** The last '.' in {@code bytes[from, to)}, or -1. */
    private static int lastIndexOfDot(byte[] bytes, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (bytes[i] == '.') {
                return i;
            }
        }
        return -1;
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    /**
     * Decodes one JWS segment: non-empty, only the base64url alphabet, no padding, and canonical (re-encoding gives
     * the same text, so one signature has exactly one spelling). Null when it is not.
     */
    private static byte[] decodeSegment(String segment) {
        if (!isBase64Url(segment)) {
            return null;
        }
        byte[] decoded;
        try {
            decoded = Base64.getUrlDecoder().decode(segment);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return BASE64URL.encodeToString(decoded).equals(segment) ? decoded : null;
    }

    /** Non-empty, a possible length of unpadded base64 and only the base64url alphabet. */
    private static boolean isBase64Url(String segment) {
        if (segment.isEmpty() || segment.length() % 4 == 1) {
            return false;
        }
        for (int i = 0; i < segment.length(); i++) {
            if (!isBase64UrlCharacter(segment.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** {@link #isBase64Url(String)} for the ASCII bytes {@code bytes[from, to)}. */
    private static boolean isBase64Url(byte[] bytes, int from, int to) {
        if (from == to || (to - from) % 4 == 1) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!isBase64UrlCharacter(bytes[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBase64UrlCharacter(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }
}
