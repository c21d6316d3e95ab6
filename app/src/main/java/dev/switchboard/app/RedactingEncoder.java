package dev.switchboard.app;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A logback encoder that writes each event with one of two wrapped encoders, chosen by {@code format} ({@code JSON},
 * the {@code LogstashEncoder}, or {@code TEXT}, a pattern encoder), and passes every finished line through
 * {@link LogRedactor} before it is written. The guard therefore sees exactly what would reach the output: message,
 * arguments, MDC, key-value pairs and stack traces alike. Configured in {@code logback.xml}:
 * <pre>{@code
 * <encoder class="dev.switchboard.app.RedactingEncoder">
 *   <format>${switchboard.log.format:-JSON}</format>
 *   <json class="net.logstash.logback.encoder.LogstashEncoder"/>
 *   <text class="ch.qos.logback.classic.encoder.PatternLayoutEncoder"><pattern>%msg%n</pattern></text>
 * </encoder>
 * }</pre>
 * Choosing the format here rather than with a variable in {@code <appender-ref>} matters: logback resolves appender
 * references before such variables, and would leave every appender unattached. Both encoders must write UTF-8.
 * Thread-safe as far as the chosen encoder is (logback's appenders serialise calls).
 */
public final class RedactingEncoder extends EncoderBase<ILoggingEvent> {
    private String format = "JSON";
    private Encoder<ILoggingEvent> json;
    private Encoder<ILoggingEvent> text;
    private Encoder<ILoggingEvent> delegate;

    /** {@code JSON} (the default) or {@code TEXT}, in any case. */
    public void setFormat(String format) {
        this.format = format;
    }

    /** The encoder of the JSON format. */
    public void setJson(Encoder<ILoggingEvent> json) {
        this.json = json;
    }

    /** The encoder of the text format. */
    public void setText(Encoder<ILoggingEvent> text) {
        this.text = text;
    }

    @Override
    public void start() {
        String chosen = format == null ? "JSON" : format.strip().toUpperCase(Locale.ROOT);
        delegate = chosen.equals("TEXT") ? text : json;
        if (delegate == null) {
            addError("RedactingEncoder has no <" + chosen.toLowerCase(Locale.ROOT) + "> encoder");
            return;
        }
        if (delegate.getContext() == null) {
            delegate.setContext(getContext());
        }
        if (!delegate.isStarted()) {
            delegate.start();
        }
        super.start();
    }

    @Override
    public void stop() {
        if (delegate != null) {
            delegate.stop();
        }
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return delegate == null ? null : delegate.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        byte[] encoded = delegate.encode(event);
        if (encoded == null || encoded.length == 0) {
            return encoded;
        }
        return LogRedactor.redact(new String(encoded, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] footerBytes() {
        return delegate == null ? null : delegate.footerBytes();
    }
}
