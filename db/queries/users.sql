-- name: CreateUser :one
INSERT INTO users (account_id, email, name, role, password_hash)
VALUES (@account_id, @email, @name, @role, @password_hash)
RETURNING *;

-- name: GetUser :one
SELECT * FROM users WHERE account_id = @account_id AND id = @id;

-- GetUserByEmail finds the sign-in account of an email. It is deliberately not scoped to an
-- account: the email is the global sign-in name, looked up before anyone is authenticated.
-- name: GetUserByEmail :one
SELECT * FROM users WHERE lower(email) = lower(@email);

-- name: ListUsers :many
SELECT * FROM users
WHERE account_id = @account_id
  AND (sqlc.narg(role)::text IS NULL OR role = sqlc.narg(role))
  AND (sqlc.narg(active)::boolean IS NULL OR active = sqlc.narg(active))
ORDER BY created_at, id
LIMIT @max_rows OFFSET @skip_rows;

-- name: CountUsers :one
SELECT count(*) FROM users
WHERE account_id = @account_id
  AND (sqlc.narg(role)::text IS NULL OR role = sqlc.narg(role))
  AND (sqlc.narg(active)::boolean IS NULL OR active = sqlc.narg(active));

-- The row locks here and in the other Lock* queries are FOR NO KEY UPDATE: they serialise
-- writers of the row without blocking the key-share locks that inserting children (refresh
-- tokens, steps) takes, which FOR UPDATE would turn into deadlocks.
-- name: LockUserForUpdate :one
SELECT * FROM users WHERE account_id = @account_id AND id = @id FOR NO KEY UPDATE;

-- LockActiveAdmins serialises every change that could leave an account without an active admin.
-- name: LockActiveAdmins :many
SELECT id FROM users
WHERE account_id = @account_id AND role = 'admin' AND active
ORDER BY id
FOR NO KEY UPDATE;

-- name: UpdateUser :one
UPDATE users
SET name = @name, role = @role, active = @active, password_hash = @password_hash, updated_at = now()
WHERE account_id = @account_id AND id = @id
RETURNING *;

-- name: UpdateUserPreferences :one
UPDATE users
SET name = coalesce(sqlc.narg(name), name), escalation_emails = coalesce(sqlc.narg(escalation_emails), escalation_emails),
    updated_at = now()
WHERE account_id = @account_id AND id = @id AND active
RETURNING *;
