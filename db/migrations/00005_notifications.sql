-- +goose Up
-- Engineers and admins may turn escalation emails off for themselves.
ALTER TABLE users ADD COLUMN escalation_emails boolean NOT NULL DEFAULT true;

-- The email outbox: rows are queued in the transaction that creates a handoff and sent by a
-- worker, so that a handoff is never lost to a mail server being down, nor mailed if it rolled
-- back.
CREATE TABLE notifications (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      uuid NOT NULL,
    handoff_id      uuid NOT NULL,
    user_id         uuid NOT NULL,
    email           text NOT NULL,
    subject         text NOT NULL,
    text_body       text NOT NULL,
    html_body       text NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    -- next_attempt_at is also the lease of a worker sending it: other workers skip it until then.
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    failed_at       timestamptz,
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (account_id, handoff_id) REFERENCES handoffs (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
);

CREATE INDEX notifications_due_idx ON notifications (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- +goose Down
DROP TABLE notifications;
ALTER TABLE users DROP COLUMN escalation_emails;
