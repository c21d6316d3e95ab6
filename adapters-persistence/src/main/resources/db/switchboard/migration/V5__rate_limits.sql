-- Rate-limit buckets shared by every instance when RATE_LIMIT_STORE=postgres: the table that Bucket4j's
-- PostgreSQL module (bucket4j_jdk17-postgresql 8.18) uses with its default names. Both of its proxy managers
-- (advisory-lock and SELECT ... FOR UPDATE) read and write "bucket"(id, state). With an expire-after-write
-- strategy they also write "expires_at" (epoch milliseconds after which the row may be removed, see
-- ExpiredEntriesCleaner.removeExpired), and the advisory-lock manager writes "explicit_lock", the advisory lock
-- id that its clean-up takes with pg_try_advisory_xact_lock before deleting a row.
-- The key is text (PrimaryKeyMapper.STRING) because limits are keyed by limit name and client address; the table
-- holds no tenant data.
CREATE TABLE bucket (
    id             text    PRIMARY KEY,
    state          bytea,
    expires_at     bigint,
    explicit_lock  bigint
);
CREATE INDEX bucket_expires_at ON bucket (expires_at);
