-- Webhook events, calls, voicemails, messages, user mappings and per-app Dialpad webhooks.
-- Every row that belongs to an app carries app_id and is always queried with it. Every timestamp is timestamptz.

-- The durable inbox. A delivery is unique per app and deduplication key; an event not routed to an app yet
-- (app_id NULL) is unique per organisation (or among organisation-less ones) and key, through a second index,
-- because NULLs never collide in a plain unique constraint.
CREATE TABLE webhook_events (
    id               uuid        PRIMARY KEY,
    app_id           uuid        REFERENCES apps (id) ON DELETE CASCADE,
    organisation_id  text,
    kind             text        NOT NULL CHECK (kind IN ('call', 'sms', 'unknown')),
    dedup_key        text        NOT NULL CHECK (length(dedup_key) BETWEEN 1 AND 200),
    payload          text        NOT NULL,
    status           text        NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processed', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error       text,
    received_at      timestamptz NOT NULL,
    next_attempt_at  timestamptz,
    processed_at     timestamptz,
    lease_owner      text,
    lease_until      timestamptz
);
CREATE UNIQUE INDEX webhook_events_app_key ON webhook_events (app_id, dedup_key) WHERE app_id IS NOT NULL;
CREATE UNIQUE INDEX webhook_events_unrouted_key ON webhook_events (coalesce(organisation_id, ''), dedup_key)
    WHERE app_id IS NULL;
-- What a claimer scans: only unprocessed events, in the order they fall due.
CREATE INDEX webhook_events_due ON webhook_events (next_attempt_at) WHERE status <> 'processed';

CREATE TABLE calls (
    id                  uuid        PRIMARY KEY,
    app_id              uuid        NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    dialpad_call_id     text        NOT NULL,
    status              text        NOT NULL
        CHECK (status IN ('ringing', 'active', 'ended', 'missed', 'rejected', 'voicemail')),
    direction           text        CHECK (direction IN ('inbound', 'outbound')),
    external_number     text,
    internal_number     text,
    target_id           text,
    target_type         text,
    target_name         text,
    target_phone        text,
    contact_id          text,
    contact_type        text,
    contact_name        text,
    contact_phone       text,
    master_call_id      text,
    entry_point_call_id text,
    started_at          timestamptz,
    answered_at         timestamptz,
    ended_at            timestamptz,
    duration_ms         bigint      CHECK (duration_ms >= 0),
    recording_url       text,
    voicemail_url       text,
    transcription       text,
    last_event_at       timestamptz,
    states_seen         bigint      NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    -- Unique per app, not globally: the same Dialpad call id in two apps is two rows, neither can touch the other.
    CONSTRAINT calls_app_dialpad_call UNIQUE (app_id, dialpad_call_id),
    CONSTRAINT calls_app_id UNIQUE (app_id, id)
);
CREATE INDEX calls_app_started ON calls (app_id, started_at DESC NULLS LAST);
CREATE INDEX calls_app_status ON calls (app_id, status);
CREATE INDEX calls_app_direction ON calls (app_id, direction);

CREATE TABLE voicemails (
    id               uuid        PRIMARY KEY,
    app_id           uuid        NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    call_id          uuid        NOT NULL,
    dialpad_call_id  text        NOT NULL,
    from_number      text,
    recording_url    text,
    transcription    text,
    duration_ms      bigint      CHECK (duration_ms >= 0),
    created_at       timestamptz NOT NULL,
    -- The call must be the same app's call.
    FOREIGN KEY (app_id, call_id) REFERENCES calls (app_id, id) ON DELETE CASCADE,
    CONSTRAINT voicemails_app_call UNIQUE (app_id, call_id)
);
CREATE INDEX voicemails_app_created ON voicemails (app_id, created_at DESC);

CREATE TABLE messages (
    id                  uuid        PRIMARY KEY,
    app_id              uuid        NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    dialpad_message_id  text        NOT NULL,
    direction           text        NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    from_number         text,
    to_numbers          text[]      NOT NULL DEFAULT '{}',
    body                text,
    dialpad_user_id     text,
    created_at          timestamptz NOT NULL,
    stored_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT messages_app_dialpad_message UNIQUE (app_id, dialpad_message_id)
);
CREATE INDEX messages_app_created ON messages (app_id, created_at DESC);
CREATE INDEX messages_app_direction ON messages (app_id, direction, created_at DESC);
CREATE INDEX messages_app_user ON messages (app_id, dialpad_user_id, created_at DESC);
CREATE INDEX messages_app_from ON messages (app_id, from_number);

CREATE TABLE user_mappings (
    id               uuid        PRIMARY KEY,
    app_id           uuid        NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    dialpad_user_id  text        NOT NULL CHECK (length(dialpad_user_id) BETWEEN 1 AND 255),
    crm_user_id      text        NOT NULL CHECK (length(crm_user_id) BETWEEN 1 AND 255),
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    CONSTRAINT user_mappings_app_dialpad_user UNIQUE (app_id, dialpad_user_id)
);
CREATE INDEX user_mappings_app_crm_user ON user_mappings (app_id, crm_user_id);

-- Per-app webhooks created at Dialpad. The secret is AES-256-GCM ciphertext (nonce + body + tag) with the id of
-- the key that sealed it; never clear text.
CREATE TABLE dialpad_webhooks (
    id                  uuid        PRIMARY KEY,
    app_id              uuid        NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    dialpad_webhook_id  text        NOT NULL,
    hook_url            text        NOT NULL,
    secret_ciphertext   bytea       NOT NULL,
    secret_key_id       text        NOT NULL,
    subscription_ids    text[]      NOT NULL DEFAULT '{}',
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CONSTRAINT dialpad_webhooks_app_dialpad_webhook UNIQUE (app_id, dialpad_webhook_id)
);
CREATE INDEX dialpad_webhooks_app ON dialpad_webhooks (app_id, created_at);
