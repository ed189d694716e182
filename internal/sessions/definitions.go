package sessions

import (
	"context"
	"fmt"
	"sync"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// definitions caches decoded tree versions. A version never changes once written, so an entry
// never goes stale; the cache only bounds its size. Every answer needs its session's pinned
// definition, and decoding a large one costs more than the rest of the request.
type definitions struct {
	mu      sync.Mutex
	max     int
	entries map[versionKey]domain.Definition
}

type versionKey struct {
	account, tree uuid.UUID
	version       int32
}

const cachedVersions = 2048

func newDefinitions() *definitions {
	return &definitions{max: cachedVersions, entries: map[versionKey]domain.Definition{}}
}

func (c *definitions) get(ctx context.Context, q *dbq.Queries, account, tree uuid.UUID, version int32) (domain.Definition, error) {
	key := versionKey{account, tree, version}
	c.mu.Lock()
	def, ok := c.entries[key]
	c.mu.Unlock()
	if ok {
		return def, nil
	}
	v, err := q.GetTreeVersion(ctx, dbq.GetTreeVersionParams{AccountID: account, TreeID: tree, Version: version})
	if err != nil {
		return domain.Definition{}, fmt.Errorf("get pinned version %d: %w", version, err)
	}
	if def, err = domain.DecodeDefinition(v.Definition); err != nil {
		return domain.Definition{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		for k := range c.entries { // evict an arbitrary entry: map order is random enough here
			delete(c.entries, k)
			break
		}
	}
	c.entries[key] = def
	return def, nil
}
