package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/apitest"
)

// An author saves a draft with an option that points nowhere: the draft is kept, and it says
// which node stops it from being published, as the publish itself then does.
func TestDraftsSayWhatStopsThemFromBeingPublished(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Drafts")
	w := printerTree("Half-written", oapi.TreeWriteStatusDraft)
	(*w.Definition.Nodes[0].Options)[1].Next = "removed-node"

	created, etag := createTree(t, admin, w)
	nodeOf := func(ps *[]oapi.ProblemError) []string {
		var out []string
		for _, p := range deref(ps) {
			out = append(out, deref(p.NodeId))
		}
		return out
	}
	t.Run("saving the draft succeeds and names the node", func(t *testing.T) {
		if got := nodeOf(created.Problems); !slices.Contains(got, "power") {
			t.Errorf("problems name %v, want the power node", got)
		}
	})
	t.Run("reading the draft says the same", func(t *testing.T) {
		r, _ := admin.Client.GetTreeWithResponse(ctx, created.Id)
		if got := nodeOf(r.JSON200.Problems); !slices.Contains(got, "power") {
			t.Errorf("problems name %v", got)
		}
	})
	t.Run("publishing it is refused with the same problem", func(t *testing.T) {
		w.Status = oapi.TreeWriteStatusPublished
		r, _ := admin.Client.UpdateTreeWithResponse(ctx, created.Id, &oapi.UpdateTreeParams{IfMatch: &etag}, w)
		if r.StatusCode() != http.StatusUnprocessableEntity || !slices.Contains(nodeOf(r.ApplicationproblemJSON422.Errors), "power") {
			t.Fatalf("publish: %d %s", r.StatusCode(), r.Body)
		}
	})
	t.Run("fixed and published, it has no problems to report", func(t *testing.T) {
		fixed := printerTree("Half-written", oapi.TreeWriteStatusPublished)
		r, _ := admin.Client.UpdateTreeWithResponse(ctx, created.Id, &oapi.UpdateTreeParams{IfMatch: &etag}, fixed)
		if r.StatusCode() != http.StatusOK || r.JSON200.Problems != nil {
			t.Fatalf("publish the fix: %d %s", r.StatusCode(), r.Body)
		}
		got, _ := admin.Client.GetTreeWithResponse(ctx, created.Id)
		if got.JSON200.Problems != nil {
			t.Errorf("a published tree reports problems: %+v", *got.JSON200.Problems)
		}
	})
}

func TestVersionHistorySaysWhoChangedWhat(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("History")
	eng := s.AddUser(admin, oapi.Engineer)
	created, etag := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))

	next := printerTree("Printer offline", oapi.TreeWriteStatusPublished)
	next.Definition.Nodes[1].Text = "Plug the printer in, switch it on and wait for the ready light"
	next.Definition.Nodes = append(next.Definition.Nodes, oapi.TreeNode{Id: "test_page", Type: oapi.Solution, Text: "Print a test page"})
	(*next.Definition.Nodes[0].Options)[0].Next = "test_page"
	next.Definition.Nodes = slices.DeleteFunc(next.Definition.Nodes, func(n oapi.TreeNode) bool { return n.Id == "spool" || n.Id == "escalate" })
	if r, _ := eng.Client.UpdateTreeWithResponse(ctx, created.Id, &oapi.UpdateTreeParams{IfMatch: &etag}, next); r.StatusCode() != http.StatusOK {
		t.Fatalf("edit: %d %s", r.StatusCode(), r.Body)
	}
	r, _ := admin.Client.ListTreeVersionsWithResponse(ctx, created.Id)
	v2, v1 := r.JSON200.Items[0], r.JSON200.Items[1]
	if deref(v2.CreatedByName) != "Test engineer" || deref(v1.CreatedByName) != "Ada Admin" {
		t.Errorf("authors: %q, %q", deref(v2.CreatedByName), deref(v1.CreatedByName))
	}
	if v1.Changes != nil {
		t.Errorf("version 1 changed nothing before it: %+v", *v1.Changes)
	}
	c := v2.Changes
	if c == nil || !slices.Equal(c.Added, []string{"test_page"}) || !slices.Equal(c.Removed, []string{"spool", "escalate"}) || !slices.Equal(c.Changed, []string{"power", "plugged"}) || c.RootChanged {
		t.Errorf("version 2 changes: %+v", c)
	}
}

func TestAnalyticsOverTime(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Over time")
	tech := s.AddUser(admin, oapi.Viewer)
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))
	escalated(t, tech, tree.Id, "", oapi.EscalationRequest{Summary: "today's"})
	old := startSession(t, tech, tree.Id)
	if _, err := s.DB.Pool.Exec(ctx, "UPDATE sessions SET started_at = now() - interval '3 days' WHERE id = $1", old.Id); err != nil {
		t.Fatal(err)
	}

	get := func(params *oapi.GetTreeAnalyticsParams) *oapi.GetTreeAnalyticsResponse {
		r, err := admin.Client.GetTreeAnalyticsWithResponse(ctx, tree.Id, params)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	t.Run("each day says what became of the sessions started on it", func(t *testing.T) {
		all := get(&oapi.GetTreeAnalyticsParams{}).JSON200.Versions[0]
		if all.Started != 2 || len(all.Daily) != 2 {
			t.Fatalf("all time: started %d, days %+v", all.Started, all.Daily)
		}
		today := all.Daily[1]
		if today.Day.Format("2006-01-02") != time.Now().UTC().Format("2006-01-02") || today.Started != 1 || today.Escalated != 1 {
			t.Errorf("today = %+v", today)
		}
	})
	t.Run("a range keeps only the sessions started in it", func(t *testing.T) {
		from := time.Now().Add(-24 * time.Hour)
		recent := get(&oapi.GetTreeAnalyticsParams{From: &from}).JSON200.Versions[0]
		if recent.Started != 1 || len(recent.Daily) != 1 || recent.Escalated != 1 {
			t.Errorf("the last day: %+v", recent)
		}
	})
	t.Run("an empty range is refused", func(t *testing.T) {
		from, to := time.Now(), time.Now().Add(-time.Hour)
		if r := get(&oapi.GetTreeAnalyticsParams{From: &from, To: &to}); r.StatusCode() != http.StatusUnprocessableEntity {
			t.Errorf("from after to: %d", r.StatusCode())
		}
	})
}
