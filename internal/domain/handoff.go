package domain

import (
	"time"

	"github.com/google/uuid"
)

// Priority orders the escalation queue.
type Priority string

const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// HandoffStatus is where a handoff stands: open → claimed → resolved, or cancelled.
type HandoffStatus string

const (
	HandoffOpen      HandoffStatus = "open"
	HandoffClaimed   HandoffStatus = "claimed"
	HandoffResolved  HandoffStatus = "resolved"
	HandoffCancelled HandoffStatus = "cancelled"
)

// EventType names an entry of an account's escalation log.
type EventType string

const (
	EventHandoffCreated   EventType = "handoff_created"
	EventHandoffClaimed   EventType = "handoff_claimed"
	EventHandoffReleased  EventType = "handoff_released"
	EventHandoffResolved  EventType = "handoff_resolved"
	EventHandoffCancelled EventType = "handoff_cancelled"
	// EventAccessRevoked says that a user's access changed (role, deactivation, password,
	// sign-out): their live streams end before any later event. It is never sent to clients.
	EventAccessRevoked EventType = "access_revoked"
)

// EscalationEvent is one entry of an account's escalation log, numbered in the account's own
// sequence. A handoff event carries the handoff as the change left it; an access_revoked event
// names the user instead.
type EscalationEvent struct {
	ID         int64
	Type       EventType
	OccurredAt time.Time
	Handoff    Handoff
	User       uuid.UUID
}

// Handoff is an escalation: a problem handed from a technician to the account's engineers.
type Handoff struct {
	ID             uuid.UUID
	AccountID      uuid.UUID
	Source         string
	SessionID      *uuid.UUID
	AISessionID    *uuid.UUID
	Summary        string
	Priority       Priority
	Status         HandoffStatus
	CreatedBy      uuid.UUID
	TargetUserID   *uuid.UUID
	ClaimedBy      *uuid.UUID
	ClaimedAt      *time.Time
	ResolvedAt     *time.Time
	ResolutionNote string
	CancelReason   string
	Context        HandoffContext
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// CreatedByName, TargetUserName and ClaimedByName are the people's names as they are now,
	// filled when a handoff is read; empty where there is nobody (or in event payloads).
	CreatedByName  string
	TargetUserName string
	ClaimedByName  string
}

// HandoffContext is the snapshot taken when a handoff is created: everything an engineer needs
// without opening anything else. It never changes afterwards.
type HandoffContext struct {
	ProblemSummary string        `json:"problem_summary"`
	TreeTitle      string        `json:"tree_title,omitempty"`
	TreeVersion    int32         `json:"tree_version,omitempty"`
	TicketRef      string        `json:"ticket_ref,omitempty"`
	Customer       string        `json:"customer,omitempty"`
	Asset          string        `json:"asset,omitempty"`
	Technician     string        `json:"technician,omitempty"`
	TimeSpent      string        `json:"time_spent,omitempty"`
	Steps          []ContextStep `json:"steps"`
	// Transcript is the conversation with the assistant, for handoffs from one; Assessment is
	// the assistant's last reply in it.
	Transcript []AIMessage `json:"transcript,omitempty"`
	Assessment string      `json:"assessment,omitempty"`
}

// ContextStep is one thing the technician tried, in words. At is zero in snapshots taken before
// steps were timed.
type ContextStep struct {
	Kind   StepKind  `json:"kind"`
	Text   string    `json:"text"`
	Answer string    `json:"answer,omitempty"`
	Note   string    `json:"note,omitempty"`
	At     time.Time `json:"at,omitzero"`
}

// SessionContext describes a session for the engineer who takes it over.
func SessionContext(s Session, def Definition, technician, summary string, now time.Time) HandoffContext {
	c := HandoffContext{
		ProblemSummary: summary, TreeTitle: s.TreeTitle, TreeVersion: s.TreeVersion, TicketRef: s.TicketRef,
		Customer: s.Customer, Asset: s.Asset, Technician: technician,
		TimeSpent: now.Sub(s.StartedAt).Round(time.Second).String(), Steps: []ContextStep{},
	}
	for _, st := range s.Steps {
		node, _ := def.Node(st.NodeID)
		step := ContextStep{Kind: st.Kind, Text: node.Text, Note: st.Note, At: st.CreatedAt}
		switch st.Kind {
		case StepAnswer:
			step.Answer = "Done"
			for _, o := range node.Options {
				if o.ID == st.OptionID {
					step.Answer = o.Label
				}
			}
		case StepCustom:
			step.Text = st.Text
		case StepRevert:
			step.Answer = "Went back to this step"
		}
		c.Steps = append(c.Steps, step)
	}
	return c
}

// ConversationContext describes a conversation with the assistant for the engineer who takes
// it over.
func ConversationContext(a AISession, technician, summary string, now time.Time) HandoffContext {
	c := HandoffContext{
		ProblemSummary: summary, Technician: technician, TimeSpent: now.Sub(a.CreatedAt).Round(time.Second).String(),
		TicketRef: a.TicketRef, Customer: a.Customer, Asset: a.Asset, Steps: []ContextStep{}, Transcript: a.Messages,
	}
	for i := len(a.Messages) - 1; i >= 0; i-- {
		if a.Messages[i].Role == "assistant" {
			c.Assessment = a.Messages[i].Content
			break
		}
	}
	return c
}

// The handoff state machine: pure checks of who may move a handoff where.

// Claim lets an engineer take an open handoff. The first claim wins; any later one is a
// conflict, whoever sends it.
func (h Handoff) Claim(p Principal, at time.Time) (Handoff, error) {
	if h.Status != HandoffOpen {
		return Handoff{}, Errorf(EConflict, "handoff %s is %s, not open: someone else got there first", h.ID, h.Status)
	}
	h.Status, h.ClaimedBy, h.ClaimedAt, h.UpdatedAt = HandoffClaimed, &p.UserID, &at, at
	return h, nil
}

// Resolve closes a claimed handoff; only its claimer or an admin may.
func (h Handoff) Resolve(p Principal, note string, at time.Time) (Handoff, error) {
	if h.Status != HandoffClaimed {
		return Handoff{}, Errorf(EConflict, "handoff %s is %s: only a claimed handoff can be resolved", h.ID, h.Status)
	}
	if (h.ClaimedBy == nil || *h.ClaimedBy != p.UserID) && p.Role != RoleAdmin {
		return Handoff{}, Errorf(EForbidden, "handoff %s is claimed by someone else: only they or an admin can resolve it", h.ID)
	}
	h.Status, h.ResolvedAt, h.ResolutionNote, h.UpdatedAt = HandoffResolved, &at, note, at
	return h, nil
}

// Release returns a claimed handoff to the queue, open again; only its claimer or an admin may.
func (h Handoff) Release(p Principal, at time.Time) (Handoff, error) {
	if h.Status != HandoffClaimed {
		return Handoff{}, Errorf(EConflict, "handoff %s is %s: only a claimed handoff can be released", h.ID, h.Status)
	}
	if (h.ClaimedBy == nil || *h.ClaimedBy != p.UserID) && p.Role != RoleAdmin {
		return Handoff{}, Errorf(EForbidden, "handoff %s is claimed by someone else: only they or an admin can release it", h.ID)
	}
	h.Status, h.ClaimedBy, h.ClaimedAt, h.UpdatedAt = HandoffOpen, nil, nil, at
	return h, nil
}

// Cancel withdraws a handoff: an open one by its creator (the technician withdrawing it) or an
// admin, a claimed one by its claimer or an admin.
func (h Handoff) Cancel(p Principal, reason string, at time.Time) (Handoff, error) {
	switch {
	case h.Status != HandoffOpen && h.Status != HandoffClaimed:
		return Handoff{}, Errorf(EConflict, "handoff %s is %s: only an open or claimed handoff can be cancelled", h.ID, h.Status)
	case p.Role == RoleAdmin:
	case h.Status == HandoffOpen && h.CreatedBy != p.UserID:
		return Handoff{}, Errorf(EForbidden, "only the creator of handoff %s or an admin can cancel it while it is open", h.ID)
	case h.Status == HandoffClaimed && (h.ClaimedBy == nil || *h.ClaimedBy != p.UserID):
		return Handoff{}, Errorf(EForbidden, "handoff %s is claimed by someone else: only they or an admin can cancel it", h.ID)
	}
	h.Status, h.CancelReason, h.UpdatedAt = HandoffCancelled, reason, at
	return h, nil
}
