package dev.switchboard.core.json;

/**
 * Input is not the JSON {@link JsonCodec} accepts, or a value cannot be written as JSON.
 *
 * <p>The message says what was wrong and at which character offset; it never quotes the input, so it is safe to
 * log even when the input was a webhook payload. This is an expected outcome of parsing untrusted input, not an
 * infrastructure failure, hence an {@link IllegalArgumentException} rather than a {@code SwitchboardException}.
 */
public final class JsonException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int position;

    JsonException(String problem, int position) {
        super(position < 0 ? problem : problem + " at position " + position);
        this.position = position;
    }

    /** Offset (in characters of text input, bytes of UTF-8 input) where the problem was found, or -1 when none. */
    public int position() {
        return position;
    }
}
