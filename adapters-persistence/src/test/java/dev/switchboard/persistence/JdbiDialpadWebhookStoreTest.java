package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.core.webhook.DialpadWebhook;
import dev.switchboard.core.webhook.DialpadWebhookSecret;
import dev.switchboard.core.webhook.NewDialpadWebhook;
import dev.switchboard.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JdbiDialpadWebhookStoreTest {
    private static TestDatabase testDatabase;
    private static Database database;
    private static JdbiDialpadWebhookStore webhooks;

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 5));
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        SecretCipher cipher = SecretCipher.fromBase64Key(Base64.getEncoder().encodeToString(key), new SecureRandom());
        webhooks = JdbiDialpadWebhookStore.create(database, cipher, Clock.systemUTC());
    }

    @AfterAll
    static void close() {
        database.close();
        testDatabase.close();
    }

    @Test
    void saveWhenSecretStoredThenNoColumnHoldsItInClear() throws Exception {
        UUID app = Apps.insert(testDatabase);
        String secret = "whsec-" + UUID.randomUUID();
        webhooks.save(new NewDialpadWebhook(app, "555", "https://sb.example/webhooks/dialpad/" + app,
                new DialpadWebhookSecret(secret), List.of("sub-call", "sub-sms")));

        String dump = dump();

        assertThat(dump).doesNotContain(secret)
                .doesNotContain(HexFormat.of().formatHex(secret.getBytes(StandardCharsets.UTF_8)));
        assertThat(webhooks.secrets(app)).containsExactly(new DialpadWebhookSecret(secret));
    }

    @Test
    void saveWhenSameDialpadWebhookAgainThenReplacedInPlace() {
        UUID app = Apps.insert(testDatabase);
        DialpadWebhook first = webhooks.save(new NewDialpadWebhook(app, "777", "https://a.example/h",
                new DialpadWebhookSecret("one"), List.of()));
        DialpadWebhook second = webhooks.save(new NewDialpadWebhook(app, "777", "https://b.example/h",
                new DialpadWebhookSecret("two"), List.of("s1")));

        assertThat(second.id()).isEqualTo(first.id());
        assertThat(second.hookUrl()).isEqualTo("https://b.example/h");
        assertThat(webhooks.secrets(app)).containsExactly(new DialpadWebhookSecret("two"));
        assertThat(webhooks.find(first.id())).contains(second);
    }

    @Test
    void listWhenTwoAppsThenEachSeesOnlyItsOwn() {
        UUID appA = Apps.insert(testDatabase);
        UUID appB = Apps.insert(testDatabase);
        DialpadWebhook a = webhooks.save(new NewDialpadWebhook(appA, "1", "https://a.example/h",
                new DialpadWebhookSecret("a"), List.of()));

        assertThat(webhooks.list(appB)).isEmpty();
        assertThat(webhooks.secrets(appB)).isEmpty();
        assertThat(webhooks.setSubscriptions(appB, a.id(), List.of("x"))).isFalse();
        assertThat(webhooks.delete(appB, a.id())).isFalse();
        assertThat(webhooks.setSubscriptions(appA, a.id(), List.of("x", "y"))).isTrue();
        assertThat(webhooks.list(appA)).singleElement().extracting(DialpadWebhook::subscriptionIds)
                .isEqualTo(List.of("x", "y"));
        assertThat(webhooks.delete(appA, a.id())).isTrue();
        assertThat(webhooks.list(appA)).isEmpty();
    }

    @Test
    void rotateSecretWhenOverlapRunsThenBothReturnedAndAfterItThePreviousIsForgottenInTheRow() throws Exception {
        UUID app = Apps.insert(testDatabase);
        dev.switchboard.core.testing.MutableClock clock =
                dev.switchboard.core.testing.MutableClock.at(java.time.Instant.parse("2030-01-01T00:00:00Z"));
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        JdbiDialpadWebhookStore store = JdbiDialpadWebhookStore.create(database,
                SecretCipher.fromBase64Key(Base64.getEncoder().encodeToString(key), new SecureRandom()), clock);
        DialpadWebhook webhook = store.save(new NewDialpadWebhook(app, "777", "https://sb.example/webhooks/dialpad/"
                + app, new DialpadWebhookSecret("old-secret-" + UUID.randomUUID()), List.of()));
        String old = store.secrets(app).get(0).value();
        String fresh = "new-secret-" + UUID.randomUUID();
        java.time.Instant until = clock.instant().plus(java.time.Duration.ofHours(24));

        assertThat(store.rotateSecret(app, webhook.id(), new DialpadWebhookSecret(fresh), until)).isTrue();

        assertThat(store.secrets(app)).containsExactly(new DialpadWebhookSecret(fresh),
                new DialpadWebhookSecret(old, java.util.Optional.of(until)));
        assertThat(dump()).doesNotContain(fresh).doesNotContain(old);
        clock.advance(java.time.Duration.ofHours(24));
        assertThat(store.secrets(app)).containsExactly(new DialpadWebhookSecret(fresh));
        try (Connection connection = testDatabase.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT previous_secret_ciphertext, previous_secret_expires_at "
                     + "FROM dialpad_webhooks WHERE id = '" + webhook.id() + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBytes(1)).isNull();
            assertThat(rs.getObject(2)).isNull();
        }
        assertThat(store.rotateSecret(app, UUID.randomUUID(), new DialpadWebhookSecret(fresh), until)).isFalse();
        assertThat(store.rotateSecret(Apps.insert(testDatabase), webhook.id(), new DialpadWebhookSecret(fresh),
                until)).isFalse();
    }

    private static String dump() throws Exception {
        StringBuilder dump = new StringBuilder();
        try (Connection connection = testDatabase.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT * FROM dialpad_webhooks")) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    byte[] bytes = rs.getBytes(i);
                    if (bytes != null) {
                        dump.append(new String(bytes, StandardCharsets.ISO_8859_1)).append('|')
                                .append(HexFormat.of().formatHex(bytes)).append('|');
                    }
                    dump.append(rs.getString(i)).append('\n');
                }
            }
        }
        return dump.toString();
    }
}
