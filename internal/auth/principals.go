package auth

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
)

// Principals confirms the principal of a valid access token against the database: a user who
// was deactivated loses access, and one whose role changed acts with the new role, within
// freshness rather than when the token expires. Lookups are cached for freshness because every
// authenticated request needs one.
type Principals struct {
	db        *postgres.DB
	freshness time.Duration
	now       func() time.Time

	mu      sync.Mutex
	entries map[uuid.UUID]principalEntry
}

type principalEntry struct {
	role    domain.Role
	active  bool
	fetched time.Time
}

// NewPrincipals returns a confirmer whose answers are at most freshness old.
func NewPrincipals(db *postgres.DB, freshness time.Duration, now func() time.Time) *Principals {
	return &Principals{db: db, freshness: freshness, now: now, entries: map[uuid.UUID]principalEntry{}}
}

// Confirm returns p with its current role, or EUnauthorized when the user no longer exists or
// was deactivated.
func (c *Principals) Confirm(ctx context.Context, p domain.Principal) (domain.Principal, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[p.UserID]
	c.mu.Unlock()
	if !ok || now.Sub(e.fetched) >= c.freshness {
		u, err := c.db.GetUser(ctx, dbq.GetUserParams{AccountID: p.AccountID, ID: p.UserID})
		switch {
		case postgres.IsNoRows(err):
			e = principalEntry{fetched: now}
		case err != nil:
			return domain.Principal{}, fmt.Errorf("confirm user %s: %w", p.UserID, err)
		default:
			e = principalEntry{role: domain.Role(u.Role), active: u.Active, fetched: now}
		}
		c.store(p.UserID, e)
	}
	if !e.active {
		return domain.Principal{}, errUnknownCaller
	}
	p.Role = e.role
	return p, nil
}

// Forget drops a user's cached state after a change, so that this process sees it at once.
func (c *Principals) Forget(userID uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, userID)
}

func (c *Principals) store(id uuid.UUID, e principalEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= sweepAbove {
		for k, old := range c.entries {
			if e.fetched.Sub(old.fetched) >= c.freshness {
				delete(c.entries, k)
			}
		}
	}
	c.entries[id] = e
}
