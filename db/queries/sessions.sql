-- name: CreateSession :one
INSERT INTO sessions (account_id, tree_id, tree_version, user_id, current_node, ticket_ref, customer, asset, notes, started_at, updated_at)
VALUES (@account_id, @tree_id, @tree_version, @user_id, @current_node, @ticket_ref, @customer, @asset, @notes, @started_at, @started_at)
RETURNING *;

-- GetSession returns a session with its tree's title. Viewers pass their own id as owner_id;
-- a session of someone else then reads as missing.
-- name: GetSession :one
SELECT sqlc.embed(s), t.title AS tree_title
FROM sessions s
JOIN trees t ON t.account_id = s.account_id AND t.id = s.tree_id
WHERE s.account_id = @account_id AND s.id = @id
  AND (sqlc.narg(owner_id)::uuid IS NULL OR s.user_id = sqlc.narg(owner_id));

-- LockSessionForUpdate also names the technician, whom an escalation quotes, to save a round
-- trip on the way to the engineers.
-- name: LockSessionForUpdate :one
SELECT sqlc.embed(s), t.title AS tree_title, u.name AS technician_name
FROM sessions s
JOIN trees t ON t.account_id = s.account_id AND t.id = s.tree_id
JOIN users u ON u.account_id = s.account_id AND u.id = s.user_id
WHERE s.account_id = @account_id AND s.id = @id
  AND (sqlc.narg(owner_id)::uuid IS NULL OR s.user_id = sqlc.narg(owner_id))
FOR NO KEY UPDATE OF s;

-- ListSessionSteps leaves out the keys the caller already has: every answer reads the whole
-- history, so each column costs.
-- name: ListSessionSteps :many
SELECT seq, kind, node_id, option_id, to_node_id, text, note, created_at FROM session_steps
WHERE account_id = @account_id AND session_id = @session_id
ORDER BY seq;

-- RecordSessionStep appends a step and moves the session to where it leads, in one statement.
-- name: RecordSessionStep :exec
WITH step AS (
    INSERT INTO session_steps (account_id, session_id, seq, kind, node_id, option_id, to_node_id, text, note, created_at)
    VALUES (@account_id, @session_id, @seq, @kind, @node_id, @option_id, @to_node_id, @text, @note, @created_at)
)
UPDATE sessions SET current_node = @to_node_id, updated_at = @created_at
WHERE sessions.account_id = @account_id AND sessions.id = @session_id;

-- name: UpdateSessionDetails :exec
UPDATE sessions
SET ticket_ref = @ticket_ref, customer = @customer, asset = @asset, notes = @notes, updated_at = @at
WHERE account_id = @account_id AND id = @id;

-- name: CompleteSession :exec
UPDATE sessions
SET status = @status, resolution_note = @resolution_note, completed_at = @at::timestamptz, updated_at = @at::timestamptz
WHERE account_id = @account_id AND id = @id;

-- name: ListSessions :many
SELECT sqlc.embed(s), t.title AS tree_title
FROM sessions s
JOIN trees t ON t.account_id = s.account_id AND t.id = s.tree_id
WHERE s.account_id = @account_id
  AND (sqlc.narg(user_id)::uuid IS NULL OR s.user_id = sqlc.narg(user_id))
  AND (sqlc.narg(tree_id)::uuid IS NULL OR s.tree_id = sqlc.narg(tree_id))
  AND (sqlc.narg(status)::text IS NULL OR s.status = sqlc.narg(status))
ORDER BY s.started_at DESC, s.id
LIMIT @max_rows OFFSET @skip_rows;

-- name: CountSessions :one
SELECT count(*) FROM sessions s
WHERE s.account_id = @account_id
  AND (sqlc.narg(user_id)::uuid IS NULL OR s.user_id = sqlc.narg(user_id))
  AND (sqlc.narg(tree_id)::uuid IS NULL OR s.tree_id = sqlc.narg(tree_id))
  AND (sqlc.narg(status)::text IS NULL OR s.status = sqlc.narg(status));

-- ResolveEscalatedSession records that the engineer resolved what the session handed off.
-- name: ResolveEscalatedSession :exec
UPDATE sessions SET status = 'resolved', resolution_note = @resolution_note, updated_at = @at
WHERE account_id = @account_id AND id = @id AND status = 'escalated';
