-- +goose Up
CREATE TABLE ai_sessions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL,
    -- session_id links the conversation to the guided session it is about, if any.
    session_id  uuid,
    problem     text NOT NULL CHECK (length(problem) BETWEEN 1 AND 4000),
    ticket_ref  text NOT NULL DEFAULT '',
    customer    text NOT NULL DEFAULT '',
    asset       text NOT NULL DEFAULT '',
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'resolved', 'escalated', 'abandoned')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, id),
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, session_id) REFERENCES sessions (account_id, id) ON DELETE CASCADE
);

CREATE INDEX ai_sessions_account_created_idx ON ai_sessions (account_id, created_at DESC, id);

CREATE TABLE ai_messages (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id     uuid NOT NULL,
    ai_session_id  uuid NOT NULL,
    role           text NOT NULL CHECK (role IN ('user', 'assistant')),
    content        text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    FOREIGN KEY (account_id, ai_session_id) REFERENCES ai_sessions (account_id, id) ON DELETE CASCADE
);

CREATE INDEX ai_messages_session_idx ON ai_messages (account_id, ai_session_id, created_at, id);

-- +goose Down
DROP TABLE ai_messages;
DROP TABLE ai_sessions;
