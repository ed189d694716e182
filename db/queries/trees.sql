-- name: CreateTree :one
INSERT INTO trees (account_id, title, description, category, tags, status, current_version, created_by)
VALUES (@account_id, @title, @description, @category, @tags, @status, 1, @created_by)
RETURNING *;

-- name: CreateTreeVersion :exec
INSERT INTO tree_versions (account_id, tree_id, version, definition, created_by)
VALUES (@account_id, @tree_id, @version, @definition, @created_by);

-- GetTree returns a tree with its current definition. Viewers pass published_only.
-- name: GetTree :one
SELECT sqlc.embed(t), v.definition
FROM trees t
JOIN tree_versions v ON v.account_id = t.account_id AND v.tree_id = t.id AND v.version = t.current_version
WHERE t.account_id = @account_id AND t.id = @id
  AND (NOT @published_only::boolean OR t.status = 'published');

-- name: LockTreeForUpdate :one
SELECT * FROM trees WHERE account_id = @account_id AND id = @id FOR NO KEY UPDATE;

-- name: UpdateTree :one
UPDATE trees
SET title = @title, description = @description, category = @category, tags = @tags, status = @status,
    current_version = @current_version, revision = revision + 1, updated_at = now()
WHERE account_id = @account_id AND id = @id
RETURNING *;

-- name: ArchiveTree :execrows
UPDATE trees SET status = 'archived', revision = revision + 1, updated_at = now()
WHERE account_id = @account_id AND id = @id AND status <> 'archived';

-- ListTrees leaves archived trees out unless they are asked for by status.
-- name: ListTrees :many
SELECT * FROM trees
WHERE account_id = @account_id
  AND (NOT @published_only::boolean OR status = 'published')
  AND (sqlc.narg(status)::text IS NULL AND status <> 'archived' OR status = sqlc.narg(status))
  AND (sqlc.narg(category)::text IS NULL OR category = sqlc.narg(category))
  AND (sqlc.narg(tag)::text IS NULL OR tags @> ARRAY[sqlc.narg(tag)::text])
ORDER BY updated_at DESC, id
LIMIT @max_rows OFFSET @skip_rows;

-- name: CountTrees :one
SELECT count(*) FROM trees
WHERE account_id = @account_id
  AND (NOT @published_only::boolean OR status = 'published')
  AND (sqlc.narg(status)::text IS NULL AND status <> 'archived' OR status = sqlc.narg(status))
  AND (sqlc.narg(category)::text IS NULL OR category = sqlc.narg(category))
  AND (sqlc.narg(tag)::text IS NULL OR tags @> ARRAY[sqlc.narg(tag)::text]);

-- name: ListTreeCategories :many
SELECT category, count(*) AS trees FROM trees
WHERE account_id = @account_id AND status <> 'archived'
  AND (NOT @published_only::boolean OR status = 'published')
GROUP BY category
ORDER BY category;

-- ListTreeVersions is the history with each definition, so that each version can say what it
-- changed, and the name of its author.
-- name: ListTreeVersions :many
SELECT v.tree_id, v.version, v.created_by, v.created_at, v.definition, coalesce(u.name, '')::text AS created_by_name
FROM tree_versions v
LEFT JOIN users u ON u.account_id = v.account_id AND u.id = v.created_by
WHERE v.account_id = @account_id AND v.tree_id = @tree_id
ORDER BY v.version DESC;

-- name: GetTreeVersion :one
SELECT * FROM tree_versions
WHERE account_id = @account_id AND tree_id = @tree_id AND version = @version;

-- UpsertTreeSearch indexes a tree's current text: all of it for matching, the title (weighing
-- most), tags and description for ranking.
-- name: UpsertTreeSearch :exec
INSERT INTO tree_search (account_id, tree_id, body, document, summary)
VALUES (@account_id, @tree_id,
        concat_ws(E'\n', @title::text, @description::text, @tags_text::text, @node_text::text),
        to_tsvector('english', concat_ws(E'\n', @title::text, @description::text, @tags_text::text, @node_text::text)),
        setweight(to_tsvector('english', @title::text), 'A') ||
        setweight(to_tsvector('english', @tags_text::text), 'B') ||
        setweight(to_tsvector('english', @description::text), 'C'))
ON CONFLICT (account_id, tree_id) DO UPDATE
SET body = excluded.body, document = excluded.document, summary = excluded.summary;

-- SearchTrees finds the matches of a tsquery through the GIN index, ranks them by their
-- summary (so title, tag and description matches come first, then matches in node text only),
-- and returns the best with the text they were indexed from, for the caller to cut a snippet
-- from.
-- name: SearchTrees :many
SELECT sqlc.embed(t), hits.rank::float8 AS rank, ts.body
FROM (
    SELECT s.tree_id, ts_rank(s.summary, to_tsquery('english', @query::text)) AS rank
    FROM tree_search s
    JOIN trees t ON t.account_id = s.account_id AND t.id = s.tree_id
    WHERE s.account_id = @account_id AND s.document @@ to_tsquery('english', @query::text)
      AND t.status <> 'archived' AND (NOT @published_only::boolean OR t.status = 'published')
    ORDER BY rank DESC, t.updated_at DESC, t.id
    LIMIT @max_rows
) hits
JOIN trees t ON t.account_id = @account_id AND t.id = hits.tree_id
JOIN tree_search ts ON ts.account_id = @account_id AND ts.tree_id = hits.tree_id
ORDER BY hits.rank DESC, t.id;

-- name: HasTreeTitled :one
SELECT EXISTS (SELECT 1 FROM trees WHERE account_id = @account_id AND title = @title);

-- MatchTrees finds the published trees that match any of the words of a tsquery, best first:
-- the assistant's retrieval, where a technician's sentence rarely matches word for word.
-- name: MatchTrees :many
SELECT sqlc.embed(t), (ts_rank(s.summary, to_tsquery('english', @query::text)) + ts_rank(s.document, to_tsquery('english', @query::text)))::float8 AS rank, s.body
FROM tree_search s
JOIN trees t ON t.account_id = s.account_id AND t.id = s.tree_id
WHERE s.account_id = @account_id AND s.document @@ to_tsquery('english', @query::text) AND t.status = 'published'
ORDER BY rank DESC, t.id
LIMIT @max_rows;
