-- Real-time push between instances travels as PostgreSQL NOTIFY on channel 'switchboard_push'. A NOTIFY payload
-- is limited to 8000 bytes, so an event whose JSON is larger is written here and only its id (with its app id) is
-- notified; each listening instance reads the row by id and app id. Rows are a transport buffer, not a record:
-- the publisher deletes those older than an hour (the calls and messages themselves are stored elsewhere).
CREATE TABLE push_outbox (
    id          uuid        PRIMARY KEY,
    app_id      uuid        NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    payload     text        NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX push_outbox_created_at ON push_outbox (created_at);
