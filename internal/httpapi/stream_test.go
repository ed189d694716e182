package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/apitest"
	"github.com/resolutionflow/resolutionflow/internal/app"
)

// frame is one server-sent event; comments (heartbeats) come as frames with Comment set.
type frame struct {
	Event, ID, Data string
	Comment         bool
}

// openStream connects to the escalation stream and returns its frames as they arrive. The
// channel closes when the server ends the stream; stop ends it from this side.
func openStream(t *testing.T, s *apitest.Server, token, lastEventID string) (<-chan frame, func()) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/api/v1/ai-sessions/escalations/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream answered %d", resp.StatusCode)
	}
	frames := make(chan frame, 256)
	go func() {
		defer close(frames)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var f frame
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if f != (frame{}) {
					frames <- f
				}
				f = frame{}
			case strings.HasPrefix(line, ":"):
				f.Comment = true
			case strings.HasPrefix(line, "event: "):
				f.Event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "id: "):
				f.ID = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "data: "):
				f.Data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	t.Cleanup(stop)
	return frames, stop
}

// next returns the next event frame, skipping heartbeats, or fails after timeout.
func next(t *testing.T, frames <-chan frame, timeout time.Duration) frame {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case f, ok := <-frames:
			if !ok {
				t.Fatal("the stream ended")
			}
			if !f.Comment {
				return f
			}
		case <-deadline:
			t.Fatalf("no event within %s", timeout)
		}
	}
}

func eventOf(t *testing.T, f frame) oapi.EscalationEvent {
	t.Helper()
	var e oapi.EscalationEvent
	if err := json.Unmarshal([]byte(f.Data), &e); err != nil {
		t.Fatalf("event data %q: %v", f.Data, err)
	}
	return e
}

func TestStreamDeliversLiveEventsAndReplaysMissedOnes(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Live")
	tech := s.AddUser(admin, oapi.Viewer)
	eng := s.AddUser(admin, oapi.Engineer)
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))

	frames, stop := openStream(t, s, eng.AccessToken, "")
	if f := next(t, frames, 5*time.Second); f.Event != "ready" {
		t.Fatalf("first frame = %+v, want ready", f)
	}
	_, r := escalated(t, tech, tree.Id, "", oapi.EscalationRequest{Summary: "Printer still offline"})
	created := next(t, frames, 5*time.Second)
	if created.Event != "handoff_created" || eventOf(t, created).Handoff.Id != r.JSON201.Id || created.ID == "" {
		t.Fatalf("live frame = %+v", created)
	}
	wantStatus(t, http.StatusOK)(eng.Client.ClaimEscalationWithResponse(ctx, r.JSON201.Id))
	claimed := next(t, frames, 5*time.Second)
	if claimed.Event != "handoff_claimed" || eventOf(t, claimed).Handoff.Status != oapi.HandoffStatusClaimed {
		t.Fatalf("live frame = %+v", claimed)
	}
	stop()

	// While disconnected: the handoff is resolved and another one created.
	wantStatus(t, http.StatusOK)(eng.Client.ResolveEscalationWithResponse(ctx, r.JSON201.Id, oapi.HandoffResolve{ResolutionNote: "fixed"}))
	_, r2 := escalated(t, tech, tree.Id, "", oapi.EscalationRequest{Summary: "Second printer"})

	again, _ := openStream(t, s, eng.AccessToken, claimed.ID)
	if f := next(t, again, 5*time.Second); f.Event != "ready" {
		t.Fatalf("first frame after reconnecting = %+v", f)
	}
	resolved := next(t, again, 5*time.Second)
	second := next(t, again, 5*time.Second)
	if resolved.Event != "handoff_resolved" || second.Event != "handoff_created" || eventOf(t, second).Handoff.Id != r2.JSON201.Id {
		t.Fatalf("replayed %+v then %+v", resolved, second)
	}
	// Live again after the replay, with nothing repeated.
	wantStatus(t, http.StatusOK)(eng.Client.ClaimEscalationWithResponse(ctx, r2.JSON201.Id))
	live := next(t, again, 5*time.Second)
	if live.Event != "handoff_claimed" || eventOf(t, live).Id <= eventOf(t, second).Id {
		t.Fatalf("after the replay got %+v (previous id %s)", live, second.ID)
	}
}

func TestStreamCarriesOnlyTheCallersAccount(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) { st.SSEHeartbeat = 50 * time.Millisecond }))
	a := s.Register("Account A")
	b := s.Register("Account B")
	treeA, _ := createTree(t, a, printerTree("A's tree", oapi.TreeWriteStatusPublished))
	treeB, _ := createTree(t, b, printerTree("B's tree", oapi.TreeWriteStatusPublished))

	frames, _ := openStream(t, s, a.AccessToken, "")
	next(t, frames, 5*time.Second) // ready
	escalated(t, b, treeB.Id, "", oapi.EscalationRequest{Summary: "B's problem"})
	escalated(t, b, treeB.Id, "", oapi.EscalationRequest{Summary: "B's other problem"})
	_, mine := escalated(t, a, treeA.Id, "", oapi.EscalationRequest{Summary: "A's problem"})
	// Events of one process arrive in commit order: if B's leaked, they would come first.
	if f := next(t, frames, 5*time.Second); eventOf(t, f).Handoff.Id != mine.JSON201.Id {
		t.Fatalf("account A's stream carried %+v", f)
	}
}

func TestStreamRefusesViewersWithAProblem(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	admin := s.Register("Viewers")
	viewer := s.AddUser(admin, oapi.Viewer)
	decodeProblem(t, do(t, s, http.MethodGet, "/api/v1/ai-sessions/escalations/stream", viewer.AccessToken, "", ""), http.StatusForbidden)
	decodeProblem(t, do(t, s, http.MethodGet, "/api/v1/ai-sessions/escalations/stream", "", "", ""), http.StatusUnauthorized)
}

func TestStreamHeartbeats(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) { st.SSEHeartbeat = 20 * time.Millisecond }))
	admin := s.Register("Heartbeat")
	frames, _ := openStream(t, s, admin.AccessToken, "")
	next(t, frames, 5*time.Second) // ready
	select {
	case f := <-frames:
		if !f.Comment {
			t.Errorf("expected a heartbeat comment, got %+v", f)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no heartbeat")
	}
}

// Two replicas on one database with the postgres bus: a handoff created through one reaches a
// stream held by the other, also after the listener's connection was killed.
func TestPostgresBusCrossesReplicas(t *testing.T) {
	t.Parallel()
	listening := make(chan struct{}, 8)
	pg := func(st *app.Settings) { st.Bus = "postgres" }
	a := apitest.NewServer(t, apitest.WithSettings(pg))
	b := a.Another(apitest.WithSettings(func(st *app.Settings) {
		pg(st)
		st.OnListening = func() { listening <- struct{}{} }
	}))
	<-listening
	admin := a.Register("Replicas")
	tech := a.AddUser(admin, oapi.Viewer)
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))

	frames, _ := openStream(t, b, admin.AccessToken, "")
	next(t, frames, 5*time.Second) // ready
	_, r := escalated(t, tech, tree.Id, "", oapi.EscalationRequest{Summary: "via replica A"})
	if f := next(t, frames, 5*time.Second); eventOf(t, f).Handoff.Id != r.JSON201.Id {
		t.Fatalf("replica B's stream got %+v", f)
	}

	// Kill every LISTEN connection on the database; B's listener reconnects and catches up.
	if _, err := a.DB.Pool.Exec(context.Background(),
		"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'"); err != nil {
		t.Fatal(err)
	}
	_, r2 := escalated(t, tech, tree.Id, "", oapi.EscalationRequest{Summary: "while the listener was down"})
	if f := next(t, frames, 15*time.Second); eventOf(t, f).Handoff.Id != r2.JSON201.Id {
		t.Fatalf("after the listener was killed replica B's stream got %+v", f)
	}
	select {
	case <-listening:
	case <-time.After(15 * time.Second):
		t.Error("the listener did not reconnect")
	}
}

// A cursor into pruned history gets 410 from the pull cursor and a reset event on the stream,
// never a silent gap.
func TestCursorsOlderThanRetention(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Retention")
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))
	escalated(t, admin, tree.Id, "", oapi.EscalationRequest{Summary: "old"})
	escalated(t, admin, tree.Id, "", oapi.EscalationRequest{Summary: "old too"})
	all, _ := admin.Client.ListEscalationEventsWithResponse(ctx, &oapi.ListEscalationEventsParams{})
	first := all.JSON200.Items[0].Id

	if _, err := s.DB.Pool.Exec(ctx, "UPDATE escalation_events SET created_at = now() - interval '30 days'"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.PruneEscalationEvents(ctx, time.Now().Add(-7*24*time.Hour)); err != nil {
		t.Fatal(err)
	}

	gone, _ := admin.Client.ListEscalationEventsWithResponse(ctx, &oapi.ListEscalationEventsParams{After: &first})
	if gone.StatusCode() != http.StatusGone {
		t.Errorf("a cursor into pruned history = %d, want 410", gone.StatusCode())
	}
	beyond := all.JSON200.NextCursor + 1000
	if r, _ := admin.Client.ListEscalationEventsWithResponse(ctx, &oapi.ListEscalationEventsParams{After: &beyond}); r.StatusCode() != http.StatusGone {
		t.Errorf("a cursor beyond the newest event = %d, want 410", r.StatusCode())
	}
	if fresh, _ := admin.Client.ListEscalationEventsWithResponse(ctx, &oapi.ListEscalationEventsParams{}); fresh.StatusCode() != http.StatusOK || len(fresh.JSON200.Items) != 0 {
		t.Errorf("after=0 starts at the oldest retained event: %d", fresh.StatusCode())
	}

	frames, _ := openStream(t, s, admin.AccessToken, strconv.FormatInt(first, 10))
	next(t, frames, 5*time.Second) // ready
	if f := next(t, frames, 5*time.Second); f.Event != "reset" {
		t.Fatalf("resuming into pruned history: %+v, want a reset event", f)
	}
	_, r := escalated(t, admin, tree.Id, "", oapi.EscalationRequest{Summary: "new"})
	if f := next(t, frames, 5*time.Second); eventOf(t, f).Handoff.Id != r.JSON201.Id {
		t.Fatalf("after the reset: %+v", f)
	}
}

// Once every event of an account is pruned, a stream starts from where the retained history
// starts, and neither a fresh connect nor a reset sends the client into a reset on every
// reconnect.
func TestNoResetLoopAfterEverythingWasPruned(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Quiet account")
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))
	escalated(t, admin, tree.Id, "", oapi.EscalationRequest{Summary: "long ago"})
	if _, err := s.DB.Pool.Exec(ctx, "UPDATE escalation_events SET created_at = now() - interval '30 days'"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.PruneEscalationEvents(ctx, time.Now().Add(-7*24*time.Hour)); err != nil {
		t.Fatal(err)
	}

	resume := func(lastEventID string) []frame {
		frames, stop := openStream(t, s, admin.AccessToken, lastEventID)
		defer stop()
		got := []frame{next(t, frames, 5*time.Second)}
		select {
		case f := <-frames:
			if !f.Comment {
				got = append(got, f)
			}
		case <-time.After(300 * time.Millisecond):
		}
		return got
	}
	fresh := resume("")
	if fresh[0].Event != "ready" || fresh[0].ID == "0" || len(fresh) != 1 {
		t.Fatalf("a fresh stream of a pruned account sent %+v, want ready at the horizon", fresh)
	}
	if again := resume(fresh[0].ID); len(again) != 1 {
		t.Errorf("resuming from ready's id sent %+v, want no reset", again)
	}
	stale := resume("0")
	if len(stale) != 2 || stale[1].Event != "reset" {
		t.Fatalf("a stale cursor sent %+v, want ready then reset", stale)
	}
	if after := resume(stale[1].ID); len(after) != 1 {
		t.Errorf("resuming from the reset's id sent %+v, want no second reset", after)
	}
}

// With the bus unable to reach its database at all, handoffs are still created: announcing is
// best effort, and the hub's periodic catch-up delivers what was not announced.
func TestBusFailureNeverFailsCreation(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) {
		st.Bus = "postgres"
		st.DatabaseURL = "postgres://nobody@127.0.0.1:1/nowhere?sslmode=disable&connect_timeout=1"
	}))
	admin := s.Register("Broken bus")
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))
	start := time.Now()
	_, r := escalated(t, admin, tree.Id, "", oapi.EscalationRequest{Summary: "still recorded"})
	if r.StatusCode() != http.StatusCreated {
		t.Fatalf("escalate with a broken bus = %d, want 201", r.StatusCode())
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("escalating took %s with a broken bus: announcing must not block", elapsed)
	}
	events, _ := admin.Client.ListEscalationEventsWithResponse(context.Background(), &oapi.ListEscalationEventsParams{})
	if len(events.JSON200.Items) != 1 {
		t.Errorf("the event was not recorded: %d events", len(events.JSON200.Items))
	}
}

// A user deactivated while streaming stops receiving at the next heartbeat.
func TestStreamEndsForADeactivatedUser(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) { st.SSEHeartbeat = 20 * time.Millisecond }))
	admin := s.Register("Deactivation")
	eng := s.AddUser(admin, oapi.Engineer)
	frames, _ := openStream(t, s, eng.AccessToken, "")
	next(t, frames, 5*time.Second) // ready
	if r, _ := admin.Client.DeactivateUserWithResponse(context.Background(), eng.UserID); r.StatusCode() != http.StatusNoContent {
		t.Fatalf("deactivate: %d", r.StatusCode())
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, open := <-frames:
			if !open {
				return
			}
		case <-deadline:
			t.Fatal("the stream of a deactivated user is still open")
		}
	}
}

// A client that has seen only ready must still be able to resume: ready names the position the
// stream started from, and a handoff created while the client was away (a server restart, say)
// is replayed when it reconnects with that id.
func TestReadyCarriesTheStartingPosition(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	admin := s.Register("Ready")
	tech := s.AddUser(admin, oapi.Viewer)
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))
	_, before := escalated(t, tech, tree.Id, "", oapi.EscalationRequest{Summary: "Before the stream"})

	frames, stop := openStream(t, s, admin.AccessToken, "")
	ready := next(t, frames, 5*time.Second)
	if ready.Event != "ready" || ready.ID == "" {
		t.Fatalf("ready = %+v, want an id", ready)
	}
	var data struct {
		LastEventID int64 `json:"last_event_id"`
	}
	if err := json.Unmarshal([]byte(ready.Data), &data); err != nil || strconv.FormatInt(data.LastEventID, 10) != ready.ID {
		t.Fatalf("ready data %q disagrees with its id %q", ready.Data, ready.ID)
	}
	stop()

	// The server is away; another replica, on the same database, takes the handoff.
	other := s.Another()
	_, during := escalated(t, tech, tree.Id, "", oapi.EscalationRequest{Summary: "During the restart"})
	again, _ := openStream(t, other, admin.AccessToken, ready.ID)
	next(t, again, 5*time.Second) // ready
	missed := next(t, again, 5*time.Second)
	if got := eventOf(t, missed).Handoff.Id; got != during.JSON201.Id || got == before.JSON201.Id {
		t.Fatalf("after reconnecting from ready got %+v, want the handoff created meanwhile", missed)
	}
}

// A stream ends with its token. A token about to expire is refused before the stream starts,
// so that a client never reconnects only to be cut at once.
func TestStreamRefusesATokenAboutToExpire(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) { st.Now = clock.Now }))
	admin := s.Register("Expiring")

	clock.Advance(15*time.Minute - 59*time.Second) // a minute less one second left
	p := decodeProblem(t, do(t, s, http.MethodGet, "/api/v1/ai-sessions/escalations/stream", admin.AccessToken, "", ""), http.StatusUnauthorized)
	if !strings.Contains(deref(p.Detail), "refresh") {
		t.Errorf("detail %q does not say to refresh first", deref(p.Detail))
	}
	fresh := refresh(t, s, admin.RefreshToken, http.StatusOK)
	frames, _ := openStream(t, s, fresh.AccessToken, "")
	if f := next(t, frames, 5*time.Second); f.Event != "ready" {
		t.Fatalf("with a fresh token the stream opens: got %+v", f)
	}

	t.Run("tokens that live under two minutes need half their life left", func(t *testing.T) {
		short := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) { st.Now, st.Tokens.AccessTTL = clock.Now, time.Minute }))
		a := short.Register("Short-lived")
		clock.Advance(29 * time.Second)
		frames, _ := openStream(t, short, a.AccessToken, "")
		next(t, frames, 5*time.Second) // 31 s left of 60: accepted
		clock.Advance(2 * time.Second)
		decodeProblem(t, do(t, short, http.MethodGet, "/api/v1/ai-sessions/escalations/stream", a.AccessToken, "", ""), http.StatusUnauthorized)
	})
}
