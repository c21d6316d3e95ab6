package dev.switchboard.app.config;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How this instance processes stored webhook events.
 *
 * @param eventWorkers processing threads of this instance ({@code EVENT_WORKERS}, default 4); 0 makes an instance
 *                     that receives and stores webhooks but leaves processing to the others
 */
public record ProcessingConfig(int eventWorkers) {
    /** The variable name. */
    public static final String EVENT_WORKERS = "EVENT_WORKERS";
    /** Most workers accepted. */
    public static final int MAX_WORKERS = 64;
    /** Four workers. */
    public static final ProcessingConfig DEFAULTS = new ProcessingConfig(4);

    public ProcessingConfig {
        if (eventWorkers < 0 || eventWorkers > MAX_WORKERS) {
            throw new IllegalArgumentException(EVENT_WORKERS + " must be between 0 and " + MAX_WORKERS);
        }
    }

    /** Result of reading the variables: the configuration, or the one problem with it. */
    public sealed interface Read {
        /** The variables are valid. */
        record Valid(ProcessingConfig config) implements Read {
            public Valid {
                Objects.requireNonNull(config, "config");
            }
        }

        /** A variable is invalid; {@code problem} names it and what is expected (never its value if secret). */
        record Invalid(String problem) implements Read {
            public Invalid {
                Objects.requireNonNull(problem, "problem");
            }
        }
    }

    /** Reads {@code EVENT_WORKERS} from the environment; blank or absent means the default. */
    public static Read read(Map<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        Optional<String> raw = Optional.ofNullable(environment.get(EVENT_WORKERS)).map(String::strip)
                .filter(v -> !v.isEmpty());
        if (raw.isEmpty()) {
            return new Read.Valid(DEFAULTS);
        }
        String problem = EVENT_WORKERS + " must be a whole number between 0 and " + MAX_WORKERS;
        if (raw.get().length() > 3 || !raw.get().chars().allMatch(c -> c >= '0' && c <= '9')) {
            return new Read.Invalid(problem);
        }
        int workers = Integer.parseInt(raw.get());
        return workers > MAX_WORKERS ? new Read.Invalid(problem) : new Read.Valid(new ProcessingConfig(workers));
    }
}
