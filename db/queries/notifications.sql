-- QueueHandoffNotifications queues one email per active engineer and admin of the account who
-- wants them, except the creator; only the target, when the handoff names one. A recipient who
-- already has more than digest_after notifications from the window gets this one as part of a
-- digest, sent when the window that the flood started ends. The caller holds the account's
-- event sequence lock, so that concurrent handoffs of one account count each other.
-- name: QueueHandoffNotifications :execrows
WITH recipients AS (
    SELECT u.account_id, u.id, u.email,
           (SELECT count(*) FROM notifications r
            WHERE r.account_id = u.account_id AND r.user_id = u.id
              AND r.created_at > now() - make_interval(secs => sqlc.arg(window_seconds)::float8)) AS recent,
           (SELECT min(r.created_at) FROM notifications r
            WHERE r.account_id = u.account_id AND r.user_id = u.id
              AND r.created_at > now() - make_interval(secs => sqlc.arg(window_seconds)::float8)) AS window_start
    FROM users u
    WHERE u.account_id = @account_id AND u.active AND u.escalation_emails
      AND u.role IN ('engineer', 'admin') AND u.id <> @created_by
      AND (sqlc.narg(target_user_id)::uuid IS NULL OR u.id = sqlc.narg(target_user_id))
)
INSERT INTO notifications (account_id, handoff_id, user_id, email, subject, text_body, html_body, link, digest, next_attempt_at)
SELECT r.account_id, @handoff_id, r.id, r.email, @subject, @text_body, @html_body, @link,
       r.recent > 0 AND r.recent >= sqlc.arg(digest_after)::bigint,
       CASE WHEN r.recent > 0 AND r.recent >= sqlc.arg(digest_after)::bigint
            THEN r.window_start + make_interval(secs => sqlc.arg(window_seconds)::float8)
            ELSE now() END
FROM recipients r;

-- ClaimDueNotification leases the next due notification to one worker: SKIP LOCKED keeps
-- concurrent workers (other replicas) off the same rows, and the lease keeps them off while it
-- sends. It serves every account: it is the outbox's worker, not a tenant's request.
-- name: ClaimDueNotification :many
-- Times come from the database's clock, so that replicas with skewed clocks agree on leases.
UPDATE notifications n SET attempts = n.attempts + 1, lease_token = @lease_token,
    next_attempt_at = now() + make_interval(secs => sqlc.arg(lease_seconds)::float8)
WHERE n.id IN (
    SELECT d.id FROM notifications d
    WHERE d.sent_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= now()
    ORDER BY d.next_attempt_at, d.id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
)
RETURNING n.*;

-- ClaimDigest adds to a claimed digest notification every other due digest notification of the
-- same recipient, under the same lease, so that they go out as one email.
-- name: ClaimDigest :many
UPDATE notifications n SET attempts = n.attempts + 1, lease_token = @lease_token,
    next_attempt_at = now() + make_interval(secs => sqlc.arg(lease_seconds)::float8)
WHERE n.id IN (
    SELECT d.id FROM notifications d
    WHERE d.account_id = @account_id AND d.user_id = @user_id AND d.digest
      AND d.sent_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= now()
    FOR UPDATE SKIP LOCKED
)
RETURNING n.*;

-- RenewNotificationLease extends the lease of notifications still held with the token; it
-- returns how many, so that a worker knows when it lost them.
-- name: RenewNotificationLease :execrows
UPDATE notifications SET next_attempt_at = now() + make_interval(secs => sqlc.arg(lease_seconds)::float8)
WHERE lease_token = @lease_token AND sent_at IS NULL AND failed_at IS NULL;

-- The outcomes below apply only to notifications still held with the token.

-- name: MarkNotificationsSent :execrows
UPDATE notifications SET sent_at = @at::timestamptz, last_error = '', lease_token = NULL
WHERE lease_token = @lease_token AND sent_at IS NULL;

-- name: RetryNotifications :exec
UPDATE notifications SET next_attempt_at = now() + make_interval(secs => sqlc.arg(delay_seconds)::float8), last_error = @last_error, lease_token = NULL
WHERE lease_token = @lease_token;

-- ReleaseNotifications hands back emails a stopping worker did not get to send, at once and
-- without counting the attempt, so that another replica sends them without waiting.
-- name: ReleaseNotifications :exec
UPDATE notifications SET next_attempt_at = now(), attempts = attempts - 1, lease_token = NULL
WHERE lease_token = @lease_token AND sent_at IS NULL;

-- name: FailNotifications :exec
UPDATE notifications SET failed_at = @at::timestamptz, last_error = @last_error, lease_token = NULL
WHERE lease_token = @lease_token;

-- GetOldestPendingNotification is when the oldest email still to send was queued (now when none
-- waits): the outbox's backlog, for its metric. Every account's: it watches the worker.
-- name: GetOldestPendingNotification :one
SELECT coalesce(min(created_at), now())::timestamptz FROM notifications WHERE sent_at IS NULL AND failed_at IS NULL;

-- name: ListHandoffNotifications :many
SELECT * FROM notifications WHERE account_id = @account_id AND handoff_id = @handoff_id ORDER BY id;
