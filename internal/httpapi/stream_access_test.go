package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/apitest"
	"github.com/resolutionflow/resolutionflow/internal/app"
	"github.com/resolutionflow/resolutionflow/internal/bus"
)

// Event ids are each account's own: another account's activity leaves no gap in them.
func TestEventIdsAreEachAccountsOwn(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	a := s.Register("Ids A")
	b := s.Register("Ids B")
	treeA, _ := createTree(t, a, printerTree("A's tree", oapi.TreeWriteStatusPublished))
	treeB, _ := createTree(t, b, printerTree("B's tree", oapi.TreeWriteStatusPublished))
	for range 3 {
		escalated(t, a, treeA.Id, "", oapi.EscalationRequest{Summary: "A"})
		escalated(t, b, treeB.Id, "", oapi.EscalationRequest{Summary: "B"})
		escalated(t, b, treeB.Id, "", oapi.EscalationRequest{Summary: "B again"})
	}
	events, _ := a.Client.ListEscalationEventsWithResponse(ctx, &oapi.ListEscalationEventsParams{})
	var ids []int64
	for _, e := range events.JSON200.Items {
		ids = append(ids, e.Id)
	}
	if len(ids) != 3 || ids[0] != 1 || ids[1] != 2 || ids[2] != 3 {
		t.Fatalf("account A's event ids = %v, want 1 2 3 whatever B did", ids)
	}
}

// closed waits for the server to end a stream, failing if an event for handoff arrives first.
func closed(t *testing.T, who string, frames <-chan frame, handoff string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case f, ok := <-frames:
			if !ok {
				return
			}
			if f.Event == "handoff_created" && strings.Contains(f.Data, handoff) {
				t.Fatalf("%s: the stream sent %s after the access change", who, f.Event)
			}
		case <-deadline:
			t.Fatalf("%s: the stream is still open 10s after the access change", who)
		}
	}
}

// A role change, a deactivation, a password change and a sign-out each end that user's live
// streams on every replica before any later event reaches them; others keep theirs.
func TestAccessChangesEndStreamsOnEveryReplica(t *testing.T) {
	t.Parallel()
	listening := make(chan struct{}, 8)
	pg := func(st *app.Settings) {
		st.Bus = "postgres"
		st.SSEHeartbeat = time.Hour // the heartbeat's own check must not be what ends them
		st.OnListening = func() { listening <- struct{}{} }
	}
	one := apitest.NewServer(t, apitest.WithSettings(pg))
	two := one.Another(apitest.WithSettings(pg))
	<-listening
	<-listening
	ctx := context.Background()
	admin := one.Register("Revocations")
	tech := one.AddUser(admin, oapi.Viewer)
	bystander := one.AddUser(admin, oapi.Engineer)
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))

	changes := map[string]func(c apitest.Caller){
		"demoted": func(c apitest.Caller) {
			viewer := oapi.Viewer
			wantStatus(t, http.StatusOK)(admin.Client.UpdateUserWithResponse(ctx, c.UserID, oapi.UserUpdate{Role: &viewer}))
		},
		"deactivated": func(c apitest.Caller) {
			wantStatus(t, http.StatusNoContent)(admin.Client.DeactivateUserWithResponse(ctx, c.UserID))
		},
		"password changed": func(c apitest.Caller) {
			wantStatus(t, http.StatusNoContent)(c.Client.ChangePasswordWithResponse(ctx, oapi.PasswordChange{CurrentPassword: apitest.Password, NewPassword: "another long passphrase"}))
		},
		"signed out": func(c apitest.Caller) {
			wantStatus(t, http.StatusNoContent)(c.Client.LogoutWithResponse(ctx, &oapi.LogoutParams{}, oapi.RefreshRequest{RefreshToken: c.RefreshToken}))
		},
	}
	for what, change := range changes {
		eng := one.AddUser(admin, oapi.Engineer)
		onOne, _ := openStream(t, one, eng.AccessToken, "")
		onTwo, _ := openStream(t, two, eng.AccessToken, "")
		watching, _ := openStream(t, two, bystander.AccessToken, "")
		for _, f := range []<-chan frame{onOne, onTwo, watching} {
			next(t, f, 5*time.Second) // ready
		}
		change(eng)
		_, later := escalated(t, tech, tree.Id, "", oapi.EscalationRequest{Summary: "after the change: " + what})
		id := later.JSON201.Id.String()
		closed(t, what+", on the replica that made the change", onOne, id)
		closed(t, what+", on the other replica", onTwo, id)
		if f := next(t, watching, 10*time.Second); eventOf(t, f).Handoff.Id.String() != id {
			t.Fatalf("%s: the bystander's stream got %+v", what, f)
		}
	}
}

// Streams are capped per user and per account; over a cap the answer is a 429 problem with
// Retry-After, before the stream starts.
func TestStreamsAreCapped(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) { st.Streams = bus.Limits{PerUser: 2, PerAccount: 3} }))
	admin := s.Register("Caps")
	eng := s.AddUser(admin, oapi.Engineer)
	for range 2 {
		f, _ := openStream(t, s, admin.AccessToken, "")
		next(t, f, 5*time.Second)
	}
	resp := do(t, s, http.MethodGet, "/api/v1/ai-sessions/escalations/stream", admin.AccessToken, "", "")
	if p := decodeProblem(t, resp, http.StatusTooManyRequests); !strings.Contains(deref(p.Detail), "you have 2 live streams open") || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("third stream of one user: %q, Retry-After %q", deref(p.Detail), resp.Header.Get("Retry-After"))
	}
	f, _ := openStream(t, s, eng.AccessToken, "")
	next(t, f, 5*time.Second)
	resp = do(t, s, http.MethodGet, "/api/v1/ai-sessions/escalations/stream", eng.AccessToken, "", "")
	if p := decodeProblem(t, resp, http.StatusTooManyRequests); !strings.Contains(deref(p.Detail), "your account has 3 live streams open") {
		t.Fatalf("fourth stream of the account: %q", deref(p.Detail))
	}
}

// The stream confirms itself with a comment right after the headers, so that buffering proxies
// pass it on, and ends at its maximum lifetime; the client resumes with Last-Event-ID.
func TestStreamConfirmsItselfAndEndsAtItsLifetime(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) { st.StreamLifetime = 500 * time.Millisecond }))
	admin := s.Register("Lifetime")
	tech := s.AddUser(admin, oapi.Viewer)
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))

	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v1/ai-sessions/escalations/stream", nil)
	req.Header.Set("Authorization", "Bearer "+admin.AccessToken)
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, len(": stream open\n\n"))
	if _, err := io.ReadFull(resp.Body, first); err != nil || string(first) != ": stream open\n\n" {
		t.Fatalf("the stream began with %q (%v), want the comment", first, err)
	}
	start := time.Now()
	rest, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || time.Since(start) > 5*time.Second || !strings.Contains(string(rest), "event: ready") {
		t.Fatalf("the stream ran %s and sent %q (%v), want it ended at its lifetime after ready", time.Since(start), rest, err)
	}
	ready := strings.TrimSpace(strings.SplitN(strings.SplitN(string(rest), "id: ", 2)[1], "\n", 2)[0])
	if _, err := strconv.ParseInt(ready, 10, 64); err != nil {
		t.Fatalf("ready id %q: %v", ready, err)
	}
	_, r := escalated(t, tech, tree.Id, "", oapi.EscalationRequest{Summary: "while between streams"})
	again, _ := openStream(t, s, admin.AccessToken, ready)
	next(t, again, 5*time.Second) // ready
	if f := next(t, again, 5*time.Second); eventOf(t, f).Handoff.Id != r.JSON201.Id {
		t.Fatalf("after the lifetime the resumed stream got %+v", f)
	}
}
