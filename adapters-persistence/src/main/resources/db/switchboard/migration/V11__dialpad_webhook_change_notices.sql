-- Instances keep each app's webhook secrets in memory, so that a delivery with a bad signature costs no query; they
-- must learn at once when an app's webhooks change. Every statement that writes dialpad_webhooks sends, at commit,
-- the same notice as a write of calls or messages (V7): one per app touched, on the channel switchboard_data, the
-- payload the app id. Deleting an app deletes its webhooks by cascade and so notifies too.
CREATE TRIGGER dialpad_webhooks_inserted AFTER INSERT ON dialpad_webhooks REFERENCING NEW TABLE AS changed_after
    FOR EACH STATEMENT EXECUTE FUNCTION switchboard_data_changed();
CREATE TRIGGER dialpad_webhooks_updated AFTER UPDATE ON dialpad_webhooks REFERENCING NEW TABLE AS changed_after
    FOR EACH STATEMENT EXECUTE FUNCTION switchboard_data_changed();
CREATE TRIGGER dialpad_webhooks_deleted AFTER DELETE ON dialpad_webhooks REFERENCING OLD TABLE AS changed_before
    FOR EACH STATEMENT EXECUTE FUNCTION switchboard_data_changed();
