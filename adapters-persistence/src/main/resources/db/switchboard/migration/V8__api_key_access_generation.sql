-- One number that moves forward, at commit, with every change able to withdraw an API key's access: an UPDATE or
-- DELETE of api_keys (revocation, rotation) and a change of an app's is_active flag or its removal. Instances cache
-- verified keys; reading this one row tells them whether any cached key may have lost its access since they last
-- looked, so a key in steady use costs no query of its own. Inserting a key does not move it: a new key cannot be
-- in anybody's cache yet. A transactional row rather than a sequence, so that nobody sees the new number before the
-- change that moved it is visible.
CREATE TABLE api_key_access_generation (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    generation bigint  NOT NULL
);
INSERT INTO api_key_access_generation (singleton, generation) VALUES (true, 0);

CREATE FUNCTION api_key_access_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    UPDATE api_key_access_generation SET generation = generation + 1;
    RETURN NULL;
END
$$;

-- row triggers with conditions: a statement that changes nothing (a revocation finding no active key, a rename)
-- moves nothing
CREATE TRIGGER api_keys_access_changed AFTER UPDATE ON api_keys FOR EACH ROW
    WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.bcrypt_hash IS DISTINCT FROM NEW.bcrypt_hash
          OR OLD.app_id IS DISTINCT FROM NEW.app_id OR OLD.lookup_prefix IS DISTINCT FROM NEW.lookup_prefix)
    EXECUTE FUNCTION api_key_access_changed();
CREATE TRIGGER api_keys_access_removed AFTER DELETE ON api_keys FOR EACH ROW
    EXECUTE FUNCTION api_key_access_changed();
CREATE TRIGGER apps_access_changed AFTER UPDATE OF is_active ON apps FOR EACH ROW
    WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active)
    EXECUTE FUNCTION api_key_access_changed();
CREATE TRIGGER apps_access_removed AFTER DELETE ON apps FOR EACH ROW
    EXECUTE FUNCTION api_key_access_changed();
