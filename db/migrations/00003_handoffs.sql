-- +goose Up
CREATE TABLE handoffs (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id       uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    source           text NOT NULL CHECK (source IN ('session', 'ai_session')),
    session_id       uuid,
    summary          text NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
    priority         text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'resolved', 'cancelled')),
    created_by       uuid NOT NULL,
    target_user_id   uuid,
    claimed_by       uuid,
    claimed_at       timestamptz,
    resolved_at      timestamptz,
    resolution_note  text NOT NULL DEFAULT '',
    cancel_reason    text NOT NULL DEFAULT '',
    -- context is the snapshot taken at creation: everything the engineer needs, frozen.
    context          jsonb NOT NULL,
    -- idempotency_key makes a retried create return the first handoff (per creator).
    idempotency_key  text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, id),
    UNIQUE (account_id, created_by, idempotency_key),
    FOREIGN KEY (account_id, session_id) REFERENCES sessions (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, created_by) REFERENCES users (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, target_user_id) REFERENCES users (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, claimed_by) REFERENCES users (account_id, id) ON DELETE CASCADE
);

CREATE INDEX handoffs_queue_idx ON handoffs (account_id, status, created_at);
-- One live handoff per session: a second escalation of the same session is a conflict.
CREATE UNIQUE INDEX handoffs_session_key ON handoffs (account_id, session_id) WHERE session_id IS NOT NULL;

-- Every handoff change appends an event in the same transaction: the source of truth for the
-- live stream and the pull cursor.
CREATE TABLE escalation_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    handoff_id  uuid NOT NULL,
    type        text NOT NULL CHECK (type IN ('handoff_created', 'handoff_claimed', 'handoff_resolved', 'handoff_cancelled')),
    payload     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (account_id, handoff_id) REFERENCES handoffs (account_id, id) ON DELETE CASCADE
);

CREATE INDEX escalation_events_account_idx ON escalation_events (account_id, id);

-- +goose Down
DROP TABLE escalation_events;
DROP TABLE handoffs;
