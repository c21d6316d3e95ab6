package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.slf4j.spi.MDCAdapter;

/** The real logback.xml, in a context of its own, writing to a captured stdout. */
class RedactingEncoderTest {
    private static final String KEY = "raw_" + "fedcba9876543210".repeat(4);
    private static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVlLTEyMw";
    private static final List<String> SECRETS = List.of(KEY, JWT, "internal-secret-0123456789abcdefghij",
            "AUTHCODE-77", "STATE-88", "VERIFIER-99", "CLIENTSECRET-11", "REFRESH-22", "ACCESS-33", "NONCE-44",
            "CONNECT-55");

    private final PrintStream originalOut = System.out;

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.clearProperty(Main.LOG_FORMAT_PROPERTY);
        MDC.clear();
    }

    private List<String> logEverySecretWith(String format) throws Exception {
        // slf4j configures the JVM's own logging on first use, reading the property: that happens before it is set,
        // so that the format under test stays in this test's context and does not leak into later tests' log
        MDCAdapter mdc = MDC.getMDCAdapter();
        System.setProperty(Main.LOG_FORMAT_PROPERTY, format);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(mdc);
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            URL config = getClass().getClassLoader().getResource("logback.xml");
            configurator.doConfigure(config);
            assertThat(context.getStatusManager().getCopyOfStatusList())
                    .noneMatch(status -> status.getLevel() >= ch.qos.logback.core.status.Status.WARN);
            Logger log = context.getLogger("dev.switchboard.test");

            MDC.put("request_id", "req-12345678");
            log.info("connect link {} issued", "https://cti.example.com/auth/dialpad/connect?app_id=1&connect_token=CONNECT-55");
            log.info("callback GET /auth/dialpad/callback?code=AUTHCODE-77&state=STATE-88");
            log.atInfo().addKeyValue("event", "token_exchange").addKeyValue("app_id", "3f1c")
                    .log("sent grant_type=authorization_code&code_verifier=VERIFIER-99&client_secret=CLIENTSECRET-11");
            log.warn("token response {\"access_token\":\"ACCESS-33\",\"refresh_token\":\"REFRESH-22\",\"token_type\":\"bearer\"}");
            log.info("header Authorization: Bearer internal-secret-0123456789abcdefghij");
            log.info("api key {} presented", KEY);
            log.info("webhook body {}", JWT);
            log.info("browser sent Cookie: __Host-switchboard_oauth=NONCE-44");
            log.error("failure", new IllegalStateException("bad token " + JWT + " for key " + KEY));
        } finally {
            context.stop();
            System.setOut(originalOut);
        }
        List<String> lines = new ArrayList<>();
        for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        return lines;
    }

    @Test
    void jsonLogWhenSecretsAreLoggedThenNoLineHoldsAnyOfThem() throws Exception {
        List<String> lines = logEverySecretWith("JSON");

        assertThat(lines).hasSizeGreaterThanOrEqualTo(9);
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            JsonNode node = json.readTree(line);
            assertThat(node.has("timestamp") && node.has("level") && node.has("logger") && node.has("message"))
                    .as(line).isTrue();
            assertThat(node.path("request_id").asText()).isEqualTo("req-12345678");
            for (String secret : SECRETS) {
                assertThat(line).as("a log line").doesNotContain(secret);
            }
        }
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("\"event\":\"token_exchange\"")
                .contains("\"app_id\":\"3f1c\""));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("grant_type=authorization_code"));
    }

    @Test
    void textLogWhenSecretsAreLoggedThenNoLineHoldsAnyOfThem() throws Exception {
        List<String> lines = logEverySecretWith("TEXT");

        assertThat(lines).hasSizeGreaterThanOrEqualTo(9);
        assertThat(String.join("\n", lines)).doesNotContain(SECRETS).contains("req-12345678", "event=");
    }
}
