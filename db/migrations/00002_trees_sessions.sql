-- +goose Up
CREATE TABLE trees (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id      uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description     text NOT NULL DEFAULT '',
    category        text NOT NULL CHECK (length(category) BETWEEN 1 AND 100),
    tags            text[] NOT NULL DEFAULT '{}',
    status          text NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    current_version integer NOT NULL CHECK (current_version >= 1),
    -- revision counts every change, definition or not: it is the ETag for optimistic edits.
    revision        integer NOT NULL DEFAULT 1,
    created_by      uuid NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, id),
    FOREIGN KEY (account_id, created_by) REFERENCES users (account_id, id)
);

CREATE INDEX trees_account_updated_idx ON trees (account_id, updated_at DESC, id);
CREATE INDEX trees_account_category_idx ON trees (account_id, category);
CREATE INDEX trees_tags_idx ON trees USING gin (tags);
-- The search document of each tree's current version, apart from the tree row so that reads of
-- a tree do not carry it.
CREATE TABLE tree_search (
    account_id  uuid NOT NULL,
    tree_id     uuid NOT NULL,
    -- body is the text the document was made from, for highlighted snippets.
    body        text NOT NULL,
    -- document finds matches anywhere; summary (title, tags, description) ranks them. Ranking
    -- reads the vector of every match, and a tree's whole text is hundreds of times larger.
    document    tsvector NOT NULL,
    summary     tsvector NOT NULL,
    PRIMARY KEY (account_id, tree_id),
    FOREIGN KEY (account_id, tree_id) REFERENCES trees (account_id, id) ON DELETE CASCADE
);

-- account_id joins the GIN index (btree_gin, a trusted extension shipped with PostgreSQL) so
-- that one index scan finds an account's matches; beside a separate account index the planner
-- would AND the account's whole bitmap into every search.
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX tree_search_document_idx ON tree_search USING gin (account_id, document);
-- Search plans are driven by that index whatever the estimates; a small statistics target keeps
-- planning a tsquery (which walks the column's most common lexemes, prefix by prefix) well
-- under a millisecond.
ALTER TABLE tree_search ALTER COLUMN document SET STATISTICS 10;

CREATE TABLE tree_versions (
    account_id  uuid NOT NULL,
    tree_id     uuid NOT NULL,
    version     integer NOT NULL CHECK (version >= 1),
    definition  jsonb NOT NULL,
    created_by  uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, tree_id, version),
    FOREIGN KEY (account_id, tree_id) REFERENCES trees (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, created_by) REFERENCES users (account_id, id)
);

CREATE TABLE sessions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id      uuid NOT NULL,
    tree_id         uuid NOT NULL,
    tree_version    integer NOT NULL,
    user_id         uuid NOT NULL,
    status          text NOT NULL DEFAULT 'in_progress'
                    CHECK (status IN ('in_progress', 'resolved', 'escalated', 'abandoned')),
    current_node    text NOT NULL,
    ticket_ref      text NOT NULL DEFAULT '',
    customer        text NOT NULL DEFAULT '',
    asset           text NOT NULL DEFAULT '',
    notes           text NOT NULL DEFAULT '',
    resolution_note text NOT NULL DEFAULT '',
    started_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, id),
    FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, tree_id, tree_version) REFERENCES tree_versions (account_id, tree_id, version) ON DELETE CASCADE,
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
);

CREATE INDEX sessions_account_started_idx ON sessions (account_id, started_at DESC, id);
CREATE INDEX sessions_account_user_idx ON sessions (account_id, user_id, started_at DESC);
CREATE INDEX sessions_tree_idx ON sessions (account_id, tree_id, tree_version);

-- Steps are append-only: the application never updates or deletes them.
CREATE TABLE session_steps (
    account_id  uuid NOT NULL,
    session_id  uuid NOT NULL,
    seq         integer NOT NULL CHECK (seq >= 1),
    kind        text NOT NULL CHECK (kind IN ('answer', 'custom', 'revert')),
    node_id     text NOT NULL,
    option_id   text NOT NULL DEFAULT '',
    to_node_id  text NOT NULL,
    text        text NOT NULL DEFAULT '',
    note        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, session_id, seq),
    FOREIGN KEY (account_id, session_id) REFERENCES sessions (account_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE session_steps;
DROP TABLE sessions;
DROP TABLE tree_versions;
DROP TABLE tree_search;
DROP TABLE trees;
-- btree_gin stays: other objects may use it, and it costs nothing unused.
