-- +goose Up
-- A recipient flooded with handoffs gets one digest for the rest of the window instead of one
-- email each: such notifications wait, marked digest, until the window ends, and are sent
-- together. link is the handoff's page, which a digest lists.
ALTER TABLE notifications ADD COLUMN digest boolean NOT NULL DEFAULT false;
ALTER TABLE notifications ADD COLUMN link text NOT NULL DEFAULT '';
-- The worker sending a notification holds it with a short lease it renews while it sends; the
-- token says whose lease it is, so that a worker whose lease lapsed cannot record the outcome of
-- an email another worker has taken over.
ALTER TABLE notifications ADD COLUMN lease_token uuid;
CREATE INDEX notifications_recipient_idx ON notifications (account_id, user_id, created_at);

-- +goose Down
DROP INDEX notifications_recipient_idx;
ALTER TABLE notifications DROP COLUMN lease_token;
ALTER TABLE notifications DROP COLUMN link;
ALTER TABLE notifications DROP COLUMN digest;
