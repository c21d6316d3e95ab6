-- A rotated webhook secret: the secret it replaced stays accepted until previous_secret_expires_at, sealed like the
-- current one (same key ring, same associated data); all three columns are set together or not at all.
ALTER TABLE dialpad_webhooks
    ADD COLUMN previous_secret_ciphertext bytea,
    ADD COLUMN previous_secret_key_id     text,
    ADD COLUMN previous_secret_expires_at timestamptz,
    ADD CONSTRAINT dialpad_webhooks_previous_secret_complete CHECK (
        (previous_secret_ciphertext IS NULL) = (previous_secret_key_id IS NULL)
        AND (previous_secret_ciphertext IS NULL) = (previous_secret_expires_at IS NULL));
