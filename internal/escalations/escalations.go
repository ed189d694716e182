// Package escalations is the escalation queue: handoffs created from sessions, claimed,
// resolved or cancelled by engineers, each change recorded as an event in the same transaction.
package escalations

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/aisessions"
	"github.com/resolutionflow/resolutionflow/internal/bus"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/mail"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
	"github.com/resolutionflow/resolutionflow/internal/sessions"
)

// Service works the escalation queue of the caller's account. A handoff of another account is
// reported as ENotFound, exactly like a missing one.
type Service struct {
	db            *postgres.DB
	log           *Log
	sessions      *sessions.Service
	conversations *aisessions.Service
	bus           bus.Bus
	mail          Mail
	now           func() time.Time
}

// Mail says how handoffs are emailed: links go under PublicURL, and a recipient who gets more
// than DigestAfter within DigestWindow gets one digest for the rest of the window instead.
type Mail struct {
	PublicURL    string
	DigestAfter  int
	DigestWindow time.Duration
}

// digestAfter is DigestAfter for the outbox; without a window or a count there are no digests.
func (m Mail) digestAfter() int64 {
	if m.DigestAfter <= 0 || m.DigestWindow <= 0 {
		return math.MaxInt64
	}
	return int64(m.DigestAfter)
}

// NewService returns the escalation use cases; every change is recorded in log, b announces
// it after commit, and new handoffs are emailed as m says.
func NewService(db *postgres.DB, log *Log, sessions *sessions.Service, conversations *aisessions.Service, b bus.Bus, m Mail, now func() time.Time) *Service {
	m.PublicURL = strings.TrimRight(m.PublicURL, "/")
	return &Service{db: db, log: log, sessions: sessions, conversations: conversations, bus: b, mail: m, now: now}
}

// Request is what a technician says when handing a problem off.
type Request struct {
	Summary        string
	Priority       domain.Priority
	TargetUserID   *uuid.UUID
	IdempotencyKey string
}

func notFound(id uuid.UUID) error {
	return domain.Errorf(domain.ENotFound, "handoff %s does not exist in your account", id)
}

// EscalateSession hands a session off: the session ends as escalated and a handoff carrying its
// context joins the queue, with its handoff_created event, in one transaction. A request
// repeating an earlier Idempotency-Key of the same user with the same body returns that handoff
// instead (as it is now), also when the retries run concurrently; the key with another body, or
// for another session, is EInvalid.
func (s *Service) EscalateSession(ctx context.Context, p domain.Principal, sessionID uuid.UUID, r Request) (domain.Handoff, error) {
	return s.handOff(ctx, p, r, subject{source: "session", id: sessionID}, func(record recorder) error {
		_, err := s.sessions.Escalate(ctx, p, sessionID, func(q *dbq.Queries, v sessions.View, technician string) error {
			summary := r.Summary
			if summary == "" {
				summary = "Escalated from " + v.Session.TreeTitle + " at: " + v.CurrentNode().Text
			}
			return record(q, summary, technician, func(summary string) domain.HandoffContext {
				return domain.SessionContext(v.Session, v.Definition, technician, summary, s.now())
			})
		})
		return err
	})
}

// EscalateConversation hands a conversation with the assistant off, like EscalateSession: the
// conversation ends as escalated and a handoff carrying its transcript and the assistant's last
// assessment joins the queue, in one transaction. Only its author may.
func (s *Service) EscalateConversation(ctx context.Context, p domain.Principal, aiSessionID uuid.UUID, r Request) (domain.Handoff, error) {
	return s.handOff(ctx, p, r, subject{source: "ai_session", id: aiSessionID}, func(record recorder) error {
		return s.conversations.Escalate(ctx, p, aiSessionID, func(q *dbq.Queries, c domain.AISession, technician string) error {
			summary := r.Summary
			if summary == "" {
				summary = c.Problem
			}
			return record(q, summary, technician, func(summary string) domain.HandoffContext {
				return domain.ConversationContext(c, technician, summary, s.now())
			})
		})
	})
}

// subject is what a handoff is made from: a guided session or a conversation.
type subject struct {
	source string // "session" or "ai_session"
	id     uuid.UUID
}

func (sub subject) made(h dbq.Handoff) bool {
	from := h.SessionID
	if sub.source == "ai_session" {
		from = h.AiSessionID
	}
	return from != nil && *from == sub.id
}

// recorder creates the handoff in the escalating transaction from its summary, the name of the
// technician handing it off, and the context snapshot made for that summary.
type recorder func(q *dbq.Queries, summary, technician string, snapshot func(summary string) domain.HandoffContext) error

// handOff is what both escalations share: an earlier request with the same Idempotency-Key gets
// its handoff back; escalate ends the session or conversation and, in its transaction, calls
// the recorder, which checks the target and records the handoff with its emails and event; the
// event is announced after commit.
func (s *Service) handOff(ctx context.Context, p domain.Principal, r Request, sub subject, escalate func(recorder) error) (domain.Handoff, error) {
	if r.Priority == "" {
		r.Priority = domain.PriorityNormal
	}
	if h, ok, err := s.retried(ctx, p, r, sub); ok || err != nil {
		return h, err
	}
	var (
		created domain.Handoff
		event   domain.EscalationEvent
	)
	err := escalate(func(q *dbq.Queries, summary, technician string, snapshot func(string) domain.HandoffContext) error {
		target, err := checkTarget(ctx, q, p, r.TargetUserID)
		if err != nil {
			return err
		}
		summary = string([]rune(summary)[:min(len([]rune(summary)), maxSummary)])
		frozen, err := json.Marshal(snapshot(summary))
		if err != nil {
			return fmt.Errorf("encode context: %w", err)
		}
		params := dbq.CreateHandoffParams{
			AccountID: p.AccountID, Source: sub.source, Summary: summary, Priority: string(r.Priority), CreatedBy: p.UserID,
			TargetUserID: r.TargetUserID, Snapshot: frozen, CreatedAt: s.now(),
		}
		if sub.source == "session" {
			params.SessionID = &sub.id
		} else {
			params.AiSessionID = &sub.id
		}
		if r.IdempotencyKey != "" {
			fingerprint := r.fingerprint(sub)
			params.IdempotencyKey, params.RequestFingerprint = &r.IdempotencyKey, &fingerprint
		}
		h, e, err := s.record(ctx, q, params)
		if err != nil {
			return err
		}
		// Who is named is known already: the caller, and the target just checked.
		h.CreatedByName, h.TargetUserName = technician, target
		created, event = h, e
		return nil
	})
	if err != nil && r.IdempotencyKey != "" {
		// A concurrent retry with the same key may have won: it escalated first (this request
		// then finds the session or conversation escalated) or took the key first.
		if h, ok, lookupErr := s.retried(ctx, p, r, sub); ok || lookupErr != nil {
			return h, lookupErr
		}
	}
	if err != nil {
		return domain.Handoff{}, err
	}
	s.bus.Announce(p.AccountID, event)
	return created, nil
}

// queueEmails puts one email per recipient in the outbox, in the creating transaction.
func (s *Service) queueEmails(ctx context.Context, q *dbq.Queries, h domain.Handoff) error {
	m, err := mail.Render(h, s.HandoffLink(h.ID))
	if err != nil {
		return err
	}
	if _, err := q.QueueHandoffNotifications(ctx, dbq.QueueHandoffNotificationsParams{
		AccountID: h.AccountID, HandoffID: h.ID, CreatedBy: h.CreatedBy, TargetUserID: h.TargetUserID,
		Subject: m.Subject, TextBody: m.Text, HtmlBody: m.HTML, Link: s.HandoffLink(h.ID),
		WindowSeconds: s.mail.DigestWindow.Seconds(), DigestAfter: s.mail.digestAfter(),
	}); err != nil {
		return fmt.Errorf("queue emails: %w", err)
	}
	return nil
}

// HandoffLink is the console's page of a handoff, which the emails link to; it asks whoever
// opens it to sign in first and then shows the handoff.
func (s *Service) HandoffLink(id uuid.UUID) string {
	return s.mail.PublicURL + "/escalations/" + id.String()
}

// maxSummary is the longest summary a handoff stores.
const maxSummary = 4000

// retried finds the handoff an earlier request with the same Idempotency-Key created. The key
// used with another body, or for another session or conversation, is EInvalid (the IETF
// Idempotency-Key draft's rule): a retry must repeat its request.
func (s *Service) retried(ctx context.Context, p domain.Principal, r Request, sub subject) (domain.Handoff, bool, error) {
	if r.IdempotencyKey == "" {
		return domain.Handoff{}, false, nil
	}
	row, err := s.db.GetHandoffByIdempotencyKey(ctx, dbq.GetHandoffByIdempotencyKeyParams{AccountID: p.AccountID, CreatedBy: p.UserID, IdempotencyKey: &r.IdempotencyKey})
	if postgres.IsNoRows(err) {
		return domain.Handoff{}, false, nil
	}
	if err != nil {
		return domain.Handoff{}, false, fmt.Errorf("find handoff by idempotency key: %w", err)
	}
	reused := func(detail string) error {
		return &domain.Error{Code: domain.EInvalid, Message: "this Idempotency-Key was used " + detail + ": send the same request again to retry it, or use a new key for a new escalation",
			Fields: []domain.FieldError{{Pointer: "Idempotency-Key", Detail: "already used " + detail}}}
	}
	if !sub.made(row) {
		return domain.Handoff{}, false, reused("for another escalation")
	}
	// Keys stored before fingerprints were kept cannot be compared: they are taken as retries.
	if row.RequestFingerprint != nil && *row.RequestFingerprint != r.fingerprint(sub) {
		return domain.Handoff{}, false, reused("with a different request body")
	}
	h, err := s.named(ctx, p, row)
	return h, true, err
}

// record creates a handoff in the caller's transaction with what comes with it: its emails in
// the outbox and its handoff_created event.
func (s *Service) record(ctx context.Context, q *dbq.Queries, params dbq.CreateHandoffParams) (domain.Handoff, domain.EscalationEvent, error) {
	created, err := q.CreateHandoff(ctx, params)
	if err != nil {
		return domain.Handoff{}, domain.EscalationEvent{}, fmt.Errorf("create handoff: %w", err)
	}
	h, err := toHandoff(created)
	if err != nil {
		return domain.Handoff{}, domain.EscalationEvent{}, err
	}
	// The event first: it takes the account's sequence lock, under which the emails of
	// concurrent handoffs count each other for the digest rule.
	e, err := s.log.appendHandoff(ctx, q, h, domain.EventHandoffCreated)
	if err != nil {
		return domain.Handoff{}, domain.EscalationEvent{}, err
	}
	return h, e, s.queueEmails(ctx, q, h)
}

// fingerprint identifies what was asked, to tell a retry from another request with the same key.
func (r Request) fingerprint(sub subject) string {
	target := ""
	if r.TargetUserID != nil {
		target = r.TargetUserID.String()
	}
	sum := sha256.Sum256([]byte(strings.Join([]string{"v1", sub.source, sub.id.String(), r.Summary, string(r.Priority), target}, "\x00")))
	return hex.EncodeToString(sum[:])
}

// checkTarget returns the name of the engineer a handoff is targeted at, after checking that
// they may receive it; "" when it is for the whole team.
func checkTarget(ctx context.Context, q *dbq.Queries, p domain.Principal, target *uuid.UUID) (string, error) {
	if target == nil {
		return "", nil
	}
	invalid := func(detail string) error {
		return &domain.Error{Code: domain.EInvalid, Message: detail, Fields: []domain.FieldError{{Pointer: "/target_user_id", Detail: detail}}}
	}
	if *target == p.UserID {
		return "", invalid("you cannot hand a problem off to yourself: leave target_user_id out or name an engineer")
	}
	u, err := q.GetActiveEscalationRecipient(ctx, dbq.GetActiveEscalationRecipientParams{AccountID: p.AccountID, ID: *target})
	if postgres.IsNoRows(err) {
		return "", invalid("target_user_id must be an active engineer or admin of your account")
	}
	if err != nil {
		return "", fmt.Errorf("check target: %w", err)
	}
	return u.Name, nil
}

// Filter narrows the queue. Statuses defaults to open and claimed.
type Filter struct {
	Statuses []domain.HandoffStatus
	Priority *domain.Priority
	Assignee *uuid.UUID // targeted at or claimed by this user
	Target   *uuid.UUID // targeted at this user
	// CreatedBefore keeps handoffs older than an age.
	CreatedBefore *time.Time
	Limit         int32
	Offset        int32
}

// List returns a page of the queue, most urgent first, then oldest, and the number matching.
func (s *Service) List(ctx context.Context, p domain.Principal, f Filter) ([]domain.Handoff, int64, error) {
	if err := requireEngineer(p); err != nil {
		return nil, 0, err
	}
	statuses := []string{string(domain.HandoffOpen), string(domain.HandoffClaimed)}
	if len(f.Statuses) > 0 {
		statuses = statuses[:0]
		for _, st := range f.Statuses {
			statuses = append(statuses, string(st))
		}
	}
	var priority *string
	if f.Priority != nil {
		pr := string(*f.Priority)
		priority = &pr
	}
	rows, err := s.db.ListHandoffs(ctx, dbq.ListHandoffsParams{
		AccountID: p.AccountID, Statuses: statuses, Priority: priority, Assignee: f.Assignee, Target: f.Target,
		CreatedBefore: f.CreatedBefore, MaxRows: f.Limit, SkipRows: f.Offset,
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list handoffs: %w", err)
	}
	total, err := s.db.CountHandoffs(ctx, dbq.CountHandoffsParams{
		AccountID: p.AccountID, Statuses: statuses, Priority: priority, Assignee: f.Assignee, Target: f.Target, CreatedBefore: f.CreatedBefore,
	})
	if err != nil {
		return nil, 0, fmt.Errorf("count handoffs: %w", err)
	}
	out := make([]domain.Handoff, len(rows))
	for i, r := range rows {
		if out[i], err = toHandoff(r); err != nil {
			return nil, 0, err
		}
	}
	if err := s.fillNames(ctx, p, out); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// Get returns a handoff with its context.
func (s *Service) Get(ctx context.Context, p domain.Principal, id uuid.UUID) (domain.Handoff, error) {
	if err := requireEngineer(p); err != nil {
		return domain.Handoff{}, err
	}
	row, err := s.db.GetHandoff(ctx, dbq.GetHandoffParams{AccountID: p.AccountID, ID: id})
	if postgres.IsNoRows(err) {
		return domain.Handoff{}, notFound(id)
	}
	if err != nil {
		return domain.Handoff{}, fmt.Errorf("get handoff: %w", err)
	}
	return s.named(ctx, p, row)
}

// OfSession returns the handoff a session was escalated to, for whoever may read the session
// (its technician, or any engineer): ENotFound when the session is not visible or was not
// escalated.
func (s *Service) OfSession(ctx context.Context, p domain.Principal, sessionID uuid.UUID) (domain.Handoff, error) {
	row, err := s.db.GetSessionHandoff(ctx, dbq.GetSessionHandoffParams{AccountID: p.AccountID, SessionID: &sessionID, OwnerID: p.OwnOnly()})
	if postgres.IsNoRows(err) {
		return domain.Handoff{}, domain.Errorf(domain.ENotFound, "session %s has not been escalated, or does not exist in your account", sessionID)
	}
	if err != nil {
		return domain.Handoff{}, fmt.Errorf("get the handoff of session %s: %w", sessionID, err)
	}
	return s.named(ctx, p, row)
}

// Target is someone a problem can be handed to.
type Target struct {
	ID   uuid.UUID
	Name string
	Role domain.Role
}

// Targets lists who the caller can hand a problem to: the account's active engineers and admins
// but the caller, by name. Any role may ask.
func (s *Service) Targets(ctx context.Context, p domain.Principal) ([]Target, error) {
	rows, err := s.db.ListEscalationTargets(ctx, dbq.ListEscalationTargetsParams{AccountID: p.AccountID, CallerID: p.UserID})
	if err != nil {
		return nil, fmt.Errorf("list escalation targets: %w", err)
	}
	out := make([]Target, len(rows))
	for i, r := range rows {
		out[i] = Target{ID: r.ID, Name: r.Name, Role: domain.Role(r.Role)}
	}
	return out, nil
}

// Claim takes an open handoff for the caller; of concurrent claims exactly one wins, the others
// get EConflict naming who won.
func (s *Service) Claim(ctx context.Context, p domain.Principal, id uuid.UUID) (domain.Handoff, error) {
	if err := requireEngineer(p); err != nil {
		return domain.Handoff{}, err
	}
	h, err := s.change(ctx, p, id, domain.EventHandoffClaimed, func(h domain.Handoff) (domain.Handoff, error) {
		return h.Claim(p, s.now())
	})
	if domain.ErrorCode(err) != domain.EConflict {
		return h, err
	}
	if now, getErr := s.Get(ctx, p, id); getErr == nil && now.ClaimedByName != "" {
		who := now.ClaimedByName
		if now.ClaimedBy != nil && *now.ClaimedBy == p.UserID {
			who = "you"
		}
		return domain.Handoff{}, domain.Errorf(domain.EConflict, "someone else got there first: %s claimed this handoff", who)
	}
	return domain.Handoff{}, err
}

// Resolve closes a claimed handoff (its claimer or an admin) with a resolution note, and marks
// the session it came from resolved with the same note.
func (s *Service) Resolve(ctx context.Context, p domain.Principal, id uuid.UUID, note string) (domain.Handoff, error) {
	if err := requireEngineer(p); err != nil {
		return domain.Handoff{}, err
	}
	return s.change(ctx, p, id, domain.EventHandoffResolved, func(h domain.Handoff) (domain.Handoff, error) {
		return h.Resolve(p, note, s.now())
	})
}

// Release gives a claimed handoff back to the queue (its claimer or an admin): open again.
func (s *Service) Release(ctx context.Context, p domain.Principal, id uuid.UUID) (domain.Handoff, error) {
	if err := requireEngineer(p); err != nil {
		return domain.Handoff{}, err
	}
	return s.change(ctx, p, id, domain.EventHandoffReleased, func(h domain.Handoff) (domain.Handoff, error) {
		return h.Release(p, s.now())
	})
}

// Cancel withdraws a handoff: an open one (its creator, a technician too, or an admin) or a
// claimed one (its claimer or an admin).
func (s *Service) Cancel(ctx context.Context, p domain.Principal, id uuid.UUID, reason string) (domain.Handoff, error) {
	return s.change(ctx, p, id, domain.EventHandoffCancelled, func(h domain.Handoff) (domain.Handoff, error) {
		return h.Cancel(p, reason, s.now())
	})
}

// change applies a transition to the handoff under its row lock and records the event in the
// same transaction. Technicians reach only the handoffs they created; others are not found.
func (s *Service) change(ctx context.Context, p domain.Principal, id uuid.UUID, event domain.EventType, transition func(domain.Handoff) (domain.Handoff, error)) (domain.Handoff, error) {
	var (
		updated  dbq.Handoff
		recorded domain.EscalationEvent
	)
	err := s.db.InTx(ctx, func(q *dbq.Queries) error {
		row, err := q.LockHandoffForUpdate(ctx, dbq.LockHandoffForUpdateParams{AccountID: p.AccountID, ID: id})
		if postgres.IsNoRows(err) {
			return notFound(id)
		}
		if err != nil {
			return fmt.Errorf("lock handoff: %w", err)
		}
		if !p.Role.AtLeast(domain.RoleEngineer) && row.CreatedBy != p.UserID {
			return notFound(id)
		}
		h, err := toHandoff(row)
		if err != nil {
			return err
		}
		next, err := transition(h)
		if err != nil {
			return err
		}
		updated, err = q.UpdateHandoff(ctx, dbq.UpdateHandoffParams{
			AccountID: p.AccountID, ID: id, Status: string(next.Status), ClaimedBy: next.ClaimedBy, ClaimedAt: next.ClaimedAt,
			ResolvedAt: next.ResolvedAt, ResolutionNote: next.ResolutionNote, CancelReason: next.CancelReason, At: next.UpdatedAt,
		})
		if err != nil {
			return fmt.Errorf("update handoff: %w", err)
		}
		if next.Status == domain.HandoffResolved && next.SessionID != nil {
			if err := q.ResolveEscalatedSession(ctx, dbq.ResolveEscalatedSessionParams{
				AccountID: p.AccountID, ID: *next.SessionID, ResolutionNote: next.ResolutionNote, At: next.UpdatedAt,
			}); err != nil {
				return fmt.Errorf("resolve the originating session: %w", err)
			}
		}
		h, err = toHandoff(updated)
		if err != nil {
			return err
		}
		recorded, err = s.log.appendHandoff(ctx, q, h, event)
		return err
	})
	if err != nil {
		return domain.Handoff{}, err
	}
	s.bus.Announce(p.AccountID, recorded)
	return s.named(ctx, p, updated)
}

// named converts a row and fills in the names of the people it refers to.
func (s *Service) named(ctx context.Context, p domain.Principal, row dbq.Handoff) (domain.Handoff, error) {
	h, err := toHandoff(row)
	if err != nil {
		return domain.Handoff{}, err
	}
	hs := []domain.Handoff{h}
	if err := s.fillNames(ctx, p, hs); err != nil {
		return domain.Handoff{}, err
	}
	return hs[0], nil
}

// fillNames names the creator, target and claimer of each handoff with one query.
func (s *Service) fillNames(ctx context.Context, p domain.Principal, hs []domain.Handoff) error {
	seen := map[uuid.UUID]bool{}
	var ids []uuid.UUID
	add := func(id *uuid.UUID) {
		if id != nil && !seen[*id] {
			seen[*id] = true
			ids = append(ids, *id)
		}
	}
	for i := range hs {
		add(&hs[i].CreatedBy)
		add(hs[i].TargetUserID)
		add(hs[i].ClaimedBy)
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := s.db.ListUserNames(ctx, dbq.ListUserNamesParams{AccountID: p.AccountID, Ids: ids})
	if err != nil {
		return fmt.Errorf("name the people of handoffs: %w", err)
	}
	names := make(map[uuid.UUID]string, len(rows))
	for _, r := range rows {
		names[r.ID] = r.Name
	}
	name := func(id *uuid.UUID) string {
		if id == nil {
			return ""
		}
		return names[*id]
	}
	for i := range hs {
		hs[i].CreatedByName = names[hs[i].CreatedBy]
		hs[i].TargetUserName = name(hs[i].TargetUserID)
		hs[i].ClaimedByName = name(hs[i].ClaimedBy)
	}
	return nil
}

func requireEngineer(p domain.Principal) error {
	if !p.Role.AtLeast(domain.RoleEngineer) {
		return domain.Errorf(domain.EForbidden, "the escalation queue needs the engineer role; you are %s", p.Role.Article())
	}
	return nil
}

func toHandoff(r dbq.Handoff) (domain.Handoff, error) {
	h := domain.Handoff{
		ID: r.ID, AccountID: r.AccountID, Source: r.Source, SessionID: r.SessionID, AISessionID: r.AiSessionID, Summary: r.Summary,
		Priority: domain.Priority(r.Priority), Status: domain.HandoffStatus(r.Status), CreatedBy: r.CreatedBy,
		TargetUserID: r.TargetUserID, ClaimedBy: r.ClaimedBy, ClaimedAt: r.ClaimedAt, ResolvedAt: r.ResolvedAt,
		ResolutionNote: r.ResolutionNote, CancelReason: r.CancelReason, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if err := json.Unmarshal(r.Context, &h.Context); err != nil {
		return domain.Handoff{}, fmt.Errorf("decode context of handoff %s: %w", r.ID, err)
	}
	return h, nil
}
