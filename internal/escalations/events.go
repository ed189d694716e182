package escalations

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/bus"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
)

// Log is every account's escalation event log, and its only reader and writer: entries are
// appended in the transaction of the change they record, numbered in the account's own
// sequence, read after a position, and pruned. The live stream, its replay and the pull cursor
// all read it here.
type Log struct {
	db  *postgres.DB
	now func() time.Time
}

// NewLog returns the log on db.
func NewLog(db *postgres.DB, now func() time.Time) *Log {
	return &Log{db: db, now: now}
}

// storedHandoff is how an event keeps the handoff as the change left it. Rows written before a
// field existed decode it as empty, so every row ever written stays readable.
type storedHandoff struct {
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
	CancelReason   string     `json:"cancel_reason,omitempty"`
	TicketRef      string     `json:"ticket_ref,omitempty"`
	Customer       string     `json:"customer,omitempty"`
	Asset          string     `json:"asset,omitempty"`
	TreeTitle      string     `json:"tree_title,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

func store(h domain.Handoff) storedHandoff {
	return storedHandoff{
		ID: h.ID, Source: h.Source, SessionID: h.SessionID, AISessionID: h.AISessionID, Summary: h.Summary, Priority: string(h.Priority),
		Status: string(h.Status), CreatedBy: h.CreatedBy, TargetUserID: h.TargetUserID, ClaimedBy: h.ClaimedBy, ClaimedAt: utc(h.ClaimedAt),
		ResolvedAt: utc(h.ResolvedAt), ResolutionNote: h.ResolutionNote, CancelReason: h.CancelReason, TicketRef: h.Context.TicketRef,
		Customer: h.Context.Customer, Asset: h.Context.Asset, TreeTitle: h.Context.TreeTitle, CreatedAt: h.CreatedAt.UTC(), UpdatedAt: h.UpdatedAt.UTC(),
	}
}

func (s storedHandoff) handoff(account uuid.UUID) domain.Handoff {
	return domain.Handoff{
		ID: s.ID, AccountID: account, Source: s.Source, SessionID: s.SessionID, AISessionID: s.AISessionID, Summary: s.Summary,
		Priority: domain.Priority(s.Priority), Status: domain.HandoffStatus(s.Status), CreatedBy: s.CreatedBy, TargetUserID: s.TargetUserID,
		ClaimedBy: s.ClaimedBy, ClaimedAt: s.ClaimedAt, ResolvedAt: s.ResolvedAt, ResolutionNote: s.ResolutionNote, CancelReason: s.CancelReason,
		Context:   domain.HandoffContext{TicketRef: s.TicketRef, Customer: s.Customer, Asset: s.Asset, TreeTitle: s.TreeTitle},
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
	}
}

// appendHandoff records a change of h in q's transaction and returns the entry; the caller hands
// it to Announce after commit.
func (l *Log) appendHandoff(ctx context.Context, q *dbq.Queries, h domain.Handoff, t domain.EventType) (domain.EscalationEvent, error) {
	payload, err := json.Marshal(store(h))
	if err != nil {
		return domain.EscalationEvent{}, fmt.Errorf("encode event: %w", err)
	}
	row, err := q.AppendEscalationEvent(ctx, dbq.AppendEscalationEventParams{AccountID: h.AccountID, HandoffID: &h.ID, Type: string(t), Payload: payload})
	if err != nil {
		return domain.EscalationEvent{}, fmt.Errorf("append %s event: %w", t, err)
	}
	return domain.EscalationEvent{ID: row.Seq, Type: t, OccurredAt: row.CreatedAt, Handoff: h}, nil
}

// Access records that users' access changed, for the live streams: a role change, a
// deactivation, a password change or a sign-out ends the user's streams on every replica before
// anything committed later is sent to them.
type Access struct {
	Log *Log
	Bus bus.Bus
}

// Revoke records in q's transaction that the user's access changed; pass what it returns to
// Announce after commit.
func (a Access) Revoke(ctx context.Context, q *dbq.Queries, account, user uuid.UUID) (domain.EscalationEvent, error) {
	row, err := q.AppendEscalationEvent(ctx, dbq.AppendEscalationEventParams{AccountID: account, UserID: &user, Type: string(domain.EventAccessRevoked), Payload: []byte(`{}`)})
	if err != nil {
		return domain.EscalationEvent{}, fmt.Errorf("record the access change of user %s: %w", user, err)
	}
	return domain.EscalationEvent{ID: row.Seq, Type: domain.EventAccessRevoked, OccurredAt: row.CreatedAt, User: user}, nil
}

// Announce tells the live streams, after commit, of the revocation.
func (a Access) Announce(account uuid.UUID, e domain.EscalationEvent) {
	a.Bus.Announce(account, e)
}

// After returns up to limit entries of the account after the position, oldest first. Entries
// about access are only for the stream's own bookkeeping: withRevocations includes them.
func (l *Log) After(ctx context.Context, account uuid.UUID, after int64, limit int32, withRevocations bool) ([]domain.EscalationEvent, error) {
	rows, err := l.db.ListEscalationEvents(ctx, dbq.ListEscalationEventsParams{AccountID: account, After: after, IncludeRevocations: withRevocations, MaxRows: limit})
	if err != nil {
		return nil, fmt.Errorf("read escalation events: %w", err)
	}
	out := make([]domain.EscalationEvent, len(rows))
	for i, r := range rows {
		e := domain.EscalationEvent{ID: r.Seq, Type: domain.EventType(r.Type), OccurredAt: r.CreatedAt}
		if r.UserID != nil {
			e.User = *r.UserID
		} else {
			var s storedHandoff
			if err := json.Unmarshal(r.Payload, &s); err != nil {
				return nil, fmt.Errorf("decode event %d of account %s: %w", r.Seq, account, err)
			}
			e.Handoff = s.handoff(account)
		}
		out[i] = e
	}
	return out, nil
}

// Newest is the account's newest position: its last entry, pruned or not.
func (l *Log) Newest(ctx context.Context, account uuid.UUID) (int64, error) {
	n, err := l.db.GetLastEscalationEventID(ctx, account)
	if err != nil {
		return 0, fmt.Errorf("read the newest event id: %w", err)
	}
	return n, nil
}

// Check returns EGone when reading on from the cursor would skip entries: entries after it were
// pruned, or it is beyond the account's newest entry (a cursor from another database, say,
// would otherwise skip every entry until the numbers caught up with it). The caller must re-read
// the queue and continue from the newest entry.
func (l *Log) Check(ctx context.Context, account uuid.UUID, cursor int64) error {
	horizon, err := l.db.GetEscalationEventHorizon(ctx, account)
	if err != nil {
		return fmt.Errorf("read event horizon: %w", err)
	}
	if cursor < horizon {
		return domain.Errorf(domain.EGone, "events after %d are older than the retained history (it starts after %d): re-read the queue and continue from the newest event", cursor, horizon)
	}
	newest, err := l.Newest(ctx, account)
	if err != nil {
		return err
	}
	if cursor > newest {
		return domain.Errorf(domain.EGone, "cursor %d is beyond the newest event (%d) of your account: re-read the queue and continue from the newest event", cursor, newest)
	}
	return nil
}

// Prune deletes the entries of every account older than retention and returns how many accounts
// lost history; cursors into that history then get EGone (the stream sends reset).
func (l *Log) Prune(ctx context.Context, retention time.Duration) (int64, error) {
	n, err := l.db.PruneEscalationEvents(ctx, l.now().Add(-retention))
	if err != nil {
		return 0, fmt.Errorf("prune escalation events: %w", err)
	}
	return n, nil
}

// Events is the pull cursor: up to limit events of the caller's account after the cursor,
// oldest first, the cursor to continue from, and whether there were no more at the time.
func (s *Service) Events(ctx context.Context, p domain.Principal, after int64, limit int32) ([]domain.EscalationEvent, int64, bool, error) {
	if err := requireEngineer(p); err != nil {
		return nil, 0, false, err
	}
	if after > 0 {
		if err := s.log.Check(ctx, p.AccountID, after); err != nil {
			return nil, 0, false, err
		}
	}
	events, err := s.log.After(ctx, p.AccountID, after, limit, false)
	if err != nil {
		return nil, 0, false, err
	}
	next := after
	if len(events) > 0 {
		next = events[len(events)-1].ID
	}
	return events, next, len(events) < int(limit), nil
}

// CheckCursor is Log.Check for the caller's account: the stream's Last-Event-ID.
func (s *Service) CheckCursor(ctx context.Context, p domain.Principal, cursor int64) error {
	return s.log.Check(ctx, p.AccountID, cursor)
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
