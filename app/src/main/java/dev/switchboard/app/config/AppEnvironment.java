package dev.switchboard.app.config;

import java.util.Locale;

/** Which Dialpad environment, and which set of rules, the server runs with ({@code APP_ENV}). */
public enum AppEnvironment {
    /** Dialpad's sandbox; friendly defaults, generated secrets, an embedded database. */
    SANDBOX,
    /** Dialpad's production; every secret and the database must be configured, every public URL is https. */
    PRODUCTION;

    /** The lower-case name used in the environment and in answers, e.g. {@code sandbox}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
