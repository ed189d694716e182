-- AppendEscalationEvent numbers the event in its account's own sequence and records it. The
-- sequence row stays locked until commit, so that within an account events commit in the order
-- of their numbers: a reader resuming after N can never miss a smaller number that commits later.
-- name: AppendEscalationEvent :one
WITH next AS (
    INSERT INTO escalation_event_sequences AS s (account_id, last_seq)
    VALUES (@account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET last_seq = s.last_seq + 1
    RETURNING last_seq
)
INSERT INTO escalation_events (account_id, seq, handoff_id, user_id, type, payload)
SELECT @account_id, next.last_seq, sqlc.narg(handoff_id), sqlc.narg(user_id), @type, @payload
FROM next
RETURNING seq, created_at;

-- ListEscalationEvents reads the log after a position, oldest first; access_revoked entries are
-- for the stream's own bookkeeping and left out when include_revocations is false.
-- name: ListEscalationEvents :many
SELECT seq, type, handoff_id, user_id, payload, created_at FROM escalation_events
WHERE account_id = @account_id AND seq > @after
  AND (@include_revocations::boolean OR type <> 'access_revoked')
ORDER BY seq
LIMIT @max_rows;

-- GetLastEscalationEventID is the position after the newest event of the account, pruned or not,
-- so that a client resuming from it after everything was pruned is not told to reset again.
-- name: GetLastEscalationEventID :one
SELECT coalesce((SELECT last_seq FROM escalation_event_sequences WHERE account_id = @account_id), 0)::bigint;

-- NotifyEscalationEvents tells every process that the account has events up to a position:
-- the payload is "account/position" (position 0 when unknown); a process that has them already
-- reads nothing.
-- name: NotifyEscalationEvents :exec
SELECT pg_notify('escalation_events', sqlc.arg(payload)::text);

-- PruneEscalationEvents deletes events older than the retention, across all accounts (it is
-- maintenance, not a tenant's request), and records how far each account's history now starts.
-- name: PruneEscalationEvents :execrows
WITH pruned AS (
    DELETE FROM escalation_events WHERE created_at < @before RETURNING account_id, seq
)
INSERT INTO escalation_event_horizons (account_id, pruned_through)
SELECT account_id, max(seq) FROM pruned GROUP BY account_id
ON CONFLICT (account_id) DO UPDATE
SET pruned_through = greatest(escalation_event_horizons.pruned_through, excluded.pruned_through);

-- name: GetEscalationEventHorizon :one
SELECT coalesce((SELECT pruned_through FROM escalation_event_horizons WHERE account_id = @account_id), 0)::bigint;
