// Package sessions is the guided-session use cases: a technician walks one pinned tree version,
// every step recorded, and exports the result as ticket notes.
package sessions

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/export"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
)

// Service runs sessions in the caller's account. Viewers work on their own sessions only;
// engineers and admins on all of the account's. Any other session reads as ENotFound.
type Service struct {
	db          *postgres.DB
	now         func() time.Time
	definitions *definitions
}

// NewService returns the session use cases. now is the clock steps are stamped with.
func NewService(db *postgres.DB, now func() time.Time) *Service {
	return &Service{db: db, now: now, definitions: newDefinitions()}
}

// View is a session with the definition it is pinned to.
type View struct {
	Session    domain.Session
	Definition domain.Definition
	technician string // the name of who runs the session, for an escalation
}

// CurrentNode is the node the session stands at.
func (v View) CurrentNode() domain.Node {
	n, _ := v.Definition.Node(v.Session.CurrentNode)
	return n
}

func notFound(id uuid.UUID) error {
	return domain.Errorf(domain.ENotFound, "session %s does not exist in your account", id)
}

// Details are the free fields a technician keeps up to date.
type Details struct {
	TicketRef string
	Customer  string
	Asset     string
	Notes     string
}

// Start begins a session on a published tree, pinned to its current version, at its root.
func (s *Service) Start(ctx context.Context, p domain.Principal, treeID uuid.UUID, d Details) (View, error) {
	tree, err := s.db.GetTree(ctx, dbq.GetTreeParams{AccountID: p.AccountID, ID: treeID, PublishedOnly: !p.Role.AtLeast(domain.RoleEngineer)})
	if postgres.IsNoRows(err) {
		return View{}, domain.Errorf(domain.ENotFound, "tree %s does not exist in your account", treeID)
	}
	if err != nil {
		return View{}, fmt.Errorf("get tree: %w", err)
	}
	if tree.Tree.Status != string(domain.TreePublished) {
		return View{}, domain.Errorf(domain.EConflict, "tree %q is %s: sessions start on published trees only", tree.Tree.Title, tree.Tree.Status)
	}
	def, err := domain.DecodeDefinition(tree.Definition)
	if err != nil {
		return View{}, err
	}
	row, err := s.db.CreateSession(ctx, dbq.CreateSessionParams{
		AccountID: p.AccountID, TreeID: treeID, TreeVersion: tree.Tree.CurrentVersion, UserID: p.UserID,
		CurrentNode: def.Root, TicketRef: d.TicketRef, Customer: d.Customer, Asset: d.Asset, Notes: d.Notes,
		StartedAt: s.now(),
	})
	if err != nil {
		return View{}, fmt.Errorf("create session: %w", err)
	}
	return View{Session: toSession(row, tree.Tree.Title, nil), Definition: def}, nil
}

// Get returns a session with its steps and pinned definition.
func (s *Service) Get(ctx context.Context, p domain.Principal, id uuid.UUID) (View, error) {
	row, err := s.db.GetSession(ctx, dbq.GetSessionParams{AccountID: p.AccountID, ID: id, OwnerID: p.OwnOnly()})
	if postgres.IsNoRows(err) {
		return View{}, notFound(id)
	}
	if err != nil {
		return View{}, fmt.Errorf("get session: %w", err)
	}
	steps, err := s.db.ListSessionSteps(ctx, dbq.ListSessionStepsParams{AccountID: p.AccountID, SessionID: id})
	if err != nil {
		return View{}, fmt.Errorf("list steps: %w", err)
	}
	def, err := s.definitions.get(ctx, s.db.Queries, p.AccountID, row.Session.TreeID, row.Session.TreeVersion)
	if err != nil {
		return View{}, err
	}
	return View{Session: toSession(row.Session, row.TreeTitle, steps), Definition: def}, nil
}

// Filter narrows a listing; nil fields do not filter.
type Filter struct {
	UserID *uuid.UUID
	TreeID *uuid.UUID
	Status *domain.SessionStatus
	Limit  int32
	Offset int32
}

// List returns a page of sessions, without steps, most recent first. A viewer's filter on
// another user is ignored in favour of their own id: they only ever see their own.
func (s *Service) List(ctx context.Context, p domain.Principal, f Filter) ([]domain.Session, int64, error) {
	userID := f.UserID
	if owner := p.OwnOnly(); owner != nil {
		userID = owner
	}
	var status *string
	if f.Status != nil {
		st := string(*f.Status)
		status = &st
	}
	rows, err := s.db.ListSessions(ctx, dbq.ListSessionsParams{
		AccountID: p.AccountID, UserID: userID, TreeID: f.TreeID, Status: status, MaxRows: f.Limit, SkipRows: f.Offset,
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list sessions: %w", err)
	}
	total, err := s.db.CountSessions(ctx, dbq.CountSessionsParams{AccountID: p.AccountID, UserID: userID, TreeID: f.TreeID, Status: status})
	if err != nil {
		return nil, 0, fmt.Errorf("count sessions: %w", err)
	}
	out := make([]domain.Session, len(rows))
	for i, r := range rows {
		out[i] = toSession(r.Session, r.TreeTitle, nil)
	}
	return out, total, nil
}

// UpdateDetails replaces the ticket reference, customer, asset and notes; fields left nil keep
// their value. Finished sessions can still be annotated.
func (s *Service) UpdateDetails(ctx context.Context, p domain.Principal, id uuid.UUID, ticketRef, customer, asset, notes *string) (View, error) {
	return s.change(ctx, p, id, func(q *dbq.Queries, v *View) error {
		d := Details{TicketRef: v.Session.TicketRef, Customer: v.Session.Customer, Asset: v.Session.Asset, Notes: v.Session.Notes}
		for dst, src := range map[*string]*string{&d.TicketRef: ticketRef, &d.Customer: customer, &d.Asset: asset, &d.Notes: notes} {
			if src != nil {
				*dst = *src
			}
		}
		at := s.now()
		if err := q.UpdateSessionDetails(ctx, dbq.UpdateSessionDetailsParams{
			AccountID: p.AccountID, ID: id, TicketRef: d.TicketRef, Customer: d.Customer, Asset: d.Asset, Notes: d.Notes, At: at,
		}); err != nil {
			return fmt.Errorf("update session: %w", err)
		}
		v.Session.TicketRef, v.Session.Customer, v.Session.Asset, v.Session.Notes, v.Session.UpdatedAt = d.TicketRef, d.Customer, d.Asset, d.Notes, at
		return nil
	})
}

// Answer answers the current node; see domain.Answer for the rules.
func (s *Service) Answer(ctx context.Context, p domain.Principal, id uuid.UUID, nodeID, optionID, note string) (View, error) {
	return s.change(ctx, p, id, func(q *dbq.Queries, v *View) error {
		step, err := domain.Answer(v.Definition, v.Session, nodeID, optionID, note, s.now())
		if err != nil {
			return err
		}
		return appendStep(ctx, q, v, step)
	})
}

// GoBack reverts the last answer in effect.
func (s *Service) GoBack(ctx context.Context, p domain.Principal, id uuid.UUID) (View, error) {
	return s.change(ctx, p, id, func(q *dbq.Queries, v *View) error {
		step, err := domain.GoBack(v.Session, s.now())
		if err != nil {
			return err
		}
		return appendStep(ctx, q, v, step)
	})
}

// AddCustom records work the tree does not have.
func (s *Service) AddCustom(ctx context.Context, p domain.Principal, id uuid.UUID, text, note string) (View, error) {
	return s.change(ctx, p, id, func(q *dbq.Queries, v *View) error {
		step, err := domain.AddCustom(v.Session, text, note, s.now())
		if err != nil {
			return err
		}
		return appendStep(ctx, q, v, step)
	})
}

// Complete ends the session with outcome; see domain.Complete for the rules.
func (s *Service) Complete(ctx context.Context, p domain.Principal, id uuid.UUID, outcome domain.SessionStatus, resolutionNote string) (View, error) {
	return s.change(ctx, p, id, func(q *dbq.Queries, v *View) error {
		if err := domain.Complete(v.Definition, v.Session, outcome); err != nil {
			return err
		}
		at := s.now()
		if err := q.CompleteSession(ctx, dbq.CompleteSessionParams{
			AccountID: p.AccountID, ID: id, Status: string(outcome), ResolutionNote: resolutionNote, At: at,
		}); err != nil {
			return fmt.Errorf("complete session: %w", err)
		}
		v.Session.Status, v.Session.ResolutionNote, v.Session.CompletedAt, v.Session.UpdatedAt = outcome, resolutionNote, &at, at
		return nil
	})
}

// Escalate ends the session as escalated and, in the same transaction, runs handOff to record
// the handoff, so that a session is never escalated without one nor handed off twice.
func (s *Service) Escalate(ctx context.Context, p domain.Principal, id uuid.UUID, handOff func(q *dbq.Queries, v View, technician string) error) (View, error) {
	return s.change(ctx, p, id, func(q *dbq.Queries, v *View) error {
		if err := domain.Complete(v.Definition, v.Session, domain.SessionEscalated); err != nil {
			return err
		}
		at := s.now()
		if err := q.CompleteSession(ctx, dbq.CompleteSessionParams{
			AccountID: p.AccountID, ID: id, Status: string(domain.SessionEscalated), At: at,
		}); err != nil {
			return fmt.Errorf("complete session: %w", err)
		}
		if err := handOff(q, *v, v.technician); err != nil {
			return err
		}
		v.Session.Status, v.Session.CompletedAt, v.Session.UpdatedAt = domain.SessionEscalated, &at, at
		return nil
	})
}

// change runs fn on the session loaded under a row lock, in one transaction, and returns the
// session as fn left it, which is what was committed. Two requests on one session therefore
// apply one after the other, each seeing the other's result. Only the technician running the
// session changes it: engineers and admins see others' sessions but get EForbidden here.
func (s *Service) change(ctx context.Context, p domain.Principal, id uuid.UUID, fn func(q *dbq.Queries, v *View) error) (View, error) {
	var v View
	err := s.db.InTx(ctx, func(q *dbq.Queries) error {
		row, err := q.LockSessionForUpdate(ctx, dbq.LockSessionForUpdateParams{AccountID: p.AccountID, ID: id, OwnerID: p.OwnOnly()})
		if postgres.IsNoRows(err) {
			return notFound(id)
		}
		if err != nil {
			return fmt.Errorf("lock session: %w", err)
		}
		if row.Session.UserID != p.UserID {
			return domain.Errorf(domain.EForbidden, "session %s is run by another technician: only they can change it", id)
		}
		steps, err := q.ListSessionSteps(ctx, dbq.ListSessionStepsParams{AccountID: p.AccountID, SessionID: id})
		if err != nil {
			return fmt.Errorf("list steps: %w", err)
		}
		def, err := s.definitions.get(ctx, q, p.AccountID, row.Session.TreeID, row.Session.TreeVersion)
		if err != nil {
			return err
		}
		v = View{Session: toSession(row.Session, row.TreeTitle, steps), Definition: def, technician: row.TechnicianName}
		return fn(q, &v)
	})
	if err != nil {
		return View{}, err
	}
	return v, nil
}

// appendStep records st and moves the session to where st leads, in the database and in v.
func appendStep(ctx context.Context, q *dbq.Queries, v *View, st domain.Step) error {
	sess := v.Session
	if err := q.RecordSessionStep(ctx, dbq.RecordSessionStepParams{
		AccountID: sess.AccountID, SessionID: sess.ID, Seq: st.Seq, Kind: string(st.Kind), NodeID: st.NodeID,
		OptionID: st.OptionID, ToNodeID: st.ToNodeID, Text: st.Text, Note: st.Note, CreatedAt: st.CreatedAt,
	}); err != nil {
		return fmt.Errorf("record step %d: %w", st.Seq, err)
	}
	v.Session.Steps = append(v.Session.Steps, st)
	v.Session.CurrentNode, v.Session.UpdatedAt = st.ToNodeID, st.CreatedAt
	return nil
}

func toSession(r dbq.Session, treeTitle string, steps []dbq.ListSessionStepsRow) domain.Session {
	s := domain.Session{
		ID: r.ID, AccountID: r.AccountID, TreeID: r.TreeID, TreeVersion: r.TreeVersion, TreeTitle: treeTitle,
		UserID: r.UserID, Status: domain.SessionStatus(r.Status), CurrentNode: r.CurrentNode,
		TicketRef: r.TicketRef, Customer: r.Customer, Asset: r.Asset, Notes: r.Notes, ResolutionNote: r.ResolutionNote,
		StartedAt: r.StartedAt, CompletedAt: r.CompletedAt, UpdatedAt: r.UpdatedAt,
		Steps: make([]domain.Step, len(steps)),
	}
	for i, st := range steps {
		s.Steps[i] = domain.Step{
			Seq: st.Seq, Kind: domain.StepKind(st.Kind), NodeID: st.NodeID, OptionID: st.OptionID, ToNodeID: st.ToNodeID,
			Text: st.Text, Note: st.Note, CreatedAt: st.CreatedAt,
		}
	}
	return s
}

// Export renders the session as ticket notes in format.
func (s *Service) Export(ctx context.Context, p domain.Principal, id uuid.UUID, format export.Format) (content, contentType string, err error) {
	v, err := s.Get(ctx, p, id)
	if err != nil {
		return "", "", err
	}
	tech, err := s.db.GetUser(ctx, dbq.GetUserParams{AccountID: p.AccountID, ID: v.Session.UserID})
	if err != nil {
		return "", "", fmt.Errorf("get technician: %w", err)
	}
	return export.Render(export.NewReport(v.Session, v.Definition, tech.Name, s.now()), format)
}
