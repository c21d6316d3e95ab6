package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.messages.Message;
import dev.switchboard.core.messages.MessageDirection;
import dev.switchboard.core.messages.MessageFilter;
import dev.switchboard.core.messages.MessageInsert;
import dev.switchboard.core.messages.MessagePage;
import dev.switchboard.core.messages.SmsEvent;
import dev.switchboard.testkit.TestDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JdbiMessageStoreTest {
    private static final Instant RECEIVED = Instant.parse("2024-05-01T10:00:00Z");
    private static TestDatabase testDatabase;
    private static Database database;
    private static JdbiMessageStore messages;

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 20));
        messages = JdbiMessageStore.create(database);
    }

    @AfterAll
    static void close() {
        database.close();
        testDatabase.close();
    }

    private static SmsEvent sms(long id, String direction, String from, List<String> to, String user, long created) {
        return ((SmsEvent.Parse.Parsed) SmsEvent.parse(Map.of("id", id, "direction", direction, "from_number", from,
                "to_number", to, "text", "hello " + id, "target", Map.of("id", user), "created_date", created)))
                .event();
    }

    @Test
    void insertWhenSixteenThreadsInsertOneMessageThenOneInsertedAndOneRow() throws Exception {
        UUID app = Apps.insert(testDatabase);
        SmsEvent event = sms(1, "inbound", "+1555", List.of("+1666"), "9", 1_000);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<MessageInsert>> futures = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            futures.add(pool.submit(() -> {
                start.await();
                return messages.insert(app, event, RECEIVED);
            }));
        }
        start.countDown();
        List<MessageInsert> results = new ArrayList<>();
        for (Future<MessageInsert> future : futures) {
            results.add(future.get());
        }
        pool.shutdown();

        assertThat(results).filteredOn(r -> r instanceof MessageInsert.Inserted).hasSize(1);
        assertThat(results).extracting(r -> r.message().id()).containsOnly(results.get(0).message().id());
        assertThat(messages.list(app, MessageFilter.all()).total()).isEqualTo(1);
    }

    @Test
    void insertWhenEventHasNoCreationTimeThenReceivedTimeUsed() {
        UUID app = Apps.insert(testDatabase);
        SmsEvent event = ((SmsEvent.Parse.Parsed) SmsEvent.parse(Map.of("id", 2L, "direction", "outbound",
                "to_number", "+1666", "text_content", "hi"))).event();

        Message stored = messages.insert(app, event, RECEIVED).message();

        assertThat(stored.createdAt()).isEqualTo(RECEIVED);
        assertThat(stored.toNumbers()).containsExactly("+1666");
        assertThat(messages.findByDialpadId(app, "2")).contains(stored);
        assertThat(messages.find(app, stored.id())).contains(stored);
    }

    @Test
    void listWhenFilteredThenOnlyMatchingMessagesOfTheApp() {
        UUID app = Apps.insert(testDatabase);
        UUID other = Apps.insert(testDatabase);
        messages.insert(app, sms(10, "inbound", "+1555", List.of("+1666", "+1777"), "9", 1_000), RECEIVED);
        messages.insert(app, sms(11, "outbound", "+1666", List.of("+1555"), "9", 2_000), RECEIVED);
        messages.insert(app, sms(12, "inbound", "+1888", List.of("+1777"), "8", 3_000), RECEIVED);
        Message foreign = messages.insert(other, sms(10, "inbound", "+1555", List.of("+1666"), "9", 1_000), RECEIVED)
                .message();

        MessagePage inbound = messages.list(app, new MessageFilter(Optional.of(MessageDirection.INBOUND),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 10, 0));
        MessagePage toNumber = messages.list(app, new MessageFilter(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.of("+1777"), Optional.empty(), 10, 0));
        MessagePage byUser = messages.list(app, new MessageFilter(Optional.empty(),
                Optional.of(Instant.ofEpochMilli(1_500)), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of("9"), 10, 0));

        assertThat(inbound.messages()).extracting(Message::dialpadMessageId).containsExactly("12", "10");
        assertThat(toNumber.messages()).extracting(Message::dialpadMessageId).containsExactly("12", "10");
        assertThat(byUser.messages()).extracting(Message::dialpadMessageId).containsExactly("11");
        assertThat(messages.find(app, foreign.id())).isEmpty();
        assertThat(messages.list(other, MessageFilter.all()).total()).isEqualTo(1);
    }

    @Test
    void listWhenPagingThenEachPageInOrderAndTotalEvenPastTheEnd() {
        UUID app = Apps.insert(testDatabase);
        UUID empty = Apps.insert(testDatabase);
        for (int i = 0; i < 3; i++) {
            messages.insert(app, sms(20 + i, "inbound", "+1555", List.of("+1666"), "9", 1_000 * (i + 1)), RECEIVED);
        }

        MessagePage second = messages.list(app, page(1, 1));
        MessagePage pastTheEnd = messages.list(app, page(2, 7));
        MessagePage none = messages.list(empty, page(2, 2));

        assertThat(second.messages()).extracting(Message::dialpadMessageId).containsExactly("21");
        assertThat(second.total()).isEqualTo(3);
        assertThat(second.hasMore()).isTrue();
        assertThat(pastTheEnd.messages()).isEmpty();
        assertThat(pastTheEnd.total()).isEqualTo(3);
        assertThat(pastTheEnd.hasMore()).isFalse();
        assertThat(none.messages()).isEmpty();
        assertThat(none.total()).isZero();
    }

    private static MessageFilter page(int limit, int offset) {
        return new MessageFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), limit, offset);
    }
}
