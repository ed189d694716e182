-- name: CreateRefreshToken :exec
INSERT INTO refresh_tokens (account_id, user_id, family_id, token_hash, expires_at)
VALUES (@account_id, @user_id, @family_id, @token_hash, @expires_at);

-- FindRefreshToken and LockRefreshToken find a presented refresh token. They are deliberately
-- not scoped to an account: the token itself is the credential, presented before anyone is
-- authenticated.
-- name: FindRefreshToken :one
SELECT * FROM refresh_tokens WHERE token_hash = @token_hash;

-- name: LockRefreshToken :one
SELECT * FROM refresh_tokens WHERE token_hash = @token_hash FOR NO KEY UPDATE;

-- LockSignIns serialises every change to the refresh tokens of one user until commit. A refresh
-- locks a token and then its successor, while a sign-out or a revocation updates many tokens of
-- the user at once: without one lock taken first by all of them, they deadlock on the rows.
-- name: LockSignIns :exec
SELECT pg_advisory_xact_lock(hashtextextended(sqlc.arg(user_id)::uuid::text, 7391));

-- name: MarkRefreshTokenRotated :exec
UPDATE refresh_tokens SET rotated_at = @rotated_at::timestamptz
WHERE account_id = @account_id AND id = @id;

-- name: RevokeRefreshTokenFamily :exec
UPDATE refresh_tokens SET revoked_at = now()
WHERE account_id = @account_id AND family_id = @family_id AND revoked_at IS NULL;

-- name: RevokeUserRefreshTokens :exec
UPDATE refresh_tokens SET revoked_at = now()
WHERE account_id = @account_id AND user_id = @user_id AND revoked_at IS NULL;
