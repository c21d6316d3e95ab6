-- Revoked and rotated-away API keys leave the lookup. A dead key kept its lookup prefix and bcrypt hash, so anyone
-- who knew its 16-character prefix (a leaked old key) made every request cost one bcrypt comparison. Such a row now
-- keeps only what the audit and the key status read (hint, creation and revocation times): no prefix, no hash.
ALTER TABLE api_keys ALTER COLUMN lookup_prefix DROP NOT NULL, ALTER COLUMN bcrypt_hash DROP NOT NULL;
UPDATE api_keys SET lookup_prefix = NULL, bcrypt_hash = NULL WHERE revoked_at IS NOT NULL;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_only_live_keys_are_found
    CHECK ((revoked_at IS NULL) = (lookup_prefix IS NOT NULL) AND (lookup_prefix IS NULL) = (bcrypt_hash IS NULL));

-- Events of an organisation that no app connects are purged after a week; the purge reads them by age.
CREATE INDEX webhook_events_unrouted_age ON webhook_events (received_at) WHERE app_id IS NULL;
