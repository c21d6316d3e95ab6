-- A connect link is used up when a connection is completed through it, no longer when it is opened: corporate mail
-- gateways open every link in a message before the person does. A link may start several flows (counted, so that
-- whoever holds one cannot create rows without bound) and may name the Dialpad organisation it is for.

-- Under the old rule a link was marked when opened; such links are treated as used up (conservative: their flow
-- may have completed). The column now means "a connection was completed through this link".
ALTER TABLE connect_tokens RENAME COLUMN consumed_at TO completed_at;
ALTER TABLE connect_tokens
    ADD COLUMN flows_started   integer NOT NULL DEFAULT 0 CHECK (flows_started >= 0),
    ADD COLUMN organisation_id text CHECK (length(organisation_id) BETWEEN 1 AND 200);

-- Every flow now names the link it came from, so that completing it can use the link up. Flows started under the
-- old rule have no link to name; they are at most 15 minutes old and are dropped (their connect must be started
-- again with a new link).
DELETE FROM oauth_flows;
ALTER TABLE oauth_flows
    ADD COLUMN connect_token_hash bytea NOT NULL REFERENCES connect_tokens (token_hash) ON DELETE CASCADE,
    ADD COLUMN organisation_id    text CHECK (length(organisation_id) BETWEEN 1 AND 200);
CREATE INDEX oauth_flows_connect_token ON oauth_flows (connect_token_hash);
