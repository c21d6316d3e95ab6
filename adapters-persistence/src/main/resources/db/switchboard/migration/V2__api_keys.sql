-- API keys of apps and their audit trail. A key itself is never stored: only its bcrypt hash, the lookup prefix
-- (the first 16 of its 64 hex digits, which finds the one candidate row for a presented key) and its hint
-- (first 8 + last 4 characters). The CHECK constraints make it impossible to put a whole key in any column.

CREATE TABLE api_keys (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app_id        uuid        NOT NULL REFERENCES apps (id),
    lookup_prefix text        NOT NULL CHECK (lookup_prefix ~ '^[0-9a-f]{16}$'),
    bcrypt_hash   text        NOT NULL CHECK (bcrypt_hash ~ '^[$]2[aby][$][0-9]{2}[$][./A-Za-z0-9]{53}$'),
    key_hint      text        NOT NULL CHECK (key_hint ~ '^raw_[0-9a-f]{4}[.][.][.][0-9a-f]{4}$'),
    created_at    timestamptz NOT NULL,
    created_by    text        NOT NULL CHECK (length(created_by) BETWEEN 1 AND 100),
    -- set when the key stops working, by revocation or by rotation (then rotated_at is set too)
    revoked_at    timestamptz,
    revoked_by    text        CHECK (length(revoked_by) BETWEEN 1 AND 100),
    rotated_at    timestamptz,
    -- unique over all keys, revoked ones included, so a presented key always maps to at most one row
    CONSTRAINT api_keys_lookup_prefix_key UNIQUE (lookup_prefix),
    CONSTRAINT api_keys_revocation_complete CHECK ((revoked_at IS NULL) = (revoked_by IS NULL)),
    CONSTRAINT api_keys_rotation_is_revocation CHECK (rotated_at IS NULL OR rotated_at = revoked_at)
);
-- at most one active key per app, whatever the writers do
CREATE UNIQUE INDEX api_keys_one_active_per_app ON api_keys (app_id) WHERE revoked_at IS NULL;
CREATE INDEX api_keys_app_latest ON api_keys (app_id, id);

CREATE TABLE api_key_audit (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app_id      uuid        NOT NULL REFERENCES apps (id),
    action      text        NOT NULL CHECK (action IN ('created', 'rotated', 'revoked')),
    old_hint    text        CHECK (old_hint ~ '^raw_[0-9a-f]{4}[.][.][.][0-9a-f]{4}$'),
    new_hint    text        CHECK (new_hint ~ '^raw_[0-9a-f]{4}[.][.][.][0-9a-f]{4}$'),
    actor       text        NOT NULL CHECK (length(actor) BETWEEN 1 AND 100),
    occurred_at timestamptz NOT NULL,
    CONSTRAINT api_key_audit_hints_fit_action CHECK (
        (action = 'created' AND old_hint IS NULL AND new_hint IS NOT NULL)
        OR (action = 'rotated' AND old_hint IS NOT NULL AND new_hint IS NOT NULL)
        OR (action = 'revoked' AND old_hint IS NOT NULL AND new_hint IS NULL))
);
CREATE INDEX api_key_audit_app_time ON api_key_audit (app_id, occurred_at, id);

-- Like audit_log, the key audit trail is append-only.
CREATE FUNCTION api_key_audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'api_key_audit is append-only';
END;
$$;
CREATE TRIGGER api_key_audit_no_update BEFORE UPDATE OR DELETE ON api_key_audit
    FOR EACH ROW EXECUTE FUNCTION api_key_audit_is_append_only();
