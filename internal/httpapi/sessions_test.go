package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/apitest"
)

func startSession(t *testing.T, c apitest.Caller, treeID uuid.UUID) oapi.Session {
	t.Helper()
	r, err := c.Client.StartSessionWithResponse(context.Background(), oapi.SessionStart{
		TreeId: treeID, TicketRef: ptr("T-1001"), Customer: ptr("Contoso"), Asset: ptr("PRN-01"),
	})
	if err != nil || r.StatusCode() != http.StatusCreated {
		t.Fatalf("start session: %v %d %s", err, r.StatusCode(), r.Body)
	}
	return *r.JSON201
}

func answer(t *testing.T, c apitest.Caller, id uuid.UUID, node, option string, want int) *oapi.Session {
	t.Helper()
	body := oapi.SessionAnswer{NodeId: node}
	if option != "" {
		body.OptionId = &option
	}
	r, err := c.Client.AnswerSessionWithResponse(context.Background(), id, body)
	if err != nil || r.StatusCode() != want {
		t.Fatalf("answer %s/%s = %v %d %s, want %d", node, option, err, r.StatusCode(), r.Body, want)
	}
	return r.JSON200
}

func TestGuidedSessionEndToEnd(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Sessions")
	tech := s.AddUser(admin, oapi.Viewer)
	tree, etag := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))

	sess := startSession(t, tech, tree.Id)
	if sess.CurrentNode.Id != "power" || sess.TreeVersion != 1 || sess.Status != oapi.SessionStatusInProgress || sess.TicketRef != "T-1001" {
		t.Fatalf("started %+v", sess)
	}
	// The tree changes under the session: the session keeps its pinned version.
	edit := printerTree("Printer offline", oapi.TreeWriteStatusPublished)
	edit.Definition.Nodes[0].Options = &[]oapi.NodeOption{{Id: "on", Label: "Yes", Next: "plugged"}, {Id: "off", Label: "No", Next: "spool"}}
	if r, _ := admin.Client.UpdateTreeWithResponse(ctx, tree.Id, &oapi.UpdateTreeParams{IfMatch: &etag}, edit); r.StatusCode() != http.StatusOK {
		t.Fatalf("edit tree: %d", r.StatusCode())
	}

	after := answer(t, tech, sess.Id, "power", "on", http.StatusOK)
	if after.CurrentNode.Id != "spool" || len(after.Steps) != 1 {
		t.Fatalf("after answering: at %q with %d steps; the pinned version leads to spool", after.CurrentNode.Id, len(after.Steps))
	}
	answer(t, tech, sess.Id, "power", "on", http.StatusConflict) // a second tab, one step behind
	answer(t, tech, sess.Id, "spool", "on", http.StatusUnprocessableEntity)

	custom, err := tech.Client.AddCustomStepWithResponse(ctx, sess.Id, oapi.CustomStep{Text: "Cleared the queue by hand", Note: ptr("14 jobs")})
	if err != nil || custom.StatusCode() != http.StatusOK || custom.JSON200.CurrentNode.Id != "spool" {
		t.Fatalf("custom step: %v %d", err, custom.StatusCode())
	}
	esc := answer(t, tech, sess.Id, "spool", "", http.StatusOK)
	if !esc.ReadyToEscalate || esc.CurrentNode.Type != oapi.Escalation {
		t.Errorf("at the escalation node ready_to_escalate = %v", esc.ReadyToEscalate)
	}
	if r, _ := tech.Client.CompleteSessionWithResponse(ctx, sess.Id, oapi.SessionComplete{Outcome: oapi.SessionOutcomeResolved}); r.StatusCode() != http.StatusConflict {
		t.Errorf("resolving at an escalation node = %d, want 409", r.StatusCode())
	}

	back, _ := tech.Client.GoBackSessionWithResponse(ctx, sess.Id)
	if back.StatusCode() != http.StatusOK || back.JSON200.CurrentNode.Id != "spool" {
		t.Fatalf("back: %d", back.StatusCode())
	}
	back, _ = tech.Client.GoBackSessionWithResponse(ctx, sess.Id)
	if back.JSON200.CurrentNode.Id != "power" {
		t.Fatalf("second back at %q, want power", back.JSON200.CurrentNode.Id)
	}
	done := answer(t, tech, sess.Id, "power", "off", http.StatusOK)
	if done.CurrentNode.Id != "plugged" || len(done.Steps) != 6 {
		t.Fatalf("at %q with %d steps, want plugged with 6 (history is appended, never rewritten)", done.CurrentNode.Id, len(done.Steps))
	}
	kinds := []oapi.StepKind{}
	for _, st := range done.Steps {
		kinds = append(kinds, st.Kind)
	}
	if want := "answer custom answer revert revert answer"; strings.Join(asStrings(kinds), " ") != want {
		t.Errorf("steps %v, want %s", kinds, want)
	}

	upd, _ := tech.Client.UpdateSessionWithResponse(ctx, sess.Id, oapi.SessionUpdate{Notes: ptr("Printer was unplugged by the cleaner")})
	if upd.StatusCode() != http.StatusOK || upd.JSON200.Notes != "Printer was unplugged by the cleaner" || upd.JSON200.TicketRef != "T-1001" {
		t.Errorf("update details: %d", upd.StatusCode())
	}
	complete, _ := tech.Client.CompleteSessionWithResponse(ctx, sess.Id, oapi.SessionComplete{Outcome: oapi.SessionOutcomeResolved, ResolutionNote: ptr("Plugged back in")})
	if complete.StatusCode() != http.StatusOK || complete.JSON200.Status != oapi.SessionStatusResolved || complete.JSON200.CompletedAt == nil {
		t.Fatalf("complete: %d", complete.StatusCode())
	}
	answer(t, tech, sess.Id, "plugged", "", http.StatusConflict)
	if r, _ := tech.Client.GoBackSessionWithResponse(ctx, sess.Id); r.StatusCode() != http.StatusConflict {
		t.Errorf("back on a finished session = %d, want 409", r.StatusCode())
	}

	for _, format := range []oapi.ExportFormat{oapi.Markdown, oapi.Text, oapi.Html, oapi.Json} {
		r, err := tech.Client.ExportSessionWithResponse(ctx, sess.Id, oapi.SessionExportRequest{Format: format})
		if err != nil || r.StatusCode() != http.StatusOK {
			t.Fatalf("export %s: %v %d", format, err, r.StatusCode())
		}
		for _, want := range []string{"Printer offline", "T-1001", "Cleared the queue by hand", "Plugged back in", "Test viewer"} {
			if !strings.Contains(r.JSON200.Content, want) {
				t.Errorf("%s export lacks %q:\n%s", format, want, r.JSON200.Content)
			}
		}
	}
}

func asStrings(kinds []oapi.StepKind) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}

func TestSessionsBelongToTheirTechnician(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Ownership")
	alice := s.AddUser(admin, oapi.Viewer)
	bob := s.AddUser(admin, oapi.Viewer)
	eng := s.AddUser(admin, oapi.Engineer)
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))
	draft, _ := createTree(t, admin, printerTree("Draft", oapi.TreeWriteStatusDraft))
	mine := startSession(t, alice, tree.Id)
	startSession(t, bob, tree.Id)

	if r, _ := bob.Client.GetSessionWithResponse(ctx, mine.Id); r.StatusCode() != http.StatusNotFound {
		t.Errorf("bob reads alice's session: %d, want 404", r.StatusCode())
	}
	answer(t, bob, mine.Id, "power", "on", http.StatusNotFound)
	own, _ := bob.Client.ListSessionsWithResponse(ctx, &oapi.ListSessionsParams{UserId: &alice.UserID})
	if own.JSON200.Total != 1 || own.JSON200.Items[0].UserId != bob.UserID {
		t.Errorf("a viewer filtering on another user sees %+v, want only their own", own.JSON200.Items)
	}
	all, _ := eng.Client.ListSessionsWithResponse(ctx, &oapi.ListSessionsParams{})
	filtered, _ := eng.Client.ListSessionsWithResponse(ctx, &oapi.ListSessionsParams{UserId: &alice.UserID, TreeId: &tree.Id, Status: ptr(oapi.SessionStatusInProgress)})
	if all.JSON200.Total != 2 || filtered.JSON200.Total != 1 || filtered.JSON200.Items[0].Id != mine.Id {
		t.Errorf("engineer lists %d sessions, %d filtered", all.JSON200.Total, filtered.JSON200.Total)
	}
	if r, _ := eng.Client.GetSessionWithResponse(ctx, mine.Id); r.StatusCode() != http.StatusOK {
		t.Errorf("engineer reads a technician's session: %d", r.StatusCode())
	}
	answer(t, eng, mine.Id, "power", "on", http.StatusForbidden)
	if r, _ := eng.Client.CompleteSessionWithResponse(ctx, mine.Id, oapi.SessionComplete{Outcome: oapi.SessionOutcomeAbandoned}); r.StatusCode() != http.StatusForbidden {
		t.Errorf("engineer completes a technician's session: %d, want 403", r.StatusCode())
	}
	if r, _ := eng.Client.ExportSessionWithResponse(ctx, mine.Id, oapi.SessionExportRequest{Format: oapi.Markdown}); r.StatusCode() != http.StatusOK {
		t.Errorf("engineer exports a technician's session: %d, want 200", r.StatusCode())
	}
	if r, _ := eng.Client.StartSessionWithResponse(ctx, oapi.SessionStart{TreeId: draft.Id}); r.StatusCode() != http.StatusConflict {
		t.Errorf("a session on a draft = %d, want 409", r.StatusCode())
	}
	if r, _ := alice.Client.StartSessionWithResponse(ctx, oapi.SessionStart{TreeId: draft.Id}); r.StatusCode() != http.StatusNotFound {
		t.Errorf("a viewer starting on a draft they cannot see = %d, want 404", r.StatusCode())
	}
}

func TestSessionsOfAnotherAccountAreNotFound(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	a := s.Register("Account A")
	b := s.Register("Account B")
	tree, _ := createTree(t, b, printerTree("B's tree", oapi.TreeWriteStatusPublished))
	sess := startSession(t, b, tree.Id)

	statuses := map[string]int{}
	g, _ := a.Client.GetSessionWithResponse(ctx, sess.Id)
	statuses["get"] = g.StatusCode()
	u, _ := a.Client.UpdateSessionWithResponse(ctx, sess.Id, oapi.SessionUpdate{Notes: ptr("x")})
	statuses["update"] = u.StatusCode()
	an, _ := a.Client.AnswerSessionWithResponse(ctx, sess.Id, oapi.SessionAnswer{NodeId: "power", OptionId: ptr("on")})
	statuses["answer"] = an.StatusCode()
	bk, _ := a.Client.GoBackSessionWithResponse(ctx, sess.Id)
	statuses["back"] = bk.StatusCode()
	cs, _ := a.Client.AddCustomStepWithResponse(ctx, sess.Id, oapi.CustomStep{Text: "x"})
	statuses["custom"] = cs.StatusCode()
	co, _ := a.Client.CompleteSessionWithResponse(ctx, sess.Id, oapi.SessionComplete{Outcome: oapi.SessionOutcomeAbandoned})
	statuses["complete"] = co.StatusCode()
	ex, _ := a.Client.ExportSessionWithResponse(ctx, sess.Id, oapi.SessionExportRequest{Format: oapi.Markdown})
	statuses["export"] = ex.StatusCode()
	for op, status := range statuses {
		if status != http.StatusNotFound {
			t.Errorf("%s on another account's session = %d, want 404", op, status)
		}
	}
	if l, _ := a.Client.ListSessionsWithResponse(ctx, &oapi.ListSessionsParams{}); l.JSON200.Total != 0 {
		t.Errorf("account A lists %d sessions", l.JSON200.Total)
	}
	if r, _ := b.Client.GetSessionWithResponse(ctx, sess.Id); r.JSON200.Status != oapi.SessionStatusInProgress || len(r.JSON200.Steps) != 0 || r.JSON200.Notes != "" {
		t.Errorf("account B's session was changed: %+v", r.JSON200)
	}
}

// Twenty tabs answer the same node at once: the row lock lets exactly one advance.
func TestConcurrentAnswersAdvanceOnce(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	admin := s.Register("Race")
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))
	sess := startSession(t, admin, tree.Id)
	statuses := parallelStatuses(t, 20, func() (int, error) {
		r, err := admin.Client.AnswerSessionWithResponse(context.Background(), sess.Id, oapi.SessionAnswer{NodeId: "power", OptionId: ptr("on")})
		if err != nil {
			return 0, err
		}
		return r.StatusCode(), nil
	})
	if statuses[http.StatusOK] != 1 || statuses[http.StatusConflict] != 19 {
		t.Errorf("statuses %v, want one 200 and nineteen 409", statuses)
	}
	got, _ := admin.Client.GetSessionWithResponse(context.Background(), sess.Id)
	if len(got.JSON200.Steps) != 1 {
		t.Errorf("%d steps recorded, want 1", len(got.JSON200.Steps))
	}
}

func TestAnalyticsFromRecordedSteps(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Analytics")
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))

	resolved := startSession(t, admin, tree.Id)
	answer(t, admin, resolved.Id, "power", "off", http.StatusOK)
	wantStatus(t, http.StatusOK)(admin.Client.CompleteSessionWithResponse(ctx, resolved.Id, oapi.SessionComplete{Outcome: oapi.SessionOutcomeResolved}))
	abandoned := startSession(t, admin, tree.Id)
	answer(t, admin, abandoned.Id, "power", "on", http.StatusOK)
	wantStatus(t, http.StatusOK)(admin.Client.CompleteSessionWithResponse(ctx, abandoned.Id, oapi.SessionComplete{Outcome: oapi.SessionOutcomeAbandoned}))
	startSession(t, admin, tree.Id) // still at the root

	r, err := admin.Client.GetTreeAnalyticsWithResponse(ctx, tree.Id, &oapi.GetTreeAnalyticsParams{})
	if err != nil || r.StatusCode() != http.StatusOK || len(r.JSON200.Versions) != 1 {
		t.Fatalf("analytics: %v %d %s", err, r.StatusCode(), r.Body)
	}
	v := r.JSON200.Versions[0]
	if v.Started != 3 || v.Resolved != 1 || v.Abandoned != 1 || v.InProgress != 1 || v.Escalated != 0 || v.ResolutionRate != 0.5 {
		t.Errorf("outcomes = %+v", v)
	}
	exits := map[string]int64{}
	for _, e := range v.ExitNodes {
		exits[e.NodeId] = e.Count
	}
	if exits["spool"] != 1 || exits["power"] != 1 || len(exits) != 2 {
		t.Errorf("exit nodes = %v, want spool (abandoned) and power (in progress)", exits)
	}
	visits := map[string]int64{}
	for _, n := range v.Nodes {
		visits[n.NodeId] = n.Visits
		if n.MedianSeconds < 0 {
			t.Errorf("negative time at %s", n.NodeId)
		}
	}
	if visits["power"] != 3 || visits["plugged"] != 1 || visits["spool"] != 1 {
		t.Errorf("visits = %v, want power 3, plugged 1, spool 1", visits)
	}
}
