-- +goose Up
ALTER TABLE handoffs ADD COLUMN ai_session_id uuid;
ALTER TABLE handoffs ADD FOREIGN KEY (account_id, ai_session_id) REFERENCES ai_sessions (account_id, id) ON DELETE CASCADE;
-- One handoff per conversation, as per guided session.
CREATE UNIQUE INDEX handoffs_ai_session_key ON handoffs (account_id, ai_session_id) WHERE ai_session_id IS NOT NULL;

-- +goose Down
DROP INDEX handoffs_ai_session_key;
ALTER TABLE handoffs DROP COLUMN ai_session_id;
