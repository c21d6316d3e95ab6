-- A rotation may give the old key a grace period: the row keeps its lookup prefix and hash, stays unrevoked and
-- records when the grace ends (grace_ends_at); the application judges that instant with its own clock. At the next
-- rotation or revocation of the app the row is revoked like any other. So an app has one active key (unrevoked, no
-- grace end) plus at most one key in grace (unrevoked, with a grace end).
ALTER TABLE api_keys ADD COLUMN grace_ends_at timestamptz;
ALTER TABLE api_keys DROP CONSTRAINT api_keys_rotation_is_revocation;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_rotation_is_revocation
    CHECK (rotated_at IS NULL OR rotated_at = revoked_at OR grace_ends_at IS NOT NULL);
ALTER TABLE api_keys ADD CONSTRAINT api_keys_grace_after_rotation
    CHECK (grace_ends_at IS NULL OR (rotated_at IS NOT NULL AND grace_ends_at > rotated_at));

DROP INDEX api_keys_one_active_per_app;
CREATE UNIQUE INDEX api_keys_one_active_per_app ON api_keys (app_id) WHERE revoked_at IS NULL AND grace_ends_at IS NULL;
CREATE UNIQUE INDEX api_keys_one_in_grace_per_app ON api_keys (app_id)
    WHERE revoked_at IS NULL AND grace_ends_at IS NOT NULL;

-- the rotation entry records when the old key stops working, when that is later than the rotation itself
ALTER TABLE api_key_audit ADD COLUMN previous_key_expires_at timestamptz;
ALTER TABLE api_key_audit ADD CONSTRAINT api_key_audit_grace_only_on_rotation
    CHECK (previous_key_expires_at IS NULL OR (action = 'rotated' AND previous_key_expires_at > occurred_at));

-- giving a key a grace end narrows its access, so cached copies of it must be re-read: the access generation moves
DROP TRIGGER api_keys_access_changed ON api_keys;
CREATE TRIGGER api_keys_access_changed AFTER UPDATE ON api_keys FOR EACH ROW
    WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.bcrypt_hash IS DISTINCT FROM NEW.bcrypt_hash
          OR OLD.app_id IS DISTINCT FROM NEW.app_id OR OLD.lookup_prefix IS DISTINCT FROM NEW.lookup_prefix
          OR OLD.grace_ends_at IS DISTINCT FROM NEW.grace_ends_at)
    EXECUTE FUNCTION api_key_access_changed();
