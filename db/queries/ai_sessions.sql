-- name: CreateAISession :one
INSERT INTO ai_sessions (account_id, user_id, session_id, problem, ticket_ref, customer, asset)
VALUES (@account_id, @user_id, @session_id, @problem, @ticket_ref, @customer, @asset)
RETURNING *;

-- GetAISession returns a conversation; viewers pass their own id as owner_id.
-- name: GetAISession :one
SELECT * FROM ai_sessions
WHERE account_id = @account_id AND id = @id
  AND (sqlc.narg(owner_id)::uuid IS NULL OR user_id = sqlc.narg(owner_id));

-- name: ListAISessions :many
SELECT * FROM ai_sessions
WHERE account_id = @account_id
  AND (sqlc.narg(owner_id)::uuid IS NULL OR user_id = sqlc.narg(owner_id))
  AND (sqlc.narg(user_id)::uuid IS NULL OR user_id = sqlc.narg(user_id))
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status))
ORDER BY created_at DESC, id
LIMIT @max_rows OFFSET @skip_rows;

-- name: CountAISessions :one
SELECT count(*) FROM ai_sessions
WHERE account_id = @account_id
  AND (sqlc.narg(owner_id)::uuid IS NULL OR user_id = sqlc.narg(owner_id))
  AND (sqlc.narg(user_id)::uuid IS NULL OR user_id = sqlc.narg(user_id))
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status));

-- name: AddAIMessage :one
INSERT INTO ai_messages (account_id, ai_session_id, role, content)
VALUES (@account_id, @ai_session_id, @role, @content)
RETURNING *;

-- name: TouchAISession :exec
UPDATE ai_sessions SET updated_at = now() WHERE account_id = @account_id AND id = @id;

-- name: ListAIMessages :many
SELECT * FROM ai_messages
WHERE account_id = @account_id AND ai_session_id = @ai_session_id
ORDER BY created_at, id;

-- name: LockAISessionForUpdate :one
SELECT * FROM ai_sessions
WHERE account_id = @account_id AND id = @id
  AND (sqlc.narg(owner_id)::uuid IS NULL OR user_id = sqlc.narg(owner_id))
FOR NO KEY UPDATE;

-- name: SetAISessionStatus :exec
UPDATE ai_sessions SET status = @status, updated_at = now() WHERE account_id = @account_id AND id = @id;

-- name: CountAIMessages :one
SELECT count(*) FROM ai_messages WHERE account_id = @account_id AND ai_session_id = @ai_session_id;

-- GetLastAIMessage is the newest message of a conversation, to tell a retry from a new message.
-- name: GetLastAIMessage :one
SELECT * FROM ai_messages
WHERE account_id = @account_id AND ai_session_id = @ai_session_id
ORDER BY created_at DESC, id DESC
LIMIT 1;
