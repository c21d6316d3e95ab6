-- Processed inbound events are purged once they are older than EVENT_RETENTION; the purge reads them by the time they
-- were processed, and only processed ones (the partial index stays as small as the purge leaves the table).
CREATE INDEX webhook_events_processed_age ON webhook_events (processed_at) WHERE status = 'processed';
