package dev.switchboard.app.config;

import java.util.List;
import java.util.Objects;

/**
 * What reading the environment gave: a {@link Valid} configuration, or {@link Invalid} with every problem found,
 * one human sentence each, naming the variable and never showing a secret's value.
 */
public sealed interface ConfigurationResult {
    /** The environment describes a usable configuration. */
    record Valid(Configuration configuration) implements ConfigurationResult {
        public Valid {
            Objects.requireNonNull(configuration, "configuration");
        }
    }

    /** The environment has at least one problem; {@code problems} lists all of them, in a stable order. */
    record Invalid(List<String> problems) implements ConfigurationResult {
        public Invalid {
            problems = List.copyOf(problems);
            if (problems.isEmpty()) {
                throw new IllegalArgumentException("an invalid configuration has at least one problem");
            }
        }
    }
}
