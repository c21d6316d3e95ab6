package dev.switchboard.core.oauth;

import java.util.Objects;
import java.util.UUID;

/**
 * The context Switchboard's own flows keep with their state ({@link OAuthStates}): the app being connected and the
 * connect link the flow was started from.
 *
 * @param appId the app being connected
 * @param link  the connect link, which a completed connection uses up
 */
public record FlowOrigin(UUID appId, LinkBinding link) {
    public FlowOrigin {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(link, "link");
    }
}
