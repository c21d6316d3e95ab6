-- Every statement that writes calls or messages sends, at commit, one notice per app it touched on the channel
-- switchboard_data (the payload is the app id). Instances listen to it to know when what they read for an app is
-- stale (PostgresPushChannel feeds DataVersions). A trigger rather than the writers themselves, so that no write
-- path (processing, an administrator's SQL, a future purge) can forget it. PostgreSQL folds identical notices of one
-- transaction into one.
CREATE FUNCTION switchboard_data_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    app uuid;
BEGIN
    IF TG_OP = 'DELETE' THEN
        FOR app IN SELECT DISTINCT app_id FROM changed_before LOOP
            PERFORM pg_notify('switchboard_data', app::text);
        END LOOP;
    ELSE
        FOR app IN SELECT DISTINCT app_id FROM changed_after LOOP
            PERFORM pg_notify('switchboard_data', app::text);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;

-- a trigger with transition tables serves one kind of statement, hence three per table
CREATE TRIGGER calls_inserted AFTER INSERT ON calls REFERENCING NEW TABLE AS changed_after
    FOR EACH STATEMENT EXECUTE FUNCTION switchboard_data_changed();
CREATE TRIGGER calls_updated AFTER UPDATE ON calls REFERENCING NEW TABLE AS changed_after
    FOR EACH STATEMENT EXECUTE FUNCTION switchboard_data_changed();
CREATE TRIGGER calls_deleted AFTER DELETE ON calls REFERENCING OLD TABLE AS changed_before
    FOR EACH STATEMENT EXECUTE FUNCTION switchboard_data_changed();
CREATE TRIGGER messages_inserted AFTER INSERT ON messages REFERENCING NEW TABLE AS changed_after
    FOR EACH STATEMENT EXECUTE FUNCTION switchboard_data_changed();
CREATE TRIGGER messages_updated AFTER UPDATE ON messages REFERENCING NEW TABLE AS changed_after
    FOR EACH STATEMENT EXECUTE FUNCTION switchboard_data_changed();
CREATE TRIGGER messages_deleted AFTER DELETE ON messages REFERENCING OLD TABLE AS changed_before
    FOR EACH STATEMENT EXECUTE FUNCTION switchboard_data_changed();
