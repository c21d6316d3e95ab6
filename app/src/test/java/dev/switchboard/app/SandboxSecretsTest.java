package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.switchboard.core.SwitchboardException;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.DatabaseConfig;
import dev.switchboard.core.secrets.Secret;
import dev.switchboard.app.config.SecretSetting;
import dev.switchboard.app.config.Secrets;
import dev.switchboard.core.secrets.SecretCipher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class SandboxSecretsTest {
    private static final DatabaseConfig EMBEDDED = new DatabaseConfig.Embedded(Path.of("unused"), 1);

    @TempDir
    Path temp;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void captureLogs() {
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        root.detachAppender(logs);
    }

    @Test
    void resolveWhenNothingIsSetThenGeneratesOwnerOnlyFileAndReusesItNextStart() throws Exception {
        Path data = temp.resolve("data");
        Configuration config = TestConfigurations.sandbox(data, EMBEDDED);

        Secrets first = SandboxSecrets.resolve(config, new SecureRandom()).secrets();
        Secrets second = SandboxSecrets.resolve(config, new SecureRandom()).secrets();

        Path file = data.resolve(SandboxSecrets.FILE_NAME);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
        assertThat(first.complete()).isTrue();
        assertThat(second).isEqualTo(first);
        assertThat(first.requireInternalApiSecret().length()).isGreaterThanOrEqualTo(32);
        assertThat(first.requireSessionSecret()).isNotEqualTo(first.requireInternalApiSecret());
        assertThat(SecretCipher.decodeKey(first.requireTokenEncryptionKey().value())).hasSize(32);

        List<String> messages = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(messages).anyMatch(m -> m.contains(file.toString()) && m.contains("generated [INTERNAL_API_SECRET"));
        assertThat(messages).anyMatch(m -> m.contains(file.toString()) && m.contains("reused [INTERNAL_API_SECRET"));
        for (String value : List.of(first.requireInternalApiSecret().value(), first.requireSessionSecret().value(),
                first.requireTokenEncryptionKey().value(), first.requireDialpadWebhookSecret().value())) {
            assertThat(messages).noneMatch(m -> m.contains(value));
        }
    }

    @Test
    void resolveWhenSomeSecretsAreSetThenOnlyTheOthersAreGeneratedAndStored() throws Exception {
        Path data = temp.resolve("partial");
        String internal = "i".repeat(40);
        Configuration config = TestConfigurations.sandbox(data, EMBEDDED, new Secrets(SecretSetting.provided(internal),
                new SecretSetting.GenerateInSandbox(), new SecretSetting.GenerateInSandbox(),
                SecretSetting.provided("hook")));

        Secrets secrets = SandboxSecrets.resolve(config, new SecureRandom()).secrets();

        assertThat(secrets.requireInternalApiSecret().value()).isEqualTo(internal);
        String stored = Files.readString(data.resolve(SandboxSecrets.FILE_NAME));
        assertThat(stored).contains("SESSION_SECRET=", "TOKEN_ENCRYPTION_KEY=").doesNotContain(internal)
                .doesNotContain("INTERNAL_API_SECRET").doesNotContain("DIALPAD_WEBHOOK_SECRET");
    }

    @Test
    void resolveWhenStoredKeyIsInvalidThenRefusedWithoutTheValue() throws Exception {
        Path data = temp.resolve("broken");
        Files.createDirectories(data);
        Files.writeString(data.resolve(SandboxSecrets.FILE_NAME), "TOKEN_ENCRYPTION_KEY=not-a-valid-key\n");

        assertThatThrownBy(() -> SandboxSecrets.resolve(TestConfigurations.sandbox(data, EMBEDDED), new SecureRandom()))
                .isInstanceOf(SwitchboardException.class)
                .hasMessageContaining("holds an invalid TOKEN_ENCRYPTION_KEY")
                .message().doesNotContain("not-a-valid-key");
    }

    @Test
    void resolveWhenFileIsReadableByOthersThenTightened() throws Exception {
        Path data = temp.resolve("loose");
        Configuration config = TestConfigurations.sandbox(data, EMBEDDED);
        SandboxSecrets.resolve(config, new SecureRandom());
        Path file = data.resolve(SandboxSecrets.FILE_NAME);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        SandboxSecrets.resolve(config, new SecureRandom());

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void resolveWhenDataDirectoryAndFileAlreadyExistOpenToOthersThenBothTightenedToOwnerOnly() throws Exception {
        Path data = directoryWithMode("existing", "rwxr-xr-x");
        Path file = data.resolve(SandboxSecrets.FILE_NAME);
        Files.writeString(file, "SESSION_SECRET=" + "s".repeat(40) + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        SandboxSecrets.resolve(TestConfigurations.sandbox(data, EMBEDDED), new SecureRandom());

        assertThat(mode(data)).isEqualTo("rwx------");
        assertThat(mode(file)).isEqualTo("rw-------");
    }

    @Test
    void embeddedDatabasePasswordWhenAskedAgainThenTheSameOneFromTheOwnerOnlyFileAndNeverLogged() throws Exception {
        Path data = directoryWithMode("database", "rwxrwxr-x");

        Secret first = SandboxSecrets.embeddedDatabasePassword(data, new SecureRandom());
        Secret second = SandboxSecrets.embeddedDatabasePassword(data, new SecureRandom());

        assertThat(second).isEqualTo(first);
        assertThat(first.length()).isGreaterThanOrEqualTo(32);
        Path file = data.resolve(SandboxSecrets.FILE_NAME);
        assertThat(Files.readString(file)).contains(SandboxSecrets.EMBEDDED_DATABASE_PASSWORD + "=" + first.value());
        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(mode(data)).isEqualTo("rwx------");
        List<String> messages = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(messages).anyMatch(m -> m.contains("embedded PostgreSQL password") && m.contains("generated"))
                .anyMatch(m -> m.contains("embedded PostgreSQL password") && m.contains("reused"))
                .noneMatch(m -> m.contains(first.value()));
    }

    /** A directory under the test's folder with exactly {@code mode}, as an operator might have made it. */
    private Path directoryWithMode(String name, String mode) throws IOException {
        Path directory = Files.createDirectories(temp.resolve(name));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString(mode));
        return directory;
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
