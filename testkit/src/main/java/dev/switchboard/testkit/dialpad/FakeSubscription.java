package dev.switchboard.testkit.dialpad;

import java.util.List;
import java.util.Objects;

/**
 * A call or SMS event subscription created at {@link FakeDialpad}, pointing at webhook {@code webhookId}.
 * {@code callStates} is empty for SMS subscriptions, {@code direction} null for call subscriptions; a subscription
 * without target ({@code targetType} and {@code targetId} null) is company-wide.
 */
public record FakeSubscription(long id, long organisationId, DialpadEvent.Kind kind, long webhookId,
                               List<String> callStates, String direction, boolean enabled, boolean groupCallsOnly,
                               String targetType, Long targetId) {
    public FakeSubscription {
        Objects.requireNonNull(kind, "kind");
        callStates = List.copyOf(callStates);
        if ((targetType == null) != (targetId == null)) {
            throw new IllegalArgumentException("target type and target id go together");
        }
    }

    /** Whether this subscription delivers {@code event}: same kind, enabled, state and target matching. */
    public boolean matches(DialpadEvent event) {
        if (!enabled || event.kind() != kind) {
            return false;
        }
        if (kind == DialpadEvent.Kind.CALL && !callStates.contains("all") && !callStates.contains(event.state())) {
            return false;
        }
        if (kind == DialpadEvent.Kind.SMS && direction != null && !"all".equals(direction)
                && !direction.equals(event.payload().get("direction"))) {
            return false;
        }
        if (targetId != null) {
            Object target = event.payload().get("target");
            return target instanceof java.util.Map<?, ?> map && map.get("id") != null
                    && String.valueOf(map.get("id")).equals(String.valueOf(targetId));
        }
        return true;
    }
}
