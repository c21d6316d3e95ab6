package dev.switchboard.app;

import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.config.Configuration;
import dev.switchboard.core.config.ConfigurationReader;
import dev.switchboard.core.config.ConfigurationResult;
import dev.switchboard.core.config.LoggingConfig;
import dev.switchboard.core.config.ProcessingConfig;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts Switchboard from the environment. Exits with status 1, after one line per problem on stderr and in the
 * log, when the configuration is invalid or a dependency (the database, the port) is not available.
 */
public final class Main {
    /** System property that selects the log appender in logback.xml (JSON or TEXT). */
    static final String LOG_FORMAT_PROPERTY = "switchboard.log.format";
    /** System property that sets the root level in logback.xml. */
    static final String LOG_LEVEL_PROPERTY = "switchboard.log.level";

    private Main() {
    }

    public static void main(String[] args) {
        ConfigurationResult result = ConfigurationReader.read(System.getenv());
        // logback reads these when the first logger is created, which is why no logger exists before this line
        LoggingConfig logging = result instanceof ConfigurationResult.Valid valid
                ? valid.configuration().logging() : LoggingConfig.DEFAULTS;
        System.setProperty(LOG_FORMAT_PROPERTY, logging.format().name());
        System.setProperty(LOG_LEVEL_PROPERTY, logging.level().toUpperCase(Locale.ROOT));
        Logger log = LoggerFactory.getLogger(Main.class);

        if (result instanceof ConfigurationResult.Invalid invalid) {
            for (String problem : invalid.problems()) {
                System.err.println("configuration problem: " + problem);
                log.error("configuration problem: {}", problem);
            }
            System.exit(1);
            return;
        }
        Configuration configuration = ((ConfigurationResult.Valid) result).configuration();
        ProcessingConfig.Read processing = ProcessingConfig.read(System.getenv());
        if (processing instanceof ProcessingConfig.Read.Invalid invalid) {
            System.err.println("configuration problem: " + invalid.problem());
            log.error("configuration problem: {}", invalid.problem());
            System.exit(1);
            return;
        }
        RefresherConfig.Reading refresher = RefresherConfig.read(System.getenv());
        if (refresher instanceof RefresherConfig.Reading.Invalid invalid) {
            for (String problem : invalid.problems()) {
                System.err.println("configuration problem: " + problem);
                log.error("configuration problem: {}", problem);
            }
            System.exit(1);
            return;
        }
        Switchboard switchboard;
        try {
            switchboard = Switchboard.start(configuration, ((ProcessingConfig.Read.Valid) processing).config(),
                    ((RefresherConfig.Reading.Valid) refresher).config(), new SecureRandom(), Clock.systemUTC());
        } catch (SwitchboardException e) {
            // the message is written for operators and never carries a secret; the stack trace would add nothing
            System.err.println("Switchboard could not start: " + e.getMessage());
            log.error("Switchboard could not start: {}", e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(switchboard.shutdownHook());
    }
}
