package dev.switchboard.core.oauth;

import java.time.Instant;

/**
 * Switchboard's {@link OAuthFlowStore}, whose rows carry the app and connect link as columns of their own, seen as
 * the {@link OAuthStateStore} that {@link OAuthStates} works on.
 */
final class FlowStateStore implements OAuthStateStore<FlowOrigin> {
    private final OAuthFlowStore flows;

    FlowStateStore(OAuthFlowStore flows) {
        this.flows = flows;
    }

    @Override
    public void save(PendingState<FlowOrigin> state) {
        FlowOrigin origin = state.context();
        flows.save(new OAuthFlow(state.stateHash(), origin.appId(), state.browserNonceHash(),
                state.verifier().value(), state.createdAt(), state.expiresAt(), origin.link()));
    }

    @Override
    public Consumption<FlowOrigin> consume(SecretHash stateHash, Instant now) {
        OAuthFlowStore.Consumption consumption = flows.consume(stateHash, now);
        if (consumption instanceof OAuthFlowStore.Consumption.Pending pending) {
            OAuthFlow flow = pending.flow();
            return new Consumption.Pending<>(new PendingState<>(flow.stateHash(), flow.browserNonceHash(),
                    new Pkce.Verifier(flow.verifier()), flow.createdAt(), flow.expiresAt(),
                    flow.origin()));
        }
        if (consumption instanceof OAuthFlowStore.Consumption.Expired expired) {
            return new Consumption.Expired<>(expired.origin());
        }
        if (consumption instanceof OAuthFlowStore.Consumption.NotFound) {
            return new Consumption.NotFound<>();
        }
        throw new IllegalStateException("unhandled consumption " + consumption.getClass().getSimpleName());
    }
}
