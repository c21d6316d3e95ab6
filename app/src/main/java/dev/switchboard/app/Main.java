package dev.switchboard.app;

import dev.switchboard.app.config.ConfigurationReader;
import dev.switchboard.app.config.ConfigurationResult;
import dev.switchboard.app.config.LoggingConfig;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;

/**
 * {@code java -jar switchboard.jar [command]}: sets up logging from the environment, then hands the arguments to
 * {@link SwitchboardCommand}. With no command (or {@code serve}) the server starts and the process keeps running;
 * any other command exits with its code (0 success, 1 failure, 2 usage error).
 */
public final class Main {
    /** System property that selects the log appender in logback.xml (JSON or TEXT). */
    static final String LOG_FORMAT_PROPERTY = "switchboard.log.format";
    /** System property that sets the root level in logback.xml. */
    static final String LOG_LEVEL_PROPERTY = "switchboard.log.level";
    /** System property that sends the log to System.out (the server) or System.err (every other command). */
    static final String LOG_TARGET_PROPERTY = "switchboard.log.target";
    /** Arguments that start the server; every other command logs only warnings, to stderr, so its output stays clean. */
    private static final Set<String> SERVING = Set.of("serve");

    private Main() {
    }

    public static void main(String[] args) {
        ConfigurationResult result = ConfigurationReader.read(System.getenv());
        // logback reads these when the first logger is created, which is why no logger exists before this line
        LoggingConfig logging = result instanceof ConfigurationResult.Valid valid
                ? valid.configuration().logging() : LoggingConfig.DEFAULTS;
        boolean serve = args.length == 0 || SERVING.contains(args[0]);
        System.setProperty(LOG_FORMAT_PROPERTY, logging.format().name());
        System.setProperty(LOG_LEVEL_PROPERTY, serve ? logging.level().toUpperCase(Locale.ROOT) : "WARN");
        System.setProperty(LOG_TARGET_PROPERTY, serve ? "System.out" : "System.err");

        CommandLine line = SwitchboardCommand.commandLine(System.getenv(), new SecureRandom(), Clock.systemUTC());
        int code = line.execute(args);
        Optional<Switchboard> serving = SwitchboardCommand.serving(line);
        if (code != 0 || serving.isEmpty()) {
            System.exit(code);
            return;
        }
        // the process's hook, not the command's: a server started in-process by a test or an embedder is theirs to stop
        Runtime.getRuntime().addShutdownHook(serving.get().shutdownHook());
    }
}
