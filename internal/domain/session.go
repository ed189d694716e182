package domain

import (
	"time"

	"github.com/google/uuid"
)

// SessionStatus is where a guided session stands.
type SessionStatus string

const (
	SessionInProgress SessionStatus = "in_progress"
	SessionResolved   SessionStatus = "resolved"
	SessionEscalated  SessionStatus = "escalated"
	SessionAbandoned  SessionStatus = "abandoned"
)

// StepKind says what a recorded step did.
type StepKind string

const (
	StepAnswer StepKind = "answer" // answered the node NodeID and moved to ToNodeID
	StepCustom StepKind = "custom" // did something the tree does not have; no move
	StepRevert StepKind = "revert" // went back to NodeID, undoing the answer given there
)

// Step is one append-only entry of a session's history.
type Step struct {
	Seq       int32
	Kind      StepKind
	NodeID    string
	OptionID  string
	ToNodeID  string
	Text      string
	Note      string
	CreatedAt time.Time
}

// Session is one technician walking one pinned tree version.
type Session struct {
	ID             uuid.UUID
	AccountID      uuid.UUID
	TreeID         uuid.UUID
	TreeVersion    int32
	TreeTitle      string
	UserID         uuid.UUID
	Status         SessionStatus
	CurrentNode    string
	TicketRef      string
	Customer       string
	Asset          string
	Notes          string
	ResolutionNote string
	StartedAt      time.Time
	CompletedAt    *time.Time
	UpdatedAt      time.Time
	Steps          []Step
}

// The session state machine. Each transition is a pure function of the pinned definition and
// the session as loaded under lock; it returns the step to append, or an error saying why not.

func (s Session) checkOpen() error {
	if s.Status != SessionInProgress {
		return Errorf(EConflict, "the session is %s and accepts no more changes", s.Status)
	}
	return nil
}

// Answer records the answer to the current node. nodeID must be the current node (a stale tab
// gets EConflict); a question needs one of its options, an action takes none.
func Answer(def Definition, s Session, nodeID, optionID, note string, at time.Time) (Step, error) {
	if err := s.checkOpen(); err != nil {
		return Step{}, err
	}
	if nodeID != s.CurrentNode {
		return Step{}, Errorf(EConflict, "node %q is not the session's current node (%q): reload the session", nodeID, s.CurrentNode)
	}
	node, ok := def.Node(nodeID)
	if !ok {
		return Step{}, Errorf(EInternal, "current node %q is missing from version %d", nodeID, s.TreeVersion)
	}
	step := Step{Seq: s.nextSeq(), Kind: StepAnswer, NodeID: nodeID, Note: note, CreatedAt: at}
	switch node.Type {
	case NodeQuestion:
		if optionID == "" {
			return Step{}, invalidField("/option_id", "question %q needs an option_id", nodeID)
		}
		for _, o := range node.Options {
			if o.ID == optionID {
				step.OptionID, step.ToNodeID = o.ID, o.Next
				return step, nil
			}
		}
		return Step{}, invalidField("/option_id", "question %q has no option %q", nodeID, optionID)
	case NodeAction:
		if optionID != "" {
			return Step{}, invalidField("/option_id", "action %q takes no option_id", nodeID)
		}
		step.ToNodeID = node.Next
		return step, nil
	default:
		return Step{}, Errorf(EConflict, "the session is at the %s %q, which takes no answer: complete the session", node.Type, nodeID)
	}
}

// GoBack undoes the last answer that is still in effect by appending a revert step; the
// history itself is never rewritten.
func GoBack(s Session, at time.Time) (Step, error) {
	if err := s.checkOpen(); err != nil {
		return Step{}, err
	}
	path := s.Path()
	if len(path) == 0 {
		return Step{}, Errorf(EConflict, "the session is at its first node: there is nothing to go back to")
	}
	back := path[len(path)-1]
	return Step{Seq: s.nextSeq(), Kind: StepRevert, NodeID: back, ToNodeID: back, CreatedAt: at}, nil
}

// AddCustom records work the tree does not have, at the current node.
func AddCustom(s Session, text, note string, at time.Time) (Step, error) {
	if err := s.checkOpen(); err != nil {
		return Step{}, err
	}
	return Step{Seq: s.nextSeq(), Kind: StepCustom, NodeID: s.CurrentNode, ToNodeID: s.CurrentNode, Text: text, Note: note, CreatedAt: at}, nil
}

// Complete checks that the session may end with outcome: resolved only at a solution node;
// escalated and abandoned at any node.
func Complete(def Definition, s Session, outcome SessionStatus) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	switch outcome {
	case SessionResolved:
		if node, _ := def.Node(s.CurrentNode); node.Type != NodeSolution {
			return Errorf(EConflict, "a session is resolved at a solution node; it is at %q: answer on, or complete it as escalated or abandoned", s.CurrentNode)
		}
	case SessionEscalated, SessionAbandoned:
	default:
		return invalidField("/outcome", "unknown outcome %q", outcome)
	}
	return nil
}

// ReadyToEscalate reports whether the session stands at an escalation node.
func ReadyToEscalate(def Definition, s Session) bool {
	node, ok := def.Node(s.CurrentNode)
	return ok && s.Status == SessionInProgress && node.Type == NodeEscalation
}

// Path returns the nodes whose answers are in effect, oldest first: answers push, reverts pop.
func (s Session) Path() []string {
	var path []string
	for _, st := range s.Steps {
		switch st.Kind {
		case StepAnswer:
			path = append(path, st.NodeID)
		case StepRevert:
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
		}
	}
	return path
}

func (s Session) nextSeq() int32 { return int32(len(s.Steps)) + 1 }

func invalidField(pointer, format string, args ...any) *Error {
	e := Errorf(EInvalid, format, args...)
	e.Fields = []FieldError{{Pointer: pointer, Detail: e.Message}}
	return e
}
