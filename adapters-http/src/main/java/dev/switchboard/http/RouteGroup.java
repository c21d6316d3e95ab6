package dev.switchboard.http;

import io.javalin.config.RoutesConfig;

/** A set of routes (OAuth, internal administration, webhooks, ...) that registers itself on the server. */
@FunctionalInterface
public interface RouteGroup {
    /** Adds this group's handlers; called once while the server is being built. */
    void addTo(RoutesConfig routes);
}
