package dev.switchboard.core.webhook;

import dev.switchboard.core.calls.Call;
import dev.switchboard.core.calls.CallChange;
import dev.switchboard.core.calls.CallKey;
import dev.switchboard.core.calls.CallMerge;
import dev.switchboard.core.calls.CallUpdate;
import dev.switchboard.core.messages.Message;
import dev.switchboard.core.messages.NewMessage;
import dev.switchboard.core.push.PushEvent;
import dev.switchboard.core.push.PushEventType;
import dev.switchboard.core.users.DialpadUser;
import dev.switchboard.core.users.UserMappingRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Applies prepared events in one transaction of the {@link ProcessingStore}, with a number of statements that does
 * not grow with the batch: calls folded and written once each, messages inserted together, pushes published and
 * events marked processed, all or nothing. Part of {@link EventBatchApplier}; thread-safe.
 */
final class EventBatchWrite {
    /** A push to publish once the batch's changes are known; its CRM user is looked up for the whole batch. */
    private record PendingPush(WebhookEvent event, UUID appId, PushEventType type, Optional<String> dialpadUserId,
                               Map<String, Object> data) {
    }

    /** A call's events folded into it: the call's net update (what to write) and the pushes of each step. */
    private record CallPlan(CallUpdate net, List<PendingPush> pushes) {
    }

    private record MessageKey(UUID appId, String dialpadMessageId) {
    }

    /** The push each change causes, in the order they are published (a ring before its start, before its end). */
    private static final Map<CallChange, PushEventType> CALL_PUSHES = Collections.unmodifiableMap(new EnumMap<>(
            Map.of(CallChange.RANG, PushEventType.CALL_RING,
                    CallChange.ANSWERED, PushEventType.CALL_STARTED,
                    CallChange.ENDED, PushEventType.CALL_ENDED,
                    CallChange.RECORDING_ADDED, PushEventType.CALL_RECORDING,
                    CallChange.VOICEMAIL_ADDED, PushEventType.VOICEMAIL_RECEIVED)));
    /** Rounds of saving calls that other transactions keep creating meanwhile before the batch gives up. */
    private static final int MAX_SAVE_ROUNDS = 3;

    private final ProcessingStore processing;
    private final Clock clock;

    EventBatchWrite(ProcessingStore processing, Clock clock) {
        this.processing = processing;
        this.clock = clock;
    }

    void apply(List<PreparedEvent.Work> work) {
        Map<CallKey, List<PreparedEvent.CallWork>> calls = new LinkedHashMap<>();
        List<PreparedEvent.SmsWork> sms = new ArrayList<>();
        for (PreparedEvent.Work one : work) {
            if (one instanceof PreparedEvent.CallWork call) {
                calls.computeIfAbsent(call.key(), k -> new ArrayList<>()).add(call);
            } else if (one instanceof PreparedEvent.SmsWork message) {
                sms.add(message);
            } else if (!(one instanceof PreparedEvent.Nothing)) {
                throw new IllegalStateException("unknown prepared event " + one.getClass().getSimpleName());
            }
        }
        processing.inTransaction(tx -> {
            List<PendingPush> pushes = new ArrayList<>();
            if (!calls.isEmpty()) {
                pushes.addAll(applyCalls(tx, calls));
            }
            if (!sms.isEmpty()) {
                pushes.addAll(applyMessages(tx, sms));
            }
            if (!pushes.isEmpty()) {
                publish(tx, pushes);
            }
            tx.markProcessed(work.stream().map(w -> w.event().id()).toList());
        });
    }

    /** Locks and reads the batch's calls, folds each call's events into it in order, writes each call once. */
    private List<PendingPush> applyCalls(ProcessingStore.Transaction tx, Map<CallKey, List<PreparedEvent.CallWork>> calls) {
        Map<CallKey, CallPlan> plans = new LinkedHashMap<>();
        Set<CallKey> toPlan = calls.keySet();
        Map<CallKey, Call> stored = tx.lockCalls(toPlan);
        for (int round = 1; !toPlan.isEmpty(); round++) {
            List<CallUpdate> writes = new ArrayList<>();
            for (CallKey key : toPlan) {
                CallPlan plan = plan(stored.get(key), calls.get(key));
                plans.put(key, plan);
                if (plan.net().has(CallChange.UPDATED)) {
                    writes.add(plan.net());
                }
            }
            // a call created by another transaction since it was read: read it again, locked, and fold again
            Set<CallKey> createdMeanwhile = writes.isEmpty() ? Set.of() : tx.saveCalls(writes);
            if (!createdMeanwhile.isEmpty() && round == MAX_SAVE_ROUNDS) {
                throw new IllegalStateException("calls of the batch kept being created concurrently");
            }
            toPlan = createdMeanwhile;
            stored = createdMeanwhile.isEmpty() ? Map.of() : tx.lockCalls(createdMeanwhile);
        }
        List<PendingPush> pushes = new ArrayList<>();
        plans.values().forEach(plan -> pushes.addAll(plan.pushes()));
        return pushes;
    }

    private static CallPlan plan(Call storedOrNull, List<PreparedEvent.CallWork> events) {
        UUID newId = UUID.randomUUID();
        Call call = storedOrNull;
        EnumSet<CallChange> changes = EnumSet.noneOf(CallChange.class);
        List<PendingPush> pushes = new ArrayList<>();
        for (PreparedEvent.CallWork one : events) {
            CallUpdate step = CallMerge.apply(call, newId, one.appId(), one.call());
            call = step.call();
            changes.addAll(step.changes());
            Map<String, Object> data = null;
            for (Map.Entry<CallChange, PushEventType> push : CALL_PUSHES.entrySet()) {
                if (step.has(push.getKey())) {
                    data = data == null ? PushData.call(call) : data;
                    pushes.add(new PendingPush(one.event(), one.appId(), push.getValue(), call.dialpadUserId(), data));
                }
            }
        }
        return new CallPlan(new CallUpdate(call, changes), pushes);
    }

    /** Inserts the batch's messages at once; a message new to its app is pushed, a repeat is not. */
    private static List<PendingPush> applyMessages(ProcessingStore.Transaction tx, List<PreparedEvent.SmsWork> sms) {
        Map<MessageKey, PreparedEvent.SmsWork> firsts = new LinkedHashMap<>();
        for (PreparedEvent.SmsWork one : sms) {
            firsts.putIfAbsent(new MessageKey(one.appId(), one.sms().dialpadMessageId()), one);
        }
        Map<MessageKey, Message> inserted = new HashMap<>();
        for (Message message : tx.insertMessages(firsts.values().stream()
                .map(one -> new NewMessage(one.appId(), one.sms(), one.event().receivedAt())).toList())) {
            inserted.put(new MessageKey(message.appId(), message.dialpadMessageId()), message);
        }
        List<PendingPush> pushes = new ArrayList<>();
        firsts.forEach((key, one) -> {
            Message message = inserted.get(key);
            if (message != null) {
                pushes.add(new PendingPush(one.event(), one.appId(), PushEventType.MESSAGE_RECEIVED,
                        one.sms().dialpadUserId(), PushData.message(message)));
            }
        });
        return pushes;
    }

    private void publish(ProcessingStore.Transaction tx, List<PendingPush> pending) {
        Set<DialpadUser> users = new LinkedHashSet<>();
        for (PendingPush push : pending) {
            dialpadUser(push).ifPresent(users::add);
        }
        Map<DialpadUser, String> crmUsers = users.isEmpty() ? Map.of() : tx.crmUsers(users);
        Instant now = clock.instant();
        tx.publish(pending.stream()
                .map(push -> new PushEvent(pushId(push.event(), push.type()), push.appId(), push.type(), now,
                        dialpadUser(push).map(crmUsers::get), push.data()))
                .toList());
    }

    /** The mapping key of the push's Dialpad user; none for an id no mapping can have. */
    private static Optional<DialpadUser> dialpadUser(PendingPush push) {
        return push.dialpadUserId().filter(UserMappingRequest::isValidId)
                .map(id -> new DialpadUser(push.appId(), id));
    }

    /** One id per (stored event, type): a receiver that somehow sees the same push twice drops the repeat. */
    private static UUID pushId(WebhookEvent event, PushEventType type) {
        return UUID.nameUUIDFromBytes((event.id() + ":" + type.wireName()).getBytes(StandardCharsets.UTF_8));
    }
}
