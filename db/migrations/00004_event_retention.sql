-- +goose Up
-- The newest event id pruned from each account's history: a cursor older than this has a gap
-- that only re-reading the queue can fill.
CREATE TABLE escalation_event_horizons (
    account_id     uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    pruned_through bigint NOT NULL
);

CREATE INDEX escalation_events_created_idx ON escalation_events (created_at);

-- +goose Down
DROP INDEX escalation_events_created_idx;
DROP TABLE escalation_event_horizons;
