-- name: CreateRefreshToken :exec
INSERT INTO refresh_tokens (account_id, user_id, family_id, token_hash, expires_at)
VALUES (@account_id, @user_id, @family_id, @token_hash, @expires_at);

-- LockRefreshToken finds a presented refresh token. It is deliberately not scoped to an account:
-- the token itself is the credential, presented before anyone is authenticated.
-- name: LockRefreshToken :one
SELECT * FROM refresh_tokens WHERE token_hash = @token_hash FOR NO KEY UPDATE;

-- name: MarkRefreshTokenRotated :exec
UPDATE refresh_tokens SET rotated_at = @rotated_at::timestamptz
WHERE account_id = @account_id AND id = @id;

-- name: RevokeRefreshTokenFamily :exec
UPDATE refresh_tokens SET revoked_at = now()
WHERE account_id = @account_id AND family_id = @family_id AND revoked_at IS NULL;

-- name: RevokeUserRefreshTokens :exec
UPDATE refresh_tokens SET revoked_at = now()
WHERE account_id = @account_id AND user_id = @user_id AND revoked_at IS NULL;
