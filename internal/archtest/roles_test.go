package archtest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/apitest"
	"github.com/resolutionflow/resolutionflow/internal/auth"
	"github.com/resolutionflow/resolutionflow/internal/contract"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/escalations"
	"github.com/resolutionflow/resolutionflow/internal/testdb"
	"github.com/resolutionflow/resolutionflow/internal/trees"
	"github.com/resolutionflow/resolutionflow/internal/users"
)

// outsideTheGate are the operations the contract marks public (security: []): no token, so no
// role, and the gate checks none. Each says why it has no role.
var outsideTheGate = map[string]string{
	"register":       "creates an account and its first admin: nobody is signed in yet",
	"login":          "signs in: nobody is signed in yet",
	"loginForm":      "signs in (form): nobody is signed in yet",
	"refreshToken":   "the refresh token is the credential; its 403 is the cookie's site check, not a role",
	"getHealth":      "liveness probe",
	"getReadiness":   "readiness probe",
	"getMetrics":     "Prometheus scrape",
	"getOpenAPISpec": "the published contract",
	"getAPIDocs":     "the API reference page",
}

// A roleCase is one operation called as a user who holds exactly the operation's
// x-required-role. Its request is valid, and made to reach the service: a status other than want
// (and so any 403) means the service refuses a role that the contract admits.
//
// Owner rules come on top of roles and are not what this test checks: only a session's
// technician changes it, only a conversation's author writes in it or moves it, a technician
// cancels only their own open handoff, and only a handoff's claimer (or an admin) releases or
// resolves it. So the viewer who calls those operations here is always the owner, and the
// engineer releases and resolves what they claimed. The owner rules' own 403s are tested in
// internal/httpapi (sessions_test.go, aisessions_test.go, escalations_test.go).
type roleCase struct {
	request func(t *testing.T, f *fixture) request
	want    int
}

// request fills the operation's path template ({id}, {version}) from params; query is the raw
// query string. as, when set, is the user with the required role to call as, instead of the
// fixture's (for calls that would spoil the shared users, such as signing out).
type request struct {
	as     *apitest.Caller
	params map[string]string
	query  string
	body   any
	header map[string]string
}

func id(v string) map[string]string { return map[string]string{"id": v} }

func fixed(r request) func(*testing.T, *fixture) request {
	return func(*testing.T, *fixture) request { return r }
}

// roleCases has one entry per secured operation of the contract; a new operation without one
// fails TestRolesAgree.
var roleCases = map[string]roleCase{
	// auth: every signed-in user, about themselves.
	"getMe":    {fixed(request{}), http.StatusOK},
	"updateMe": {fixed(request{body: map[string]any{"name": "Vera Viewer"}}), http.StatusOK},
	"changePassword": {func(t *testing.T, f *fixture) request {
		u := f.newUser(t, oapi.Viewer)
		return request{as: &u, body: map[string]any{"current_password": apitest.Password, "new_password": "another correct horse"}}
	}, http.StatusNoContent},
	"logout": {func(t *testing.T, f *fixture) request {
		u := f.newUser(t, oapi.Viewer)
		return request{as: &u, body: map[string]any{"refresh_token": u.RefreshToken}}
	}, http.StatusNoContent},

	// users: admins only.
	"listUsers":  {fixed(request{}), http.StatusOK},
	"createUser": {fixed(request{body: map[string]any{"email": apitest.UniqueEmail("new"), "name": "New User", "role": "viewer", "password": apitest.Password}}), http.StatusCreated},
	"getUser": {func(t *testing.T, f *fixture) request {
		return request{params: id(f.viewer.UserID.String())}
	}, http.StatusOK},
	"updateUser": {func(t *testing.T, f *fixture) request {
		return request{params: id(f.newUser(t, oapi.Viewer).UserID.String()), body: map[string]any{"name": "Renamed"}}
	}, http.StatusOK},
	"deactivateUser": {func(t *testing.T, f *fixture) request {
		return request{params: id(f.newUser(t, oapi.Viewer).UserID.String())}
	}, http.StatusNoContent},

	// trees: everyone reads the published ones; engineers author; admins archive.
	"listTrees":          {fixed(request{}), http.StatusOK},
	"listTreeCategories": {fixed(request{}), http.StatusOK},
	"searchTrees":        {fixed(request{query: "q=printer"}), http.StatusOK},
	"getTree":            {func(t *testing.T, f *fixture) request { return request{params: id(f.treeID)} }, http.StatusOK},
	"listTreeVersions":   {func(t *testing.T, f *fixture) request { return request{params: id(f.treeID)} }, http.StatusOK},
	"getTreeVersion": {func(t *testing.T, f *fixture) request {
		return request{params: map[string]string{"id": f.treeID, "version": "1"}}
	}, http.StatusOK},
	"createTree": {fixed(request{body: printerTree("Created by the role test")}), http.StatusCreated},
	"updateTree": {func(t *testing.T, f *fixture) request {
		treeID, etag := f.newTree(t)
		return request{params: id(treeID), body: printerTree("Edited by the role test"), header: map[string]string{"If-Match": etag}}
	}, http.StatusOK},
	"deleteTree": {func(t *testing.T, f *fixture) request {
		treeID, _ := f.newTree(t)
		return request{params: id(treeID)}
	}, http.StatusNoContent},
	"getTreeAnalytics": {func(t *testing.T, f *fixture) request { return request{params: id(f.treeID)} }, http.StatusOK},

	// sessions: every technician runs their own.
	"listSessions": {fixed(request{}), http.StatusOK},
	"startSession": {func(t *testing.T, f *fixture) request {
		return request{body: map[string]any{"tree_id": f.treeID}}
	}, http.StatusCreated},
	"getSession": {func(t *testing.T, f *fixture) request { return request{params: id(f.newSession(t))} }, http.StatusOK},
	"updateSession": {func(t *testing.T, f *fixture) request {
		return request{params: id(f.newSession(t)), body: map[string]any{"notes": "n"}}
	}, http.StatusOK},
	"answerSession": {func(t *testing.T, f *fixture) request {
		return request{params: id(f.newSession(t)), body: map[string]any{"node_id": "power", "option_id": "on"}}
	}, http.StatusOK},
	"goBackSession": {func(t *testing.T, f *fixture) request {
		sess := f.newSession(t)
		f.mustSend(t, f.viewer, http.MethodPost, "/api/v1/sessions/"+sess+"/answer", map[string]any{"node_id": "power", "option_id": "on"}, http.StatusOK)
		return request{params: id(sess)}
	}, http.StatusOK},
	"addCustomStep": {func(t *testing.T, f *fixture) request {
		return request{params: id(f.newSession(t)), body: map[string]any{"text": "Checked the cable"}}
	}, http.StatusOK},
	"completeSession": {func(t *testing.T, f *fixture) request {
		return request{params: id(f.newSession(t)), body: map[string]any{"outcome": "abandoned"}}
	}, http.StatusOK},
	"exportSession": {func(t *testing.T, f *fixture) request {
		return request{params: id(f.newSession(t)), body: map[string]any{"format": "markdown"}}
	}, http.StatusOK},
	"escalateSession": {func(t *testing.T, f *fixture) request {
		return request{params: id(f.atEscalation(t)), body: map[string]any{"summary": "Stuck queue"}}
	}, http.StatusCreated},
	"getSessionEscalation": {func(t *testing.T, f *fixture) request {
		sess, _ := f.newHandoff(t)
		return request{params: id(sess)}
	}, http.StatusOK},
	"listEscalationTargets": {fixed(request{}), http.StatusOK},

	// conversations with the assistant: every technician has their own.
	"listAISessions":  {fixed(request{}), http.StatusOK},
	"createAISession": {fixed(request{body: map[string]any{"problem": "The printer is offline"}}), http.StatusCreated},
	"getAISession":    {func(t *testing.T, f *fixture) request { return request{params: id(f.newConversation(t))} }, http.StatusOK},
	"updateAISession": {func(t *testing.T, f *fixture) request {
		return request{params: id(f.newConversation(t)), body: map[string]any{"status": "paused"}}
	}, http.StatusOK},
	"sendAIMessage": {func(t *testing.T, f *fixture) request {
		return request{params: id(f.newConversation(t)), body: map[string]any{"content": "Still offline"}}
	}, http.StatusOK},
	"escalateAISession": {func(t *testing.T, f *fixture) request {
		return request{params: id(f.newConversation(t)), body: map[string]any{"summary": "Needs an engineer"}}
	}, http.StatusCreated},

	// the escalation queue: engineers work it; a technician may cancel their own open handoff.
	"listEscalations":      {fixed(request{}), http.StatusOK},
	"listEscalationEvents": {fixed(request{}), http.StatusOK},
	"streamEscalations":    {fixed(request{header: map[string]string{"Accept": "text/event-stream"}}), http.StatusOK},
	"getEscalation": {func(t *testing.T, f *fixture) request {
		_, h := f.newHandoff(t)
		return request{params: id(h)}
	}, http.StatusOK},
	"claimEscalation": {func(t *testing.T, f *fixture) request {
		_, h := f.newHandoff(t)
		return request{params: id(h)}
	}, http.StatusOK},
	"releaseEscalation": {func(t *testing.T, f *fixture) request { return request{params: id(f.claimedHandoff(t))} }, http.StatusOK},
	"resolveEscalation": {func(t *testing.T, f *fixture) request {
		return request{params: id(f.claimedHandoff(t)), body: map[string]any{"resolution_note": "Replaced the cable"}}
	}, http.StatusOK},
	"cancelEscalation": {func(t *testing.T, f *fixture) request {
		_, h := f.newHandoff(t)
		return request{params: id(h), body: map[string]any{"reason": "Fixed it myself"}}
	}, http.StatusOK},
}

// below is the role just under r, if any.
func below(r domain.Role) (domain.Role, bool) {
	switch r {
	case domain.RoleAdmin:
		return domain.RoleEngineer, true
	case domain.RoleEngineer:
		return domain.RoleViewer, true
	}
	return "", false
}

// TestRolesAgree calls every secured operation of the contract through the real server twice:
// as a user one role below its x-required-role (viewer operations have none), which must get
// 403, and as a user with exactly that role, which must get through the gate and the service
// (the case's status; never 403).
func TestRolesAgree(t *testing.T) {
	t.Parallel()
	ops := sortedOperations(t)
	f := newFixture(t)
	seen := map[string]bool{}
	for _, op := range ops {
		seen[op.ID] = true
		if op.Public {
			if _, ok := outsideTheGate[op.ID]; !ok {
				t.Errorf("%s is public but not in outsideTheGate: say why it needs no role, or secure it", op.ID)
			}
			continue
		}
		c, ok := roleCases[op.ID]
		if !ok {
			t.Errorf("%s (%s %s, x-required-role %q) has no roleCase: add one", op.ID, op.Method, op.Path, op.RequiredRole)
			continue
		}
		t.Run(op.ID, func(t *testing.T) {
			role, err := domain.ParseRole(op.RequiredRole)
			if err != nil {
				t.Fatal(err)
			}
			r := c.request(t, f)
			if lower, ok := below(role); ok {
				status, body := f.send(t, f.as(lower), op, r)
				if status != http.StatusForbidden {
					t.Errorf("as %s: %d, want 403 (x-required-role is %s): %s", lower.Article(), status, role, body)
				}
			}
			allowed := f.as(role)
			if r.as != nil {
				allowed = *r.as
			}
			status, body := f.send(t, allowed, op, r)
			if status != c.want || status == http.StatusForbidden {
				t.Errorf("as %s: %d, want %d: %s", role.Article(), status, c.want, body)
			}
		})
	}
	for name := range roleCases {
		if !seen[name] {
			t.Errorf("roleCases has %s, which the contract no longer has", name)
		}
	}
	for name := range outsideTheGate {
		if !seen[name] {
			t.Errorf("outsideTheGate has %s, which the contract no longer has", name)
		}
	}
}

func sortedOperations(t *testing.T) []contract.Operation {
	t.Helper()
	doc, err := contract.Load()
	if err != nil {
		t.Fatal(err)
	}
	ops := contract.Operations(doc)
	slices.SortFunc(ops, func(a, b contract.Operation) int { return strings.Compare(a.ID, b.ID) })
	return ops
}

// fixture is one account with a user of each role, a published tree, and helpers that make
// what a case needs. The viewer owns every session, conversation and handoff it makes.
type fixture struct {
	s                       *apitest.Server
	admin, engineer, viewer apitest.Caller
	treeID                  string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s := apitest.NewServer(t)
	f := &fixture{s: s, admin: s.Register("Roles")}
	f.engineer = s.AddUser(f.admin, oapi.Engineer)
	f.viewer = s.AddUser(f.admin, oapi.Viewer)
	f.treeID, _ = f.newTree(t)
	return f
}

func (f *fixture) as(r domain.Role) apitest.Caller {
	switch r {
	case domain.RoleAdmin:
		return f.admin
	case domain.RoleEngineer:
		return f.engineer
	}
	return f.viewer
}

// send calls op as c with r, through the validating client.
func (f *fixture) send(t *testing.T, c apitest.Caller, op contract.Operation, r request) (int, string) {
	t.Helper()
	path := op.Path
	for k, v := range r.params {
		path = strings.ReplaceAll(path, "{"+k+"}", v)
	}
	if strings.Contains(path, "{") {
		t.Fatalf("%s: the case leaves a path parameter unfilled: %s", op.ID, path)
	}
	if r.query != "" {
		path += "?" + r.query
	}
	return f.do(t, c, op.Method, path, r.body, r.header)
}

func (f *fixture) do(t *testing.T, c apitest.Caller, method, path string, body any, header map[string]string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // also ends a live stream
	var rd io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(ctx, method, f.s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.AccessToken)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := f.s.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return resp.StatusCode, "(event stream)"
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read the body: %v", method, path, err)
	}
	return resp.StatusCode, string(b)
}

// mustSend calls and fails the test unless the status is want; it returns the body's id, if any.
func (f *fixture) mustSend(t *testing.T, c apitest.Caller, method, path string, body any, want int) string {
	t.Helper()
	status, b := f.do(t, c, method, path, body, nil)
	if status != want {
		t.Fatalf("%s %s = %d, want %d: %s", method, path, status, want, b)
	}
	var v struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal([]byte(b), &v)
	return v.ID
}

func (f *fixture) newUser(t *testing.T, role oapi.Role) apitest.Caller {
	t.Helper()
	return f.s.AddUser(f.admin, role)
}

// newTree makes a published tree as the engineer and returns its id and ETag.
func (f *fixture) newTree(t *testing.T) (string, string) {
	t.Helper()
	r, err := f.engineer.Client.CreateTreeWithResponse(context.Background(), printerTree("Printer offline "+rand.Text()[:8]))
	if err != nil || r.StatusCode() != http.StatusCreated {
		t.Fatalf("create tree: %v %d %s", err, r.StatusCode(), r.Body)
	}
	return r.JSON201.Id.String(), r.HTTPResponse.Header.Get("ETag")
}

// newSession starts a session of the viewer on the fixture's tree.
func (f *fixture) newSession(t *testing.T) string {
	t.Helper()
	return f.mustSend(t, f.viewer, http.MethodPost, "/api/v1/sessions", map[string]any{"tree_id": f.treeID}, http.StatusCreated)
}

// atEscalation walks a new session of the viewer to the tree's escalation node.
func (f *fixture) atEscalation(t *testing.T) string {
	t.Helper()
	sess := f.newSession(t)
	f.mustSend(t, f.viewer, http.MethodPost, "/api/v1/sessions/"+sess+"/answer", map[string]any{"node_id": "power", "option_id": "on"}, http.StatusOK)
	f.mustSend(t, f.viewer, http.MethodPost, "/api/v1/sessions/"+sess+"/answer", map[string]any{"node_id": "spool"}, http.StatusOK)
	return sess
}

// newHandoff hands a new session of the viewer off; it returns the session and the open handoff.
func (f *fixture) newHandoff(t *testing.T) (string, string) {
	t.Helper()
	sess := f.atEscalation(t)
	return sess, f.mustSend(t, f.viewer, http.MethodPost, "/api/v1/sessions/"+sess+"/escalate", map[string]any{"summary": "Stuck queue"}, http.StatusCreated)
}

// claimedHandoff is a new handoff the engineer has claimed.
func (f *fixture) claimedHandoff(t *testing.T) string {
	t.Helper()
	_, h := f.newHandoff(t)
	f.mustSend(t, f.engineer, http.MethodPost, "/api/v1/ai-sessions/escalations/"+h+"/claim", nil, http.StatusOK)
	return h
}

// newConversation starts a conversation of the viewer with the assistant.
func (f *fixture) newConversation(t *testing.T) string {
	t.Helper()
	return f.mustSend(t, f.viewer, http.MethodPost, "/api/v1/ai-sessions", map[string]any{"problem": "The printer is offline"}, http.StatusCreated)
}

// printerTree is a small complete tree: a question leading to a solution, or through an action
// to an escalation.
func printerTree(title string) oapi.TreeWrite {
	next := "escalate"
	return oapi.TreeWrite{
		Title: title, Category: "Printing", Status: oapi.TreeWriteStatusPublished,
		Definition: oapi.TreeDefinition{Root: "power", Nodes: []oapi.TreeNode{
			{Id: "power", Type: oapi.Question, Text: "Is the printer's power light on?", Options: &[]oapi.NodeOption{
				{Id: "on", Label: "Yes", Next: "spool"},
				{Id: "off", Label: "No", Next: "plugged"},
			}},
			{Id: "plugged", Type: oapi.Solution, Text: "Plug the printer in and switch it on"},
			{Id: "spool", Type: oapi.Action, Text: "Restart the print spooler service", Next: &next},
			{Id: "escalate", Type: oapi.Escalation, Text: "Hand over to an engineer with the printer model"},
		}},
	}
}

// services are the use cases behind the secured operations, built on the fixture's database,
// so that their own role checks can be called without the gate in front.
type services struct {
	users       *users.Service
	trees       *trees.Service
	escalations *escalations.Service
}

// serviceCheck calls the service method behind an operation, with ids that exist nowhere: a
// service that checks the caller's role first answers EForbidden before it looks anything up.
type serviceCheck func(ctx context.Context, sv services, p domain.Principal) error

// serviceChecks has one entry for every operation whose x-required-role is above viewer.
var serviceChecks = map[string]serviceCheck{
	"listUsers": func(ctx context.Context, sv services, p domain.Principal) error {
		_, _, err := sv.users.List(ctx, p, users.Filter{Limit: 10})
		return err
	},
	"createUser": func(ctx context.Context, sv services, p domain.Principal) error {
		_, err := sv.users.Create(ctx, p, users.NewUser{Email: apitest.UniqueEmail("svc"), Name: "Service Check", Role: domain.RoleViewer, Password: apitest.Password})
		return err
	},
	"getUser": func(ctx context.Context, sv services, p domain.Principal) error {
		_, err := sv.users.Get(ctx, p, uuid.New())
		return err
	},
	"updateUser": func(ctx context.Context, sv services, p domain.Principal) error {
		name := "Renamed"
		_, err := sv.users.Update(ctx, p, uuid.New(), users.Patch{Name: &name})
		return err
	},
	"deactivateUser": func(ctx context.Context, sv services, p domain.Principal) error {
		return sv.users.Deactivate(ctx, p, uuid.New())
	},
	"createTree": func(ctx context.Context, sv services, p domain.Principal) error {
		_, err := sv.trees.Create(ctx, p, trees.Input{Title: "Service check", Category: "Checks", Status: domain.TreeDraft})
		return err
	},
	"updateTree": func(ctx context.Context, sv services, p domain.Principal) error {
		_, err := sv.trees.Update(ctx, p, uuid.New(), `"1"`, trees.Input{Title: "Service check", Category: "Checks", Status: domain.TreeDraft})
		return err
	},
	"deleteTree": func(ctx context.Context, sv services, p domain.Principal) error {
		return sv.trees.Archive(ctx, p, uuid.New())
	},
	"getTreeAnalytics": func(ctx context.Context, sv services, p domain.Principal) error {
		_, err := sv.trees.Analytics(ctx, p, uuid.New(), trees.Range{})
		return err
	},
	"listEscalations": func(ctx context.Context, sv services, p domain.Principal) error {
		_, _, err := sv.escalations.List(ctx, p, escalations.Filter{Limit: 10})
		return err
	},
	"listEscalationEvents": func(ctx context.Context, sv services, p domain.Principal) error {
		_, _, _, err := sv.escalations.Events(ctx, p, 0, 10)
		return err
	},
	"getEscalation": func(ctx context.Context, sv services, p domain.Principal) error {
		_, err := sv.escalations.Get(ctx, p, uuid.New())
		return err
	},
	"claimEscalation": func(ctx context.Context, sv services, p domain.Principal) error {
		_, err := sv.escalations.Claim(ctx, p, uuid.New())
		return err
	},
	"releaseEscalation": func(ctx context.Context, sv services, p domain.Principal) error {
		_, err := sv.escalations.Release(ctx, p, uuid.New())
		return err
	},
	"resolveEscalation": func(ctx context.Context, sv services, p domain.Principal) error {
		_, err := sv.escalations.Resolve(ctx, p, uuid.New(), "note")
		return err
	},
}

// gateOnly are operations above viewer that have no service method to ask, each with the reason
// and where the role is checked instead.
var gateOnly = map[string]string{
	"streamEscalations": "a hand-written stream, not a use case: the gate checks the role when it opens, " +
		"and the stream re-checks the caller's role while it runs (internal/httpapi/stream.go)",
}

// TestServicesCheckTheContractsRoles holds the services to the contract without the gate: for
// every operation whose x-required-role is above viewer, the service behind it must itself
// refuse, with EForbidden, a caller one role below. With TestRolesAgree (where the required role
// gets through) the contract and the services' checks agree both ways.
func TestServicesCheckTheContractsRoles(t *testing.T) {
	t.Parallel()
	ops := sortedOperations(t)
	db := testdb.New(t)
	log := escalations.NewLog(db, time.Now)
	sv := services{
		users: users.NewService(db, auth.NewPrincipals(db, time.Second, time.Now), noAccess{}),
		trees: trees.NewService(db),
		// Every check under test comes before the session, conversation and bus collaborators
		// are used; a service that skipped its check would fail on the ids that exist nowhere.
		escalations: escalations.NewService(db, log, nil, nil, nil, escalations.Mail{}, time.Now),
	}
	seen, used := map[string]bool{}, map[string]bool{}
	for _, op := range ops {
		seen[op.ID] = true
		role, err := domain.ParseRole(op.RequiredRole)
		if op.Public || err != nil {
			continue // TestRolesAgree and the contract test in httpapi cover these
		}
		lower, ok := below(role)
		if !ok {
			continue
		}
		if _, ok := gateOnly[op.ID]; ok {
			continue
		}
		check, ok := serviceChecks[op.ID]
		used[op.ID] = true
		if !ok {
			t.Errorf("%s needs %s but has no serviceCheck: add the service call behind it (or, if it has none, say so in gateOnly)", op.ID, role)
			continue
		}
		t.Run(op.ID, func(t *testing.T) {
			// An account and user that exist nowhere: a check that comes first needs neither.
			p := domain.Principal{AccountID: uuid.New(), UserID: uuid.New(), Role: lower}
			err := check(t.Context(), sv, p)
			if domain.ErrorCode(err) != domain.EForbidden {
				t.Errorf("the service lets %s through (x-required-role is %s): got %v, want EForbidden", lower.Article(), role, err)
			}
		})
	}
	for name := range gateOnly {
		if !seen[name] {
			t.Errorf("gateOnly has %s, which the contract no longer has", name)
		}
	}
	for name := range serviceChecks {
		if !used[name] {
			t.Errorf("serviceChecks has %s, which the contract no longer has above viewer: remove it", name)
		}
	}
}

// noAccess is an auth.Access that does nothing: no check under test reaches it.
type noAccess struct{}

func (noAccess) Revoke(context.Context, *dbq.Queries, uuid.UUID, uuid.UUID) (domain.EscalationEvent, error) {
	return domain.EscalationEvent{}, nil
}

func (noAccess) Announce(uuid.UUID, domain.EscalationEvent) {}
