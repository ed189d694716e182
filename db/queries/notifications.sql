-- QueueHandoffNotifications queues one email per active engineer and admin of the account who
-- wants them, except the creator; only the target, when the handoff names one.
-- name: QueueHandoffNotifications :execrows
INSERT INTO notifications (account_id, handoff_id, user_id, email, subject, text_body, html_body)
SELECT u.account_id, @handoff_id, u.id, u.email, @subject, @text_body, @html_body
FROM users u
WHERE u.account_id = @account_id AND u.active AND u.escalation_emails
  AND u.role IN ('engineer', 'admin') AND u.id <> @created_by
  AND (sqlc.narg(target_user_id)::uuid IS NULL OR u.id = sqlc.narg(target_user_id));

-- ClaimDueNotifications leases due notifications to one worker: SKIP LOCKED keeps concurrent
-- workers (other replicas) off the same rows, and the lease keeps them off while it sends. It
-- serves every account: it is the outbox's worker, not a tenant's request.
-- name: ClaimDueNotifications :many
-- Times come from the database's clock, so that replicas with skewed clocks agree on leases.
UPDATE notifications n SET attempts = n.attempts + 1, next_attempt_at = now() + make_interval(secs => sqlc.arg(lease_seconds)::float8)
WHERE n.id IN (
    SELECT d.id FROM notifications d
    WHERE d.sent_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= now()
    ORDER BY d.next_attempt_at, d.id
    LIMIT sqlc.arg(max_rows)
    FOR UPDATE SKIP LOCKED
)
RETURNING n.*;

-- name: MarkNotificationSent :exec
UPDATE notifications SET sent_at = @at::timestamptz, last_error = '' WHERE account_id = @account_id AND id = @id;

-- name: RetryNotification :exec
UPDATE notifications SET next_attempt_at = now() + make_interval(secs => sqlc.arg(delay_seconds)::float8), last_error = @last_error
WHERE account_id = @account_id AND id = @id;

-- ReleaseNotification hands back an email a stopping worker did not get to send, without
-- counting the attempt.
-- name: ReleaseNotification :exec
UPDATE notifications SET next_attempt_at = now(), attempts = attempts - 1
WHERE account_id = @account_id AND id = @id;

-- name: FailNotification :exec
UPDATE notifications SET failed_at = @at::timestamptz, last_error = @last_error WHERE account_id = @account_id AND id = @id;

-- name: ListHandoffNotifications :many
SELECT * FROM notifications WHERE account_id = @account_id AND handoff_id = @handoff_id ORDER BY id;
