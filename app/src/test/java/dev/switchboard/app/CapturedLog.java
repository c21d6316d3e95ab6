package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Every log event of the whole JVM while open: a list appender on the root logger, which is set to DEBUG so that no
 * level holds anything back (loggers with a level of their own in {@code logback.xml} keep it). {@link #close()}
 * detaches it and restores the root level. What was captured reads in two forms:
 * <ul>
 *   <li>{@link #texts()}: each event with everything it carries, before any encoder sees it: logger, formatted
 *       message, arguments, MDC, key-value pairs and the whole stack trace with its causes;</li>
 *   <li>{@link #written()}: each event as the configured {@code CONSOLE} appender's encoder writes it, that is the
 *       line that reaches the output (JSON, after the redaction guard).</li>
 * </ul>
 * Thread-safe: server threads may log while the test reads.
 */
final class CapturedLog implements AutoCloseable {
    private static final String CONSOLE = "CONSOLE";

    private final Logger root;
    private final Level previousLevel;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private CapturedLog() {
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        previousLevel = root.getLevel();
        appender.start();
        root.addAppender(appender);
        root.setLevel(Level.DEBUG);
    }

    /** Starts capturing. */
    static CapturedLog start() {
        return new CapturedLog();
    }

    /** The events captured so far, in the order they were logged. */
    List<ILoggingEvent> events() {
        // logback appends under the appender's lock
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    /** Each captured event with everything it carries; see the class comment. */
    List<String> texts() {
        return events().stream().map(CapturedLog::everything).toList();
    }

    /** Each captured event as the console appender writes it, without its line break. */
    List<String> written() {
        Appender<ILoggingEvent> console = root.getAppender(CONSOLE);
        assertThat(console).as("the " + CONSOLE + " appender of logback.xml").isInstanceOf(OutputStreamAppender.class);
        Encoder<ILoggingEvent> encoder = ((OutputStreamAppender<ILoggingEvent>) console).getEncoder();
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent event : events()) {
            lines.add(new String(encoder.encode(event), StandardCharsets.UTF_8).strip());
        }
        return lines;
    }

    /** Stops capturing and puts the root level back. */
    @Override
    public void close() {
        root.detachAppender(appender);
        root.setLevel(previousLevel);
    }

    private static String everything(ILoggingEvent event) {
        StringBuilder text = new StringBuilder(event.getLoggerName()).append(' ').append(event.getFormattedMessage());
        if (event.getArgumentArray() != null) {
            Arrays.stream(event.getArgumentArray()).forEach(argument -> text.append(' ').append(argument));
        }
        text.append(' ').append(event.getMDCPropertyMap());
        if (event.getKeyValuePairs() != null) {
            event.getKeyValuePairs().forEach(pair -> text.append(' ').append(pair.key).append('=').append(pair.value));
        }
        if (event.getThrowableProxy() != null) {
            text.append(' ').append(ThrowableProxyUtil.asString(event.getThrowableProxy()));
        }
        return text.toString();
    }
}
