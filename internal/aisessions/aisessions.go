// Package aisessions is the conversations between technicians and the assistant.
package aisessions

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/auth"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
	"github.com/resolutionflow/resolutionflow/internal/sessions"
)

// Service runs conversations in the caller's account. Viewers see their own; engineers and
// admins the account's; any other conversation reads as ENotFound.
type Service struct {
	db        *postgres.DB
	sessions  *sessions.Service
	assistant domain.Assistant
	limits    Limits
	calls     *auth.Throttle
}

// Limits bound what one technician can ask of the assistant.
type Limits struct {
	CallsPerMinute int // assistant calls per user per minute
	Messages       int // messages per conversation
}

// NewService returns the conversation use cases answered by assistant.
func NewService(db *postgres.DB, sessions *sessions.Service, assistant domain.Assistant, limits Limits, now func() time.Time) *Service {
	return &Service{db: db, sessions: sessions, assistant: assistant, limits: limits, calls: auth.NewThrottle(time.Minute, now)}
}

// allowCall counts a call to the assistant against the caller's per-minute budget.
func (s *Service) allowCall(p domain.Principal) error {
	if wait := s.calls.Begin(auth.Limit{Key: p.UserID.String(), Max: s.limits.CallsPerMinute}); wait > 0 {
		return &domain.Error{Code: domain.EThrottled, Message: fmt.Sprintf("you asked the assistant %d times this minute: wait before asking again", s.limits.CallsPerMinute), RetryAfter: wait}
	}
	return nil
}

func notFound(id uuid.UUID) error {
	return domain.Errorf(domain.ENotFound, "conversation %s does not exist in your account", id)
}

// Start is what a technician gives when opening a conversation.
type Start struct {
	Problem                    string
	SessionID                  *uuid.UUID // a guided session the caller can see
	TicketRef, Customer, Asset string
}

// Start opens a conversation and returns it with the assistant's first reply. If the assistant
// fails, the conversation and the problem are kept and EUpstream is returned.
func (s *Service) Start(ctx context.Context, p domain.Principal, in Start) (domain.AISession, error) {
	problem, sessionID := in.Problem, in.SessionID
	if err := s.allowCall(p); err != nil {
		return domain.AISession{}, err
	}
	if sessionID != nil {
		if _, err := s.sessions.Get(ctx, p, *sessionID); err != nil {
			return domain.AISession{}, err
		}
	}
	var row dbq.AiSession
	err := s.db.InTx(ctx, func(q *dbq.Queries) error {
		var err error
		if row, err = q.CreateAISession(ctx, dbq.CreateAISessionParams{
			AccountID: p.AccountID, UserID: p.UserID, SessionID: sessionID, Problem: problem,
			TicketRef: in.TicketRef, Customer: in.Customer, Asset: in.Asset,
		}); err != nil {
			return fmt.Errorf("create conversation: %w", err)
		}
		_, err = q.AddAIMessage(ctx, dbq.AddAIMessageParams{AccountID: p.AccountID, AiSessionID: row.ID, Role: "user", Content: problem})
		return err
	})
	if err != nil {
		return domain.AISession{}, err
	}
	return s.answer(ctx, p, row, func(string) {})
}

// Reply is a stored message waiting for the assistant's answer.
type Reply struct {
	s   *Service
	p   domain.Principal
	row dbq.AiSession
}

// Answer asks the assistant, passing each part of its reply to delta, stores the reply and
// returns the conversation.
func (r Reply) Answer(ctx context.Context, delta func(string)) (domain.AISession, error) {
	return r.s.answer(ctx, r.p, r.row, delta)
}

// Post checks that the caller may write in the conversation and stores their message, which is
// kept whatever the assistant then does; Answer gets the reply.
func (s *Service) Post(ctx context.Context, p domain.Principal, id uuid.UUID, content string) (Reply, error) {
	row, err := s.load(ctx, p, id)
	if err != nil {
		return Reply{}, err
	}
	if row.UserID != p.UserID {
		return Reply{}, domain.Errorf(domain.EForbidden, "conversation %s is another technician's: only they can write in it", id)
	}
	if row.Status != domain.ConversationActive {
		return Reply{}, domain.Errorf(domain.EConflict, "the conversation is %s and takes no messages: resume it or start a new one", row.Status)
	}
	n, err := s.db.CountAIMessages(ctx, dbq.CountAIMessagesParams{AccountID: p.AccountID, AiSessionID: id})
	if err != nil {
		return Reply{}, fmt.Errorf("count messages: %w", err)
	}
	if int(n) >= s.limits.Messages {
		return Reply{}, domain.Errorf(domain.EConflict, "the conversation has reached %d messages: start a new one, or escalate it", s.limits.Messages)
	}
	if err := s.allowCall(p); err != nil {
		return Reply{}, err
	}
	last, err := s.db.GetLastAIMessage(ctx, dbq.GetLastAIMessageParams{AccountID: p.AccountID, AiSessionID: id})
	if err != nil && !postgres.IsNoRows(err) {
		return Reply{}, fmt.Errorf("read the last message: %w", err)
	}
	// The same words again after a reply that failed are a retry, not a second message.
	if retry := err == nil && last.Role == "user" && last.Content == content; !retry {
		if _, err := s.db.AddAIMessage(ctx, dbq.AddAIMessageParams{AccountID: p.AccountID, AiSessionID: id, Role: "user", Content: content}); err != nil {
			return Reply{}, fmt.Errorf("store message: %w", err)
		}
	}
	return Reply{s: s, p: p, row: row}, nil
}

// answer asks the assistant about the conversation as stored and stores its reply. The call is
// made outside any transaction: a provider may be slow.
func (s *Service) answer(ctx context.Context, p domain.Principal, row dbq.AiSession, delta func(string)) (domain.AISession, error) {
	conv, err := s.view(ctx, p, row)
	if err != nil {
		return domain.AISession{}, err
	}
	c := domain.Conversation{Principal: p, Problem: conv.Problem, Messages: conv.Messages}
	if row.SessionID != nil {
		v, err := s.sessions.Get(ctx, p, *row.SessionID)
		if err != nil {
			return domain.AISession{}, err
		}
		c.Linked, c.Tree = &v.Session, &v.Definition
	}
	reply, err := s.assistant.Reply(ctx, c, delta)
	if err != nil {
		if domain.ErrorCode(err) == domain.EUpstream {
			return domain.AISession{}, err
		}
		return domain.AISession{}, &domain.Error{Code: domain.EUpstream, Message: "the assistant could not answer; your message is kept: try again"}
	}
	if _, err := s.db.AddAIMessage(ctx, dbq.AddAIMessageParams{AccountID: p.AccountID, AiSessionID: row.ID, Role: "assistant", Content: reply}); err != nil {
		return domain.AISession{}, fmt.Errorf("store reply: %w", err)
	}
	if err := s.db.TouchAISession(ctx, dbq.TouchAISessionParams{AccountID: p.AccountID, ID: row.ID}); err != nil {
		return domain.AISession{}, fmt.Errorf("touch conversation: %w", err)
	}
	return s.Get(ctx, p, row.ID)
}

// Move changes a conversation's lifecycle status; only its author may.
func (s *Service) Move(ctx context.Context, p domain.Principal, id uuid.UUID, to string) (domain.AISession, error) {
	if to == domain.ConversationEscalated {
		return domain.AISession{}, domain.Errorf(domain.EInvalid, "a conversation is escalated with POST /ai-sessions/{id}/escalate, which hands it to an engineer")
	}
	err := s.db.InTx(ctx, func(q *dbq.Queries) error {
		_, err := s.move(ctx, q, p, id, to)
		return err
	})
	if err != nil {
		return domain.AISession{}, err
	}
	return s.Get(ctx, p, id)
}

// Escalate ends the conversation as escalated and, in the same transaction, runs handOff with
// the conversation and its technician's name to record the handoff, so that a conversation is
// never escalated without one nor handed off twice.
func (s *Service) Escalate(ctx context.Context, p domain.Principal, id uuid.UUID, handOff func(q *dbq.Queries, c domain.AISession, technician string) error) error {
	return s.db.InTx(ctx, func(q *dbq.Queries) error {
		row, err := s.move(ctx, q, p, id, domain.ConversationEscalated)
		if err != nil {
			return err
		}
		msgs, err := q.ListAIMessages(ctx, dbq.ListAIMessagesParams{AccountID: p.AccountID, AiSessionID: id})
		if err != nil {
			return fmt.Errorf("read transcript: %w", err)
		}
		tech, err := q.GetUser(ctx, dbq.GetUserParams{AccountID: p.AccountID, ID: p.UserID})
		if err != nil {
			return fmt.Errorf("get technician: %w", err)
		}
		return handOff(q, toAISession(row, msgs), tech.Name)
	})
}

// move changes the status of the caller's own conversation under its row lock, as the domain
// allows, and returns the row as it was.
func (s *Service) move(ctx context.Context, q *dbq.Queries, p domain.Principal, id uuid.UUID, to string) (dbq.AiSession, error) {
	row, err := q.LockAISessionForUpdate(ctx, dbq.LockAISessionForUpdateParams{AccountID: p.AccountID, ID: id, OwnerID: p.OwnOnly()})
	if postgres.IsNoRows(err) {
		return dbq.AiSession{}, notFound(id)
	}
	if err != nil {
		return dbq.AiSession{}, fmt.Errorf("lock conversation: %w", err)
	}
	if row.UserID != p.UserID {
		return dbq.AiSession{}, domain.Errorf(domain.EForbidden, "conversation %s is another technician's: only they can change it", id)
	}
	if err := domain.MoveConversation(row.Status, to); err != nil {
		return dbq.AiSession{}, err
	}
	if err := q.SetAISessionStatus(ctx, dbq.SetAISessionStatusParams{AccountID: p.AccountID, ID: id, Status: to}); err != nil {
		return dbq.AiSession{}, fmt.Errorf("set the conversation %s: %w", to, err)
	}
	return row, nil
}

// Get returns a conversation with its messages.
func (s *Service) Get(ctx context.Context, p domain.Principal, id uuid.UUID) (domain.AISession, error) {
	row, err := s.load(ctx, p, id)
	if err != nil {
		return domain.AISession{}, err
	}
	return s.view(ctx, p, row)
}

// List returns a page of conversations without their messages, most recent first, in status
// when it is set.
// Filter narrows a list of conversations; viewers see only their own whatever UserID says.
type Filter struct {
	Status        *string
	UserID        *uuid.UUID
	Limit, Offset int32
}

func (s *Service) List(ctx context.Context, p domain.Principal, f Filter) ([]domain.AISession, int64, error) {
	rows, err := s.db.ListAISessions(ctx, dbq.ListAISessionsParams{AccountID: p.AccountID, OwnerID: p.OwnOnly(), UserID: f.UserID, Status: f.Status, MaxRows: f.Limit, SkipRows: f.Offset})
	if err != nil {
		return nil, 0, fmt.Errorf("list conversations: %w", err)
	}
	total, err := s.db.CountAISessions(ctx, dbq.CountAISessionsParams{AccountID: p.AccountID, OwnerID: p.OwnOnly(), UserID: f.UserID, Status: f.Status})
	if err != nil {
		return nil, 0, fmt.Errorf("count conversations: %w", err)
	}
	out := make([]domain.AISession, len(rows))
	for i, r := range rows {
		out[i] = toAISession(r, nil)
	}
	return out, total, nil
}

func (s *Service) load(ctx context.Context, p domain.Principal, id uuid.UUID) (dbq.AiSession, error) {
	row, err := s.db.GetAISession(ctx, dbq.GetAISessionParams{AccountID: p.AccountID, ID: id, OwnerID: p.OwnOnly()})
	if postgres.IsNoRows(err) {
		return dbq.AiSession{}, notFound(id)
	}
	if err != nil {
		return dbq.AiSession{}, fmt.Errorf("get conversation: %w", err)
	}
	return row, nil
}

func (s *Service) view(ctx context.Context, p domain.Principal, row dbq.AiSession) (domain.AISession, error) {
	msgs, err := s.db.ListAIMessages(ctx, dbq.ListAIMessagesParams{AccountID: p.AccountID, AiSessionID: row.ID})
	if err != nil {
		return domain.AISession{}, fmt.Errorf("list messages: %w", err)
	}
	return toAISession(row, msgs), nil
}

func toAISession(r dbq.AiSession, msgs []dbq.AiMessage) domain.AISession {
	a := domain.AISession{
		ID: r.ID, AccountID: r.AccountID, UserID: r.UserID, SessionID: r.SessionID, Problem: r.Problem, Status: r.Status,
		TicketRef: r.TicketRef, Customer: r.Customer, Asset: r.Asset,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Messages: make([]domain.AIMessage, len(msgs)),
	}
	for i, m := range msgs {
		a.Messages[i] = domain.AIMessage{ID: m.ID, Role: m.Role, Content: m.Content, CreatedAt: m.CreatedAt}
	}
	return a
}
