-- name: CountTreeOutcomes :many
SELECT tree_version,
       count(*) AS started,
       count(*) FILTER (WHERE status = 'resolved') AS resolved,
       count(*) FILTER (WHERE status = 'escalated') AS escalated,
       count(*) FILTER (WHERE status = 'abandoned') AS abandoned,
       count(*) FILTER (WHERE status = 'in_progress') AS in_progress
FROM sessions
WHERE account_id = @account_id AND tree_id = @tree_id
  AND (sqlc.narg(started_from)::timestamptz IS NULL OR started_at >= sqlc.narg(started_from))
  AND (sqlc.narg(started_to)::timestamptz IS NULL OR started_at < sqlc.narg(started_to))
GROUP BY tree_version
ORDER BY tree_version;

-- CountTreeOutcomesByDay is CountTreeOutcomes per UTC day the sessions started.
-- name: CountTreeOutcomesByDay :many
SELECT tree_version,
       (started_at AT TIME ZONE 'UTC')::date AS day,
       count(*) AS started,
       count(*) FILTER (WHERE status = 'resolved') AS resolved,
       count(*) FILTER (WHERE status = 'escalated') AS escalated,
       count(*) FILTER (WHERE status = 'abandoned') AS abandoned
FROM sessions
WHERE account_id = @account_id AND tree_id = @tree_id
  AND (sqlc.narg(started_from)::timestamptz IS NULL OR started_at >= sqlc.narg(started_from))
  AND (sqlc.narg(started_to)::timestamptz IS NULL OR started_at < sqlc.narg(started_to))
GROUP BY tree_version, day
ORDER BY tree_version, day;

-- ListTreeExitNodes counts where abandoned and unfinished sessions stopped.
-- name: ListTreeExitNodes :many
SELECT tree_version, current_node AS node_id, count(*) AS sessions
FROM sessions
WHERE account_id = @account_id AND tree_id = @tree_id AND status IN ('in_progress', 'abandoned')
  AND (sqlc.narg(started_from)::timestamptz IS NULL OR started_at >= sqlc.narg(started_from))
  AND (sqlc.narg(started_to)::timestamptz IS NULL OR started_at < sqlc.narg(started_to))
GROUP BY tree_version, current_node
ORDER BY tree_version, sessions DESC, current_node;

-- ListTreeNodeStats counts arrivals at each node (the root once per session, every other node once
-- per answer or revert leading to it) and the median time spent there: from arriving until the
-- next answer or revert. Custom steps are work done at a node, not moves.
-- name: ListTreeNodeStats :many
WITH moves AS (
    SELECT s.tree_version, st.to_node_id,
           coalesce(lag(st.to_node_id) OVER w, v.definition ->> 'root') AS from_node,
           extract(epoch FROM st.created_at - coalesce(lag(st.created_at) OVER w, s.started_at)) AS spent
    FROM sessions s
    JOIN tree_versions v ON v.account_id = s.account_id AND v.tree_id = s.tree_id AND v.version = s.tree_version
    JOIN session_steps st ON st.account_id = s.account_id AND st.session_id = s.id AND st.kind <> 'custom'
    WHERE s.account_id = @account_id AND s.tree_id = @tree_id
      AND (sqlc.narg(started_from)::timestamptz IS NULL OR s.started_at >= sqlc.narg(started_from))
      AND (sqlc.narg(started_to)::timestamptz IS NULL OR s.started_at < sqlc.narg(started_to))
    WINDOW w AS (PARTITION BY st.session_id ORDER BY st.seq)
),
arrivals AS (
    SELECT m.tree_version, m.to_node_id AS node_id FROM moves m
    UNION ALL
    SELECT s.tree_version, v.definition ->> 'root'
    FROM sessions s
    JOIN tree_versions v ON v.account_id = s.account_id AND v.tree_id = s.tree_id AND v.version = s.tree_version
    WHERE s.account_id = @account_id AND s.tree_id = @tree_id
      AND (sqlc.narg(started_from)::timestamptz IS NULL OR s.started_at >= sqlc.narg(started_from))
      AND (sqlc.narg(started_to)::timestamptz IS NULL OR s.started_at < sqlc.narg(started_to))
),
visits AS (
    SELECT a.tree_version, a.node_id, count(*) AS visits FROM arrivals a GROUP BY a.tree_version, a.node_id
),
times AS (
    SELECT m.tree_version, m.from_node AS node_id,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY m.spent) AS median_seconds
    FROM moves m
    GROUP BY m.tree_version, m.from_node
)
SELECT vi.tree_version, vi.node_id::text AS node_id, vi.visits,
       coalesce(ti.median_seconds, 0)::float8 AS median_seconds
FROM visits vi
LEFT JOIN times ti ON ti.tree_version = vi.tree_version AND ti.node_id = vi.node_id
ORDER BY vi.tree_version, vi.visits DESC, vi.node_id;
