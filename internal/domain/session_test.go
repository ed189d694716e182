package domain

import (
	"errors"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// walk applies answers to a fresh session on small() and returns it, failing on any error.
func walk(t *testing.T, answers ...[2]string) Session {
	t.Helper()
	s := Session{Status: SessionInProgress, CurrentNode: "q"}
	for i, a := range answers {
		st, err := Answer(small(), s, a[0], a[1], "", t0.Add(time.Duration(i+1)*time.Minute))
		if err != nil {
			t.Fatalf("answer %v: %v", a, err)
		}
		s = apply(s, st)
	}
	return s
}

func apply(s Session, st Step) Session {
	s.Steps = append(s.Steps, st)
	s.CurrentNode = st.ToNodeID
	return s
}

func code(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "?"
}

func TestAnswer(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name             string
		session          Session
		node, option     string
		want             Code
		wantNext, wantOp string
	}{
		{"question with an option", walk(t), "q", "yes", "", "restart", "yes"},
		{"question without an option", walk(t), "q", "", EInvalid, "", ""},
		{"question with an unknown option", walk(t), "q", "maybe", EInvalid, "", ""},
		{"stale node (another tab moved on)", walk(t, [2]string{"q", "yes"}), "q", "yes", EConflict, "", ""},
		{"action", walk(t, [2]string{"q", "yes"}), "restart", "", "", "esc", ""},
		{"action with an option", walk(t, [2]string{"q", "yes"}), "restart", "yes", EInvalid, "", ""},
		{"terminal node", walk(t, [2]string{"q", "no"}), "fixed", "", EConflict, "", ""},
		{"finished session", func() Session { s := walk(t); s.Status = SessionAbandoned; return s }(), "q", "yes", EConflict, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, err := Answer(small(), c.session, c.node, c.option, "note", t0)
			if code(err) != c.want {
				t.Fatalf("Answer = %v, want code %q", err, c.want)
			}
			if err == nil && (st.ToNodeID != c.wantNext || st.OptionID != c.wantOp || st.Kind != StepAnswer || st.Seq != int32(len(c.session.Steps))+1 || st.Note != "note") {
				t.Errorf("step = %+v", st)
			}
		})
	}
}

func TestGoBackAppendsARevert(t *testing.T) {
	t.Parallel()
	s := walk(t, [2]string{"q", "yes"}, [2]string{"restart", ""})
	if s.CurrentNode != "esc" {
		t.Fatalf("at %q", s.CurrentNode)
	}
	st, err := GoBack(s, t0)
	if err != nil || st.Kind != StepRevert || st.ToNodeID != "restart" {
		t.Fatalf("first back = %+v, %v; want a revert to restart", st, err)
	}
	s = apply(s, st)
	st, err = GoBack(s, t0)
	if err != nil || st.ToNodeID != "q" {
		t.Fatalf("second back = %+v, %v; want a revert to q", st, err)
	}
	s = apply(s, st)
	if _, err := GoBack(s, t0); code(err) != EConflict {
		t.Errorf("back at the root = %v, want EConflict", err)
	}
	if len(s.Steps) != 4 || s.Steps[0].Kind != StepAnswer {
		t.Errorf("history was rewritten: %+v", s.Steps)
	}
	// A new answer after going back takes another branch.
	st, err = Answer(small(), s, "q", "no", "", t0)
	if err != nil || st.ToNodeID != "fixed" {
		t.Errorf("answer after back = %+v, %v", st, err)
	}
}

func TestCustomStepsDoNotMove(t *testing.T) {
	t.Parallel()
	s := walk(t, [2]string{"q", "yes"})
	st, err := AddCustom(s, "Reseated the cable", "", t0)
	if err != nil || st.Kind != StepCustom || st.NodeID != "restart" || st.ToNodeID != "restart" {
		t.Fatalf("custom = %+v, %v", st, err)
	}
	s = apply(s, st)
	if p := s.Path(); len(p) != 1 || p[0] != "q" {
		t.Errorf("a custom step changed the path: %v", p)
	}
	back, _ := GoBack(s, t0)
	if back.ToNodeID != "q" {
		t.Errorf("back after a custom step goes to %q, want q", back.ToNodeID)
	}
}

func TestComplete(t *testing.T) {
	t.Parallel()
	atSolution := walk(t, [2]string{"q", "no"})
	atAction := walk(t, [2]string{"q", "yes"})
	atEscalation := walk(t, [2]string{"q", "yes"}, [2]string{"restart", ""})
	done := atSolution
	done.Status = SessionResolved
	cases := []struct {
		name    string
		session Session
		outcome SessionStatus
		want    Code
	}{
		{"resolved at a solution", atSolution, SessionResolved, ""},
		{"resolved elsewhere", atAction, SessionResolved, EConflict},
		{"escalated anywhere", atAction, SessionEscalated, ""},
		{"abandoned anywhere", atAction, SessionAbandoned, ""},
		{"in_progress is no outcome", atAction, SessionInProgress, EInvalid},
		{"twice", done, SessionResolved, EConflict},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := Complete(small(), c.session, c.outcome); code(err) != c.want {
				t.Errorf("Complete = %v, want code %q", err, c.want)
			}
		})
	}
	if !ReadyToEscalate(small(), atEscalation) || ReadyToEscalate(small(), atAction) {
		t.Error("ReadyToEscalate must hold exactly at escalation nodes")
	}
}
