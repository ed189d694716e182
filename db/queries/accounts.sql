-- name: CreateAccount :one
INSERT INTO accounts (name) VALUES (@name) RETURNING *;

-- name: GetAccount :one
SELECT * FROM accounts WHERE id = @account_id;
