package dev.switchboard.app;

import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.ConfigurationReader;
import dev.switchboard.app.config.ConfigurationResult;
import dev.switchboard.app.config.ProcessingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the server reads from its environment: the configuration, the event workers and the token refresher.
 * The server and every command read it here, so that {@code check-config} finds exactly the problems that would
 * stop {@code serve}.
 *
 * @param configuration the configuration (sandbox secrets not yet resolved)
 * @param processing    how many event workers run
 * @param refresher     the background token refresh
 */
record ServerSettings(Configuration configuration, ProcessingConfig processing, RefresherConfig refresher) {
    ServerSettings {
        Objects.requireNonNull(configuration, "configuration");
        Objects.requireNonNull(processing, "processing");
        Objects.requireNonNull(refresher, "refresher");
    }

    /** What reading the environment gave. */
    sealed interface Reading {
        /** Every setting is usable. */
        record Valid(ServerSettings settings) implements Reading {
        }

        /** Every problem found, one sentence each, naming the variable and never showing a secret's value. */
        record Invalid(List<String> problems) implements Reading {
            public Invalid {
                problems = List.copyOf(problems);
            }
        }
    }

    /** Reads {@code environment} whole: all problems of all settings, not just the first one found. */
    static Reading read(Map<String, String> environment) {
        List<String> problems = new ArrayList<>();
        ConfigurationResult configuration = ConfigurationReader.read(environment);
        if (configuration instanceof ConfigurationResult.Invalid invalid) {
            problems.addAll(invalid.problems());
        }
        ProcessingConfig.Read processing = ProcessingConfig.read(environment);
        if (processing instanceof ProcessingConfig.Read.Invalid invalid) {
            problems.add(invalid.problem());
        }
        RefresherConfig.Reading refresher = RefresherConfig.read(environment);
        if (refresher instanceof RefresherConfig.Reading.Invalid invalid) {
            problems.addAll(invalid.problems());
        }
        if (!problems.isEmpty()) {
            return new Reading.Invalid(problems);
        }
        if (configuration instanceof ConfigurationResult.Valid validConfiguration
                && processing instanceof ProcessingConfig.Read.Valid validProcessing
                && refresher instanceof RefresherConfig.Reading.Valid validRefresher) {
            return new Reading.Valid(new ServerSettings(validConfiguration.configuration(), validProcessing.config(),
                    validRefresher.config()));
        }
        throw new IllegalStateException("a reading without problems is not valid: " + List.of(
                configuration.getClass().getName(), processing.getClass().getName(), refresher.getClass().getName()));
    }
}
