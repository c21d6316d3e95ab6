-- Dialpad connections, pending OAuth flows and connect tokens. Tokens and PKCE verifiers are stored only as
-- AES-256-GCM ciphertexts with the id of their key; states, cookie nonces and connect tokens only as SHA-256.

CREATE TABLE dialpad_connections (
    app_id                   uuid        PRIMARY KEY REFERENCES apps (id) ON DELETE CASCADE,
    organisation_id          text        NOT NULL CHECK (length(organisation_id) BETWEEN 1 AND 200),
    environment              text        NOT NULL CHECK (environment IN ('sandbox', 'production')),
    key_id                   text        NOT NULL,
    access_token_ciphertext  bytea       NOT NULL,
    refresh_token_ciphertext bytea       NOT NULL,
    expires_at               timestamptz NOT NULL,
    tokens_obtained_at       timestamptz NOT NULL,
    connected_at             timestamptz NOT NULL,
    last_refresh_success_at  timestamptz,
    last_refresh_failure_at  timestamptz,
    consecutive_failures     integer     NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    last_error_code          text        CHECK (last_error_code ~ '^[A-Za-z0-9_.:-]{1,64}$'),
    needs_reconnect          boolean     NOT NULL DEFAULT false,
    next_attempt_at          timestamptz NOT NULL,
    lease_owner              text,
    lease_until              timestamptz,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    CHECK ((lease_owner IS NULL) = (lease_until IS NULL))
);
-- Shared webhooks are routed to apps by organisation.
CREATE INDEX dialpad_connections_organisation ON dialpad_connections (organisation_id);
-- The refresher looks for due connections that can still be refreshed.
CREATE INDEX dialpad_connections_due ON dialpad_connections (next_attempt_at) WHERE NOT needs_reconnect;

CREATE TABLE oauth_flows (
    state_hash          bytea       PRIMARY KEY CHECK (octet_length(state_hash) = 32),
    app_id              uuid        NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    cookie_nonce_hash   bytea       NOT NULL CHECK (octet_length(cookie_nonce_hash) = 32),
    verifier_key_id     text        NOT NULL,
    verifier_ciphertext bytea       NOT NULL,
    created_at          timestamptz NOT NULL,
    expires_at          timestamptz NOT NULL,
    consumed_at         timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX oauth_flows_expiry ON oauth_flows (expires_at);

CREATE TABLE connect_tokens (
    token_hash  bytea       PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    app_id      uuid        NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    consumed_at timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX connect_tokens_expiry ON connect_tokens (expires_at);
