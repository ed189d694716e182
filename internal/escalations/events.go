package escalations

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// Event is one recorded change of a handoff, as the stream and the pull cursor deliver it.
type Event struct {
	ID         int64
	Type       domain.EventType
	HandoffID  uuid.UUID
	OccurredAt time.Time
	// Handoff is the handoff as it was after the change, encoded as the contract's Handoff.
	Handoff json.RawMessage
}

// handoffPayload is the contract's Handoff, frozen into each event so that a subscriber sees
// the handoff as the event left it even if it has changed since.
type handoffPayload struct {
	ID             uuid.UUID  `json:"id"`
	Source         string     `json:"source"`
	SessionID      *uuid.UUID `json:"session_id,omitempty"`
	AISessionID    *uuid.UUID `json:"ai_session_id,omitempty"`
	Summary        string     `json:"summary"`
	Priority       string     `json:"priority"`
	Status         string     `json:"status"`
	CreatedBy      uuid.UUID  `json:"created_by"`
	TargetUserID   *uuid.UUID `json:"target_user_id,omitempty"`
	ClaimedBy      *uuid.UUID `json:"claimed_by,omitempty"`
	ClaimedAt      *time.Time `json:"claimed_at,omitempty"`
	ResolvedAt     *time.Time `json:"resolved_at,omitempty"`
	ResolutionNote string     `json:"resolution_note,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// appendEvent records a change of h in the caller's transaction; the caller announces it on the
// bus after commit. The account's event lock is taken first and held to commit, so that within
// an account event ids commit in order.
func (s *Service) appendEvent(ctx context.Context, q *dbq.Queries, h dbq.Handoff, t domain.EventType) error {
	payload, err := json.Marshal(handoffPayload{
		ID: h.ID, Source: h.Source, SessionID: h.SessionID, AISessionID: h.AiSessionID, Summary: h.Summary, Priority: h.Priority, Status: h.Status,
		CreatedBy: h.CreatedBy, TargetUserID: h.TargetUserID, ClaimedBy: h.ClaimedBy, ClaimedAt: utc(h.ClaimedAt),
		ResolvedAt: utc(h.ResolvedAt), ResolutionNote: h.ResolutionNote, CreatedAt: h.CreatedAt.UTC(), UpdatedAt: h.UpdatedAt.UTC(),
	})
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	if err := q.LockAccountEvents(ctx, h.AccountID.String()); err != nil {
		return fmt.Errorf("lock account events: %w", err)
	}
	if _, err := q.AppendEscalationEvent(ctx, dbq.AppendEscalationEventParams{
		AccountID: h.AccountID, HandoffID: h.ID, Type: string(t), Payload: payload,
	}); err != nil {
		return fmt.Errorf("append %s event: %w", t, err)
	}
	return nil
}

// Events returns up to limit events of the caller's account after the cursor, oldest first,
// the cursor to continue from, and whether there were no more events at the time.
func (s *Service) Events(ctx context.Context, p domain.Principal, after int64, limit int32) ([]Event, int64, bool, error) {
	if err := requireEngineer(p); err != nil {
		return nil, 0, false, err
	}
	if after > 0 {
		if err := s.CheckCursor(ctx, p, after); err != nil {
			return nil, 0, false, err
		}
	}
	rows, err := s.db.ListEscalationEvents(ctx, dbq.ListEscalationEventsParams{AccountID: p.AccountID, After: after, MaxRows: limit})
	if err != nil {
		return nil, 0, false, fmt.Errorf("list events: %w", err)
	}
	out := make([]Event, len(rows))
	next := after
	for i, r := range rows {
		out[i] = Event{ID: r.ID, Type: domain.EventType(r.Type), HandoffID: r.HandoffID, OccurredAt: r.CreatedAt, Handoff: r.Payload}
		next = r.ID
	}
	return out, next, len(rows) < int(limit), nil
}

// CheckCursor returns EGone when the cursor cannot continue without a gap: events after it were
// pruned, or it is beyond the account's newest event (a cursor from another database, say,
// would otherwise skip every event until ids caught up with it). The caller must re-read the
// queue and continue from the newest event.
func (s *Service) CheckCursor(ctx context.Context, p domain.Principal, after int64) error {
	horizon, err := s.db.GetEscalationEventHorizon(ctx, p.AccountID)
	if err != nil {
		return fmt.Errorf("read event horizon: %w", err)
	}
	if after < horizon {
		return domain.Errorf(domain.EGone, "events after %d are older than the retained history (it starts after %d): re-read the queue and continue from the newest event", after, horizon)
	}
	newest, err := s.db.GetLastEscalationEventID(ctx, p.AccountID)
	if err != nil {
		return fmt.Errorf("read the newest event id: %w", err)
	}
	if after > newest {
		return domain.Errorf(domain.EGone, "cursor %d is beyond the newest event (%d) of your account: re-read the queue and continue from the newest event", after, newest)
	}
	return nil
}

// Prune deletes the events of every account older than retention and returns how many
// accounts lost history; cursors into that history then get EGone (the stream sends reset).
func (s *Service) Prune(ctx context.Context, retention time.Duration) (int64, error) {
	n, err := s.db.PruneEscalationEvents(ctx, s.now().Add(-retention))
	if err != nil {
		return 0, fmt.Errorf("prune escalation events: %w", err)
	}
	return n, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
