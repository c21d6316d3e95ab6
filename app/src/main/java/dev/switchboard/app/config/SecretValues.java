package dev.switchboard.app.config;

import dev.switchboard.core.secrets.Secret;
import java.util.ArrayList;
import java.util.List;

/**
 * The values of a secret that may hold two during a rotation ({@code INTERNAL_API_SECRET}, {@code
 * DIALPAD_WEBHOOK_SECRET}): comma-separated, each stripped of surrounding white space (so {@code "a, b"} is two
 * values, as an operator writing a list expects), at most {@link #MAX_VALUES}. A value with a comma of its own is
 * therefore not possible; generated and recommended secrets (base64url, hex) never contain one.
 */
public final class SecretValues {
    /** Most values at once: the current one and the one replacing it. */
    public static final int MAX_VALUES = 2;

    private SecretValues() {
    }

    /**
     * The values of {@code secret}, in order, stripped. Throws IllegalArgumentException when a value is empty or
     * there are more than {@link #MAX_VALUES}; the message never contains a value.
     */
    public static List<String> of(Secret secret) {
        return of(secret.value());
    }

    /** As {@link #of(Secret)} for the raw text of the variable. */
    static List<String> of(String raw) {
        String[] parts = raw.split(",", -1);
        if (parts.length > MAX_VALUES) {
            throw new IllegalArgumentException("has " + parts.length + " comma-separated values; at most "
                    + MAX_VALUES + " are accepted (the current one and the one replacing it)");
        }
        List<String> values = new ArrayList<>(parts.length);
        for (int i = 0; i < parts.length; i++) {
            String value = parts[i].strip();
            if (value.isEmpty()) {
                throw new IllegalArgumentException(parts.length == 1 ? "must not be empty"
                        : "value " + (i + 1) + " of " + parts.length + " is empty");
            }
            values.add(value);
        }
        return List.copyOf(values);
    }

    /**
     * The problem with {@code raw} when each value must have at least {@code minimumLength} characters, or null when
     * there is none; names the value by its position, never by its text.
     */
    static String problem(String raw, int minimumLength) {
        List<String> values;
        try {
            values = of(raw);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i).length() < minimumLength) {
                return (values.size() == 1 ? "" : "value " + (i + 1) + " of " + values.size() + " ")
                        + "must have at least " + minimumLength + " characters";
            }
        }
        return null;
    }
}
