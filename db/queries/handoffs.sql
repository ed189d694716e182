-- name: CreateHandoff :one
INSERT INTO handoffs (account_id, source, session_id, ai_session_id, summary, priority, created_by, target_user_id, context, idempotency_key, request_fingerprint, created_at, updated_at)
VALUES (@account_id, @source, @session_id, @ai_session_id, @summary, @priority, @created_by, @target_user_id, @snapshot, @idempotency_key, @request_fingerprint, @created_at, @created_at)
RETURNING *;

-- name: GetHandoff :one
SELECT * FROM handoffs WHERE account_id = @account_id AND id = @id;

-- name: GetHandoffByIdempotencyKey :one
SELECT * FROM handoffs
WHERE account_id = @account_id AND created_by = @created_by AND idempotency_key = @idempotency_key;

-- name: LockHandoffForUpdate :one
SELECT * FROM handoffs WHERE account_id = @account_id AND id = @id FOR NO KEY UPDATE;

-- name: UpdateHandoff :one
UPDATE handoffs
SET status = @status, claimed_by = @claimed_by, claimed_at = @claimed_at, resolved_at = @resolved_at,
    resolution_note = @resolution_note, cancel_reason = @cancel_reason, updated_at = @at
WHERE account_id = @account_id AND id = @id
RETURNING *;

-- ListHandoffs is the queue: most urgent first, then oldest.
-- name: ListHandoffs :many
SELECT * FROM handoffs
WHERE account_id = @account_id
  AND status = ANY (@statuses::text[])
  AND (sqlc.narg(priority)::text IS NULL OR priority = sqlc.narg(priority))
  AND (sqlc.narg(assignee)::uuid IS NULL OR target_user_id = sqlc.narg(assignee) OR claimed_by = sqlc.narg(assignee))
  AND (sqlc.narg(target)::uuid IS NULL OR target_user_id = sqlc.narg(target))
  AND (sqlc.narg(created_before)::timestamptz IS NULL OR created_at < sqlc.narg(created_before))
ORDER BY CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END, created_at, id
LIMIT @max_rows OFFSET @skip_rows;

-- name: CountHandoffs :one
SELECT count(*) FROM handoffs
WHERE account_id = @account_id
  AND status = ANY (@statuses::text[])
  AND (sqlc.narg(priority)::text IS NULL OR priority = sqlc.narg(priority))
  AND (sqlc.narg(assignee)::uuid IS NULL OR target_user_id = sqlc.narg(assignee) OR claimed_by = sqlc.narg(assignee))
  AND (sqlc.narg(target)::uuid IS NULL OR target_user_id = sqlc.narg(target))
  AND (sqlc.narg(created_before)::timestamptz IS NULL OR created_at < sqlc.narg(created_before));

-- name: GetActiveEscalationRecipient :one
SELECT * FROM users
WHERE account_id = @account_id AND id = @id AND active AND role IN ('engineer', 'admin');

-- GetSessionHandoff is the handoff a session was escalated to, if the caller may read the
-- session: owner_id limits viewers to their own sessions.
-- name: GetSessionHandoff :one
SELECT h.* FROM handoffs h
JOIN sessions s ON s.account_id = h.account_id AND s.id = h.session_id
WHERE h.account_id = @account_id AND h.session_id = @session_id
  AND (sqlc.narg(owner_id)::uuid IS NULL OR s.user_id = sqlc.narg(owner_id));

-- ListEscalationTargets is who a caller can hand a problem to: the account's active engineers
-- and admins but the caller.
-- name: ListEscalationTargets :many
SELECT id, name, role FROM users
WHERE account_id = @account_id AND active AND role IN ('engineer', 'admin') AND id <> @caller_id
ORDER BY lower(name), id;

-- ListUserNames names the users a handoff refers to (creator, target, claimer).
-- name: ListUserNames :many
SELECT id, name FROM users WHERE account_id = @account_id AND id = ANY (@ids::uuid[]);
