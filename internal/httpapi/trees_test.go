package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/apitest"
)

// printerTree is a small complete tree: a question leading to a solution, or through an action
// to an escalation.
func printerTree(title string, status oapi.TreeWriteStatus) oapi.TreeWrite {
	return oapi.TreeWrite{
		Title: title, Category: "Printing", Status: status,
		Description: ptr("The printer shows offline for one user."),
		Tags:        &[]string{"printer", "Spooler"},
		Definition: oapi.TreeDefinition{Root: "power", Nodes: []oapi.TreeNode{
			{Id: "power", Type: oapi.Question, Text: "Is the printer's power light on?", Options: &[]oapi.NodeOption{
				{Id: "on", Label: "Yes", Next: "spool"},
				{Id: "off", Label: "No", Next: "plugged"},
			}},
			{Id: "plugged", Type: oapi.Solution, Text: "Plug the printer in and switch it on"},
			{Id: "spool", Type: oapi.Action, Text: "Restart the print spooler service", Next: ptr("escalate")},
			{Id: "escalate", Type: oapi.Escalation, Text: "Hand over to an engineer with the printer model"},
		}},
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func createTree(t *testing.T, c apitest.Caller, w oapi.TreeWrite) (oapi.Tree, string) {
	t.Helper()
	r, err := c.Client.CreateTreeWithResponse(context.Background(), w)
	if err != nil || r.StatusCode() != http.StatusCreated {
		t.Fatalf("create tree: %v %d %s", err, r.StatusCode(), r.Body)
	}
	return *r.JSON201, r.HTTPResponse.Header.Get("ETag")
}

func TestTreeVersionsAndOptimisticEdits(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Trees")
	eng := s.AddUser(admin, oapi.Engineer)

	tree, etag := createTree(t, eng, printerTree("Printer offline", oapi.TreeWriteStatusPublished))
	if tree.CurrentVersion != 1 || etag == "" || tree.Tags[1] != "spooler" {
		t.Fatalf("created %+v with ETag %q; want version 1, an ETag and normalised tags", tree, etag)
	}
	got, _ := eng.Client.GetTreeWithResponse(ctx, tree.Id)
	if got.HTTPResponse.Header.Get("ETag") != etag || len(got.JSON200.Definition.Nodes) != 4 {
		t.Fatalf("read back: ETag %q, %d nodes", got.HTTPResponse.Header.Get("ETag"), len(got.JSON200.Definition.Nodes))
	}

	edit := printerTree("Printer offline", oapi.TreeWriteStatusPublished)
	edit.Definition.Nodes[1].Text = "Plug it in, switch it on, print a test page"
	missing, _ := eng.Client.UpdateTreeWithResponse(ctx, tree.Id, &oapi.UpdateTreeParams{}, edit)
	if missing.StatusCode() != http.StatusPreconditionRequired {
		t.Errorf("PUT without If-Match = %d, want 428", missing.StatusCode())
	}
	updated, err := eng.Client.UpdateTreeWithResponse(ctx, tree.Id, &oapi.UpdateTreeParams{IfMatch: &etag}, edit)
	if err != nil || updated.StatusCode() != http.StatusOK || updated.JSON200.CurrentVersion != 2 {
		t.Fatalf("PUT with If-Match: %v %d %s", err, updated.StatusCode(), updated.Body)
	}
	stale, _ := eng.Client.UpdateTreeWithResponse(ctx, tree.Id, &oapi.UpdateTreeParams{IfMatch: &etag}, edit)
	if stale.StatusCode() != http.StatusPreconditionFailed {
		t.Errorf("PUT with the old ETag = %d, want 412", stale.StatusCode())
	}
	weak := "W/" + updated.HTTPResponse.Header.Get("ETag")
	if r, _ := eng.Client.UpdateTreeWithResponse(ctx, tree.Id, &oapi.UpdateTreeParams{IfMatch: &weak}, edit); r.StatusCode() != http.StatusPreconditionFailed {
		t.Errorf("PUT with a weak ETag = %d, want 412 (If-Match compares strongly)", r.StatusCode())
	}

	newTag := updated.HTTPResponse.Header.Get("ETag")
	retitled := edit
	retitled.Title = "Printer shows offline"
	r, _ := eng.Client.UpdateTreeWithResponse(ctx, tree.Id, &oapi.UpdateTreeParams{IfMatch: &newTag}, retitled)
	if r.StatusCode() != http.StatusOK || r.JSON200.CurrentVersion != 2 || r.HTTPResponse.Header.Get("ETag") == newTag {
		t.Errorf("a title-only edit: %d, version %d; want 200, still version 2, a new ETag", r.StatusCode(), r.JSON200.CurrentVersion)
	}

	versions, _ := eng.Client.ListTreeVersionsWithResponse(ctx, tree.Id)
	if len(versions.JSON200.Items) != 2 || versions.JSON200.Items[0].Version != 2 {
		t.Errorf("versions = %+v, want 2 then 1", versions.JSON200.Items)
	}
	v1, _ := eng.Client.GetTreeVersionWithResponse(ctx, tree.Id, 1)
	if v1.StatusCode() != http.StatusOK || v1.JSON200.Definition.Nodes[1].Text != "Plug the printer in and switch it on" {
		t.Errorf("version 1 is not the original definition: %d", v1.StatusCode())
	}
	if r, _ := eng.Client.GetTreeVersionWithResponse(ctx, tree.Id, 3); r.StatusCode() != http.StatusNotFound {
		t.Errorf("version 3 = %d, want 404", r.StatusCode())
	}
}

func TestTreeDefinitionProblemsNameTheirNodes(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	admin := s.Register("Validation")
	bad := printerTree("Broken", oapi.TreeWriteStatusPublished)
	bad.Definition.Nodes[2].Next = ptr("nowhere")
	bad.Definition.Nodes = append(bad.Definition.Nodes, oapi.TreeNode{Id: "island", Type: oapi.Solution, Text: "Unreachable"})
	r, err := admin.Client.CreateTreeWithResponse(context.Background(), bad)
	if err != nil || r.StatusCode() != http.StatusUnprocessableEntity {
		t.Fatalf("create broken tree: %v %d", err, r.StatusCode())
	}
	nodes := map[string]bool{}
	for _, e := range *r.ApplicationproblemJSON422.Errors {
		if e.NodeId != nil {
			nodes[*e.NodeId] = true
		}
	}
	if !nodes["spool"] {
		t.Errorf("the dangling reference of node spool is not named: %+v", *r.ApplicationproblemJSON422.Errors)
	}
	// The same definition is fine as a draft, which may be incomplete.
	bad.Status = oapi.TreeWriteStatusDraft
	if r, _ := admin.Client.CreateTreeWithResponse(context.Background(), bad); r.StatusCode() != http.StatusCreated {
		t.Errorf("incomplete draft = %d, want 201", r.StatusCode())
	}
}

func TestViewersSeePublishedTreesOnly(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Visibility")
	viewer := s.AddUser(admin, oapi.Viewer)
	published, _ := createTree(t, admin, printerTree("Published one", oapi.TreeWriteStatusPublished))
	draft, _ := createTree(t, admin, printerTree("Draft one", oapi.TreeWriteStatusDraft))

	list, _ := viewer.Client.ListTreesWithResponse(ctx, &oapi.ListTreesParams{})
	if list.JSON200.Total != 1 || list.JSON200.Items[0].Id != published.Id {
		t.Errorf("viewer lists %+v, want only the published tree", list.JSON200.Items)
	}
	if r, _ := viewer.Client.GetTreeWithResponse(ctx, draft.Id); r.StatusCode() != http.StatusNotFound {
		t.Errorf("viewer reads a draft: %d, want 404", r.StatusCode())
	}
	if r, _ := viewer.Client.ListTreeVersionsWithResponse(ctx, draft.Id); r.StatusCode() != http.StatusNotFound {
		t.Errorf("viewer lists a draft's versions: %d, want 404", r.StatusCode())
	}
	forbidden := map[string]int{}
	c, _ := viewer.Client.CreateTreeWithResponse(ctx, printerTree("Mine", oapi.TreeWriteStatusPublished))
	forbidden["create"] = c.StatusCode()
	a, _ := viewer.Client.GetTreeAnalyticsWithResponse(ctx, published.Id, &oapi.GetTreeAnalyticsParams{})
	forbidden["analytics"] = a.StatusCode()
	d, _ := viewer.Client.DeleteTreeWithResponse(ctx, published.Id)
	forbidden["delete"] = d.StatusCode()
	eng := s.AddUser(admin, oapi.Engineer)
	e, _ := eng.Client.DeleteTreeWithResponse(ctx, published.Id)
	forbidden["engineer delete"] = e.StatusCode()
	for op, status := range forbidden {
		if status != http.StatusForbidden {
			t.Errorf("%s = %d, want 403", op, status)
		}
	}
	all, _ := eng.Client.ListTreesWithResponse(ctx, &oapi.ListTreesParams{})
	if all.JSON200.Total != 2 {
		t.Errorf("engineer lists %d trees, want 2", all.JSON200.Total)
	}
}

func TestTreeListingFiltersCategoriesAndArchive(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Listing")
	createTree(t, admin, printerTree("Printer A", oapi.TreeWriteStatusPublished))
	b, _ := createTree(t, admin, printerTree("Printer B", oapi.TreeWriteStatusPublished))
	vpn := printerTree("VPN drops", oapi.TreeWriteStatusPublished)
	vpn.Category, vpn.Tags = "Remote access", &[]string{"vpn"}
	createTree(t, admin, vpn)

	byCat, _ := admin.Client.ListTreesWithResponse(ctx, &oapi.ListTreesParams{Category: ptr("Printing")})
	byTag, _ := admin.Client.ListTreesWithResponse(ctx, &oapi.ListTreesParams{Tag: ptr("VPN")})
	paged, _ := admin.Client.ListTreesWithResponse(ctx, &oapi.ListTreesParams{Limit: ptr[int32](2)})
	if byCat.JSON200.Total != 2 || byTag.JSON200.Total != 1 || paged.JSON200.Total != 3 || len(paged.JSON200.Items) != 2 {
		t.Errorf("category %d, tag %d, paged %d/%d", byCat.JSON200.Total, byTag.JSON200.Total, len(paged.JSON200.Items), paged.JSON200.Total)
	}
	cats, _ := admin.Client.ListTreeCategoriesWithResponse(ctx)
	if len(cats.JSON200.Items) != 2 || cats.JSON200.Items[0].Category != "Printing" || cats.JSON200.Items[0].Count != 2 {
		t.Errorf("categories = %+v", cats.JSON200.Items)
	}

	archiving := printerTree("Printer B", oapi.TreeWriteStatusPublished)
	archiving.Status = "archived"
	p := decodeProblem(t, do(t, s, http.MethodPut, "/api/v1/trees/"+b.Id.String(), admin.AccessToken, "application/json", mustJSON(t, archiving)), http.StatusUnprocessableEntity)
	if !hasPointer(p, "/status") {
		t.Errorf("PUT status archived: %+v (archiving is DELETE's, for admins)", p.Errors)
	}
	if r, _ := admin.Client.DeleteTreeWithResponse(ctx, b.Id); r.StatusCode() != http.StatusNoContent {
		t.Fatalf("archive = %d", r.StatusCode())
	}
	after, _ := admin.Client.ListTreesWithResponse(ctx, &oapi.ListTreesParams{Category: ptr("Printing")})
	archived, _ := admin.Client.ListTreesWithResponse(ctx, &oapi.ListTreesParams{Status: ptr(oapi.TreeStatusArchived)})
	if after.JSON200.Total != 1 || archived.JSON200.Total != 1 || archived.JSON200.Items[0].Id != b.Id {
		t.Errorf("after archiving: printing %d, archived %d", after.JSON200.Total, archived.JSON200.Total)
	}
	if r, _ := admin.Client.GetTreeWithResponse(ctx, b.Id); r.StatusCode() != http.StatusOK || r.JSON200.Status != oapi.TreeStatusArchived {
		t.Errorf("an archived tree stays readable to its authors: %d", r.StatusCode())
	}
}

func TestTreeSearch(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Search")
	viewer := s.AddUser(admin, oapi.Viewer)
	vpn := printerTree("VPN disconnects every ten minutes", oapi.TreeWriteStatusPublished)
	vpn.Category, vpn.Tags = "Remote access", &[]string{"vpn", "forticlient"}
	vpn.Definition.Nodes[2].Text = "Check the <b>FortiClient</b> keepalive interval"
	createTree(t, admin, vpn)
	createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))
	draft := printerTree("VPN draft", oapi.TreeWriteStatusDraft)
	createTree(t, admin, draft)

	search := func(c apitest.Caller, q string) []oapi.TreeSearchHit {
		r, err := c.Client.SearchTreesWithResponse(ctx, &oapi.SearchTreesParams{Q: q})
		if err != nil || r.StatusCode() != http.StatusOK {
			t.Fatalf("search %q: %v %d", q, err, r.StatusCode())
		}
		return r.JSON200.Items
	}
	if hits := search(admin, "vpn disconn"); len(hits) != 1 || hits[0].Tree.Title != "VPN disconnects every ten minutes" {
		t.Errorf("prefix search found %+v", hits)
	}
	hits := search(admin, "keepalive")
	if len(hits) != 1 || !strings.Contains(hits[0].Snippet, "<mark>keepalive</mark>") || strings.Contains(hits[0].Snippet, "<b>") {
		t.Errorf("node text search: %+v (want a highlighted, escaped snippet)", hits)
	}
	if hits := search(admin, "vpn"); len(hits) != 2 {
		t.Errorf("engineer+ search finds %d vpn trees, want 2 (the draft included)", len(hits))
	}
	if hits := search(viewer, "vpn"); len(hits) != 1 {
		t.Errorf("viewer search finds %d vpn trees, want 1 (no drafts)", len(hits))
	}
	for _, q := range []string{"!!!", "a & b | !c", "':*"} {
		search(admin, q) // no tsquery syntax error may escape as a 500
	}
}

func TestTreesOfAnotherAccountAreNotFound(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	a := s.Register("Account A")
	b := s.Register("Account B")
	tree, etag := createTree(t, b, printerTree("B's tree", oapi.TreeWriteStatusPublished))

	statuses := map[string]int{}
	g, _ := a.Client.GetTreeWithResponse(ctx, tree.Id)
	statuses["get"] = g.StatusCode()
	u, _ := a.Client.UpdateTreeWithResponse(ctx, tree.Id, &oapi.UpdateTreeParams{IfMatch: &etag}, printerTree("Taken", oapi.TreeWriteStatusPublished))
	statuses["update"] = u.StatusCode()
	d, _ := a.Client.DeleteTreeWithResponse(ctx, tree.Id)
	statuses["delete"] = d.StatusCode()
	vs, _ := a.Client.ListTreeVersionsWithResponse(ctx, tree.Id)
	statuses["versions"] = vs.StatusCode()
	v, _ := a.Client.GetTreeVersionWithResponse(ctx, tree.Id, 1)
	statuses["version"] = v.StatusCode()
	an, _ := a.Client.GetTreeAnalyticsWithResponse(ctx, tree.Id, &oapi.GetTreeAnalyticsParams{})
	statuses["analytics"] = an.StatusCode()
	st, _ := a.Client.StartSessionWithResponse(ctx, oapi.SessionStart{TreeId: tree.Id})
	statuses["start session"] = st.StatusCode()
	missing, _ := a.Client.GetTreeWithResponse(ctx, uuid.New())
	statuses["missing"] = missing.StatusCode()
	for op, status := range statuses {
		if status != http.StatusNotFound {
			t.Errorf("%s on another account's tree = %d, want 404", op, status)
		}
	}
	if r, _ := a.Client.SearchTreesWithResponse(ctx, &oapi.SearchTreesParams{Q: "tree"}); len(r.JSON200.Items) != 0 {
		t.Errorf("search crosses accounts: %+v", r.JSON200.Items)
	}
	if r, _ := b.Client.GetTreeWithResponse(ctx, tree.Id); r.JSON200.Title != "B's tree" || r.JSON200.Status != oapi.TreeStatusPublished {
		t.Errorf("account B's tree was changed: %+v", r.JSON200)
	}
}
