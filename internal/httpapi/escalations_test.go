package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/apitest"
)

// escalated walks a fresh session of tech to the escalation node and hands it off.
func escalated(t *testing.T, tech apitest.Caller, treeID uuid.UUID, key string, body oapi.EscalationRequest) (oapi.Session, *oapi.EscalateSessionResponse) {
	t.Helper()
	sess := startSession(t, tech, treeID)
	answer(t, tech, sess.Id, "power", "on", http.StatusOK)
	answer(t, tech, sess.Id, "spool", "", http.StatusOK)
	params := &oapi.EscalateSessionParams{}
	if key != "" {
		params.IdempotencyKey = &key
	}
	r, err := tech.Client.EscalateSessionWithResponse(context.Background(), sess.Id, params, body)
	if err != nil {
		t.Fatal(err)
	}
	return sess, r
}

func TestEscalationLifecycle(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Escalations")
	tech := s.AddUser(admin, oapi.Viewer)
	alice := s.AddUser(admin, oapi.Engineer)
	bob := s.AddUser(admin, oapi.Engineer)
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))

	sess, r := escalated(t, tech, tree.Id, "", oapi.EscalationRequest{Summary: "Spooler restarts but the queue stays stuck", Priority: ptr(oapi.High)})
	if r.StatusCode() != http.StatusCreated || r.JSON201.Status != oapi.HandoffStatusOpen || r.JSON201.Priority != oapi.High {
		t.Fatalf("escalate: %d %s", r.StatusCode(), r.Body)
	}
	id := r.JSON201.Id
	if got, _ := tech.Client.GetSessionWithResponse(ctx, sess.Id); got.JSON200.Status != oapi.SessionStatusEscalated {
		t.Errorf("the session is %s, want escalated", got.JSON200.Status)
	}
	if again, _ := tech.Client.EscalateSessionWithResponse(ctx, sess.Id, &oapi.EscalateSessionParams{}, oapi.EscalationRequest{Summary: "again"}); again.StatusCode() != http.StatusConflict {
		t.Errorf("escalating a finished session again = %d, want 409", again.StatusCode())
	}

	detail, _ := alice.Client.GetEscalationWithResponse(ctx, id)
	c := detail.JSON200.Context
	if detail.StatusCode() != http.StatusOK || c.ProblemSummary != "Spooler restarts but the queue stays stuck" || len(c.Steps) != 2 ||
		deref(c.TicketRef) != "T-1001" || deref(c.Technician) != "Test viewer" || deref(c.TreeTitle) != "Printer offline" {
		t.Fatalf("context = %+v", c)
	}
	if c.Steps[0].Text != "Is the printer's power light on?" || deref(c.Steps[0].Answer) != "Yes" {
		t.Errorf("first step = %+v", c.Steps[0])
	}

	queue, _ := alice.Client.ListEscalationsWithResponse(ctx, &oapi.ListEscalationsParams{})
	if queue.JSON200.Total != 1 || queue.JSON200.Items[0].Id != id {
		t.Errorf("queue = %+v", queue.JSON200.Items)
	}

	var turn atomic.Int32
	statuses := parallelStatuses(t, 20, func() (int, error) {
		claimer := alice // both engineers race; which one wins does not matter
		if turn.Add(1)%2 == 0 {
			claimer = bob
		}
		r, err := claimer.Client.ClaimEscalationWithResponse(ctx, id)
		if err != nil {
			return 0, err
		}
		return r.StatusCode(), nil
	})
	if statuses[http.StatusOK] != 1 || statuses[http.StatusConflict] != 19 {
		t.Fatalf("20 concurrent claims: %v, want one 200 and nineteen 409", statuses)
	}
	claimed, _ := alice.Client.GetEscalationWithResponse(ctx, id)
	winner, other := alice, bob
	if *claimed.JSON200.ClaimedBy == bob.UserID {
		winner, other = bob, alice
	}
	if r, _ := other.Client.ResolveEscalationWithResponse(ctx, id, oapi.HandoffResolve{ResolutionNote: "not mine"}); r.StatusCode() != http.StatusForbidden {
		t.Errorf("resolve by the other engineer = %d, want 403", r.StatusCode())
	}
	if r, _ := other.Client.CancelEscalationWithResponse(ctx, id, oapi.HandoffCancel{}); r.StatusCode() != http.StatusForbidden {
		t.Errorf("cancel of someone else's claimed handoff = %d, want 403", r.StatusCode())
	}
	resolved, _ := winner.Client.ResolveEscalationWithResponse(ctx, id, oapi.HandoffResolve{ResolutionNote: "Replaced the fuser"})
	if resolved.StatusCode() != http.StatusOK || resolved.JSON200.Status != oapi.HandoffStatusResolved || deref(resolved.JSON200.ResolutionNote) != "Replaced the fuser" {
		t.Fatalf("resolve: %d %s", resolved.StatusCode(), resolved.Body)
	}
	if got, _ := tech.Client.GetSessionWithResponse(ctx, sess.Id); got.JSON200.Status != oapi.SessionStatusResolved || got.JSON200.ResolutionNote != "Replaced the fuser" {
		t.Errorf("the originating session is %s (%q), want resolved with the engineer's note", got.JSON200.Status, got.JSON200.ResolutionNote)
	}
	open, _ := alice.Client.ListEscalationsWithResponse(ctx, &oapi.ListEscalationsParams{})
	if open.JSON200.Total != 0 {
		t.Errorf("the default queue still lists %d handoffs", open.JSON200.Total)
	}

	events, _ := alice.Client.ListEscalationEventsWithResponse(ctx, &oapi.ListEscalationEventsParams{})
	var types []oapi.EscalationEventType
	for _, e := range events.JSON200.Items {
		types = append(types, e.Type)
	}
	if len(types) != 3 || types[0] != oapi.HandoffCreated || types[1] != oapi.HandoffClaimed || types[2] != oapi.HandoffResolved || !events.JSON200.EndOfStream {
		t.Fatalf("events = %v", types)
	}
	if events.JSON200.Items[1].Handoff.Status != oapi.HandoffStatusClaimed {
		t.Errorf("the claimed event carries the handoff as %s, want claimed", events.JSON200.Items[1].Handoff.Status)
	}
	// Paging the cursor one event at a time yields the same events, in order, then the end.
	var after int64
	for i := range 3 {
		page, _ := alice.Client.ListEscalationEventsWithResponse(ctx, &oapi.ListEscalationEventsParams{After: &after, Limit: ptr[int32](1)})
		if len(page.JSON200.Items) != 1 || page.JSON200.Items[0].Id != events.JSON200.Items[i].Id {
			t.Fatalf("page %d = %+v", i, page.JSON200)
		}
		after = page.JSON200.NextCursor
	}
	if last, _ := alice.Client.ListEscalationEventsWithResponse(ctx, &oapi.ListEscalationEventsParams{After: &after}); len(last.JSON200.Items) != 0 || last.JSON200.NextCursor != after || !last.JSON200.EndOfStream {
		t.Errorf("after the last event: %+v", last.JSON200)
	}
}

func TestEscalationIsIdempotent(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Idempotency")
	tech := s.AddUser(admin, oapi.Viewer)
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))

	sess, first := escalated(t, tech, tree.Id, "retry-1", oapi.EscalationRequest{Summary: "Stuck"})
	if first.StatusCode() != http.StatusCreated {
		t.Fatalf("first: %d %s", first.StatusCode(), first.Body)
	}
	key := "retry-1"
	second, _ := tech.Client.EscalateSessionWithResponse(ctx, sess.Id, &oapi.EscalateSessionParams{IdempotencyKey: &key}, oapi.EscalationRequest{Summary: "Stuck"})
	if second.StatusCode() != http.StatusCreated || second.JSON201.Id != first.JSON201.Id {
		t.Fatalf("retry: %d, id %v; want 201 with the first handoff %v", second.StatusCode(), second.JSON201, first.JSON201.Id)
	}
	queue, _ := admin.Client.ListEscalationsWithResponse(ctx, &oapi.ListEscalationsParams{})
	if queue.JSON200.Total != 1 {
		t.Errorf("%d handoffs after a retried create, want 1", queue.JSON200.Total)
	}
	// The same key with another body is not a retry: 422, saying so, and nothing changes.
	for name, body := range map[string]oapi.EscalationRequest{
		"another summary":  {Summary: "Stuck, and now the tray jams"},
		"another priority": {Summary: "Stuck", Priority: ptr(oapi.Urgent)},
		"a target":         {Summary: "Stuck", TargetUserId: &admin.UserID},
	} {
		r, _ := tech.Client.EscalateSessionWithResponse(ctx, sess.Id, &oapi.EscalateSessionParams{IdempotencyKey: &key}, body)
		if r.StatusCode() != http.StatusUnprocessableEntity || !strings.Contains(deref(r.ApplicationproblemJSON422.Detail), "different request body") {
			t.Errorf("%s with the same key = %d %s, want 422 naming the different body", name, r.StatusCode(), r.Body)
		}
	}
	if got, _ := admin.Client.GetEscalationWithResponse(ctx, first.JSON201.Id); got.JSON200.Summary != "Stuck" || got.JSON200.Priority != oapi.Normal {
		t.Errorf("the first handoff changed: %+v", got.JSON200)
	}
}

// A claimed handoff is released back to the queue by its claimer or an admin, a technician
// withdraws an open handoff of their own, and each change is an event.
func TestReleaseAndWithdraw(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Lifecycle gaps")
	tech := s.AddUser(admin, oapi.Viewer)
	colleague := s.AddUser(admin, oapi.Viewer)
	eng := s.AddUser(admin, oapi.Engineer)
	other := s.AddUser(admin, oapi.Engineer)
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))
	_, r := escalated(t, tech, tree.Id, "", oapi.EscalationRequest{Summary: "Release me"})
	id := r.JSON201.Id

	if rel, _ := eng.Client.ReleaseEscalationWithResponse(ctx, id); rel.StatusCode() != http.StatusConflict {
		t.Errorf("releasing an open handoff = %d, want 409", rel.StatusCode())
	}
	wantStatus(t, http.StatusOK)(eng.Client.ClaimEscalationWithResponse(ctx, id))
	if rel, _ := other.Client.ReleaseEscalationWithResponse(ctx, id); rel.StatusCode() != http.StatusForbidden {
		t.Errorf("another engineer releasing = %d, want 403", rel.StatusCode())
	}
	if rel, _ := tech.Client.ReleaseEscalationWithResponse(ctx, id); rel.StatusCode() != http.StatusForbidden {
		t.Errorf("a technician releasing = %d, want 403", rel.StatusCode())
	}
	rel, _ := eng.Client.ReleaseEscalationWithResponse(ctx, id)
	if rel.StatusCode() != http.StatusOK || rel.JSON200.Status != oapi.HandoffStatusOpen || rel.JSON200.ClaimedBy != nil || rel.JSON200.ClaimedAt != nil {
		t.Fatalf("release by the claimer = %d %s, want it open and unclaimed", rel.StatusCode(), rel.Body)
	}
	if q, _ := other.Client.ListEscalationsWithResponse(ctx, &oapi.ListEscalationsParams{Status: ptr(oapi.HandoffStatusOpen)}); q.JSON200.Total != 1 {
		t.Errorf("the released handoff is not back in the open queue: %d open", q.JSON200.Total)
	}
	if c, _ := other.Client.ClaimEscalationWithResponse(ctx, id); c.StatusCode() != http.StatusOK {
		t.Fatalf("claiming the released handoff = %d", c.StatusCode())
	}
	if rel, _ := admin.Client.ReleaseEscalationWithResponse(ctx, id); rel.StatusCode() != http.StatusOK {
		t.Errorf("an admin releasing another's claim = %d, want 200", rel.StatusCode())
	}

	// A technician withdraws their own open handoff, not a colleague's, and not a claimed one.
	if w, _ := colleague.Client.CancelEscalationWithResponse(ctx, id, oapi.HandoffCancel{Reason: ptr("not mine")}); w.StatusCode() != http.StatusNotFound {
		t.Errorf("another technician withdrawing = %d, want 404", w.StatusCode())
	}
	w, _ := tech.Client.CancelEscalationWithResponse(ctx, id, oapi.HandoffCancel{Reason: ptr("the user rebooted it and it works")})
	if w.StatusCode() != http.StatusOK || w.JSON200.Status != oapi.HandoffStatusCancelled || deref(w.JSON200.CancelReason) != "the user rebooted it and it works" {
		t.Fatalf("withdrawing = %d %s", w.StatusCode(), w.Body)
	}
	_, r2 := escalated(t, tech, tree.Id, "", oapi.EscalationRequest{Summary: "Claimed before it could be withdrawn"})
	wantStatus(t, http.StatusOK)(eng.Client.ClaimEscalationWithResponse(ctx, r2.JSON201.Id))
	if w, _ := tech.Client.CancelEscalationWithResponse(ctx, r2.JSON201.Id, oapi.HandoffCancel{}); w.StatusCode() != http.StatusForbidden {
		t.Errorf("a technician withdrawing a claimed handoff = %d, want 403", w.StatusCode())
	}
	if got, _ := eng.Client.GetEscalationWithResponse(ctx, id); deref(got.JSON200.CancelReason) != "the user rebooted it and it works" {
		t.Errorf("the cancel reason is not returned: %+v", got.JSON200.CancelReason)
	}

	events, _ := admin.Client.ListEscalationEventsWithResponse(ctx, &oapi.ListEscalationEventsParams{})
	var types []string
	for _, e := range events.JSON200.Items {
		if e.HandoffId == id {
			types = append(types, string(e.Type))
		}
	}
	want := "handoff_created handoff_claimed handoff_released handoff_claimed handoff_released handoff_cancelled"
	if strings.Join(types, " ") != want {
		t.Errorf("the handoff's events = %v, want %s", types, want)
	}
}

func TestEscalationRules(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Rules")
	tech := s.AddUser(admin, oapi.Viewer)
	eng := s.AddUser(admin, oapi.Engineer)
	other := s.Register("Elsewhere")
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))

	for name, target := range map[string]uuid.UUID{"a viewer": tech.UserID, "the caller": tech.UserID, "another account's admin": other.UserID} {
		_, r := escalated(t, tech, tree.Id, "", oapi.EscalationRequest{Summary: "x", TargetUserId: &target})
		if r.StatusCode() != http.StatusUnprocessableEntity {
			t.Errorf("target %s = %d, want 422", name, r.StatusCode())
		}
	}
	_, r := escalated(t, tech, tree.Id, "", oapi.EscalationRequest{Summary: "for eng", TargetUserId: &eng.UserID})
	if r.StatusCode() != http.StatusCreated || *r.JSON201.TargetUserId != eng.UserID {
		t.Fatalf("targeted escalation: %d %s", r.StatusCode(), r.Body)
	}
	emails, err := s.DB.ListHandoffNotifications(ctx, dbq.ListHandoffNotificationsParams{AccountID: admin.AccountID, HandoffID: r.JSON201.Id})
	if err != nil || len(emails) != 1 || emails[0].UserID != eng.UserID {
		t.Errorf("a targeted handoff queued %d emails (%v), want one to the target", len(emails), err)
	}
	quiet := s.AddUser(admin, oapi.Engineer)
	if me, err := quiet.Client.UpdateMeWithResponse(ctx, oapi.MeUpdate{EscalationEmails: ptr(false)}); err != nil || me.StatusCode() != http.StatusOK || me.JSON200.User.EscalationEmails {
		t.Fatalf("opt out: %v %d", err, me.StatusCode())
	}
	_, broad := escalated(t, tech, tree.Id, "", oapi.EscalationRequest{Summary: "for everyone"})
	emails, _ = s.DB.ListHandoffNotifications(ctx, dbq.ListHandoffNotificationsParams{AccountID: admin.AccountID, HandoffID: broad.JSON201.Id})
	recipients := map[uuid.UUID]bool{}
	for _, e := range emails {
		recipients[e.UserID] = true
	}
	if len(recipients) != 2 || !recipients[admin.UserID] || !recipients[eng.UserID] {
		t.Errorf("an untargeted handoff mails %v, want the admin and the engineer (not the viewer who created it, nor the engineer who opted out)", recipients)
	}
	mine, _ := eng.Client.ListEscalationsWithResponse(ctx, &oapi.ListEscalationsParams{AssignedToMe: ptr(true)})
	if mine.JSON200.Total != 1 {
		t.Errorf("assigned_to_me lists %d", mine.JSON200.Total)
	}
	targeted, _ := admin.Client.ListEscalationsWithResponse(ctx, &oapi.ListEscalationsParams{TargetUserId: &eng.UserID})
	old, _ := admin.Client.ListEscalationsWithResponse(ctx, &oapi.ListEscalationsParams{CreatedBefore: ptr(time.Now().Add(-time.Hour))})
	all, _ := admin.Client.ListEscalationsWithResponse(ctx, &oapi.ListEscalationsParams{})
	if targeted.JSON200.Total != 1 || old.JSON200.Total != 0 || all.JSON200.Total != 2 {
		t.Errorf("target filter %d, age filter %d, all %d; want 1, 0, 2", targeted.JSON200.Total, old.JSON200.Total, all.JSON200.Total)
	}

	forbidden := map[string]int{}
	l, _ := tech.Client.ListEscalationsWithResponse(ctx, &oapi.ListEscalationsParams{})
	forbidden["list"] = l.StatusCode()
	g, _ := tech.Client.GetEscalationWithResponse(ctx, r.JSON201.Id)
	forbidden["get"] = g.StatusCode()
	c, _ := tech.Client.ClaimEscalationWithResponse(ctx, r.JSON201.Id)
	forbidden["claim"] = c.StatusCode()
	e, _ := tech.Client.ListEscalationEventsWithResponse(ctx, &oapi.ListEscalationEventsParams{})
	forbidden["events"] = e.StatusCode()
	for op, status := range forbidden {
		if status != http.StatusForbidden {
			t.Errorf("viewer %s = %d, want 403", op, status)
		}
	}

	// Cancel: by an admin while open.
	if r, _ := admin.Client.CancelEscalationWithResponse(ctx, r.JSON201.Id, oapi.HandoffCancel{Reason: ptr("duplicate")}); r.StatusCode() != http.StatusOK || r.JSON200.Status != oapi.HandoffStatusCancelled {
		t.Errorf("admin cancel = %d", r.StatusCode())
	}
}

func TestHandoffsOfAnotherAccountAreNotFound(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	a := s.Register("Account A")
	b := s.Register("Account B")
	tree, _ := createTree(t, b, printerTree("B's tree", oapi.TreeWriteStatusPublished))
	_, r := escalated(t, b, tree.Id, "", oapi.EscalationRequest{Summary: "B's problem"})
	id := r.JSON201.Id

	statuses := map[string]int{}
	g, _ := a.Client.GetEscalationWithResponse(ctx, id)
	statuses["get"] = g.StatusCode()
	c, _ := a.Client.ClaimEscalationWithResponse(ctx, id)
	statuses["claim"] = c.StatusCode()
	rs, _ := a.Client.ResolveEscalationWithResponse(ctx, id, oapi.HandoffResolve{ResolutionNote: "x"})
	statuses["resolve"] = rs.StatusCode()
	rl, _ := a.Client.ReleaseEscalationWithResponse(ctx, id)
	statuses["release"] = rl.StatusCode()
	cn, _ := a.Client.CancelEscalationWithResponse(ctx, id, oapi.HandoffCancel{})
	statuses["cancel"] = cn.StatusCode()
	for op, status := range statuses {
		if status != http.StatusNotFound {
			t.Errorf("%s of another account's handoff = %d, want 404", op, status)
		}
	}
	if q, _ := a.Client.ListEscalationsWithResponse(ctx, &oapi.ListEscalationsParams{}); q.JSON200.Total != 0 {
		t.Errorf("account A's queue lists %d handoffs", q.JSON200.Total)
	}
	if e, _ := a.Client.ListEscalationEventsWithResponse(ctx, &oapi.ListEscalationEventsParams{}); len(e.JSON200.Items) != 0 {
		t.Errorf("account A reads %d events of account B", len(e.JSON200.Items))
	}
	if got, _ := b.Client.GetEscalationWithResponse(ctx, id); got.JSON200.Status != oapi.HandoffStatusOpen {
		t.Errorf("account B's handoff changed: %s", got.JSON200.Status)
	}
}

// Completing a session as escalated hands it off: it never ends escalated without reaching the
// queue.
func TestCompletingAsEscalatedHandsOff(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Complete")
	tech := s.AddUser(admin, oapi.Viewer)
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))
	sess := startSession(t, tech, tree.Id)
	answer(t, tech, sess.Id, "power", "on", http.StatusOK)
	done, err := tech.Client.CompleteSessionWithResponse(ctx, sess.Id, oapi.SessionComplete{Outcome: oapi.SessionOutcomeEscalated})
	if err != nil || done.StatusCode() != http.StatusOK || done.JSON200.Status != oapi.SessionStatusEscalated {
		t.Fatalf("complete as escalated: %v %d %s", err, done.StatusCode(), done.Body)
	}
	queue, _ := admin.Client.ListEscalationsWithResponse(ctx, &oapi.ListEscalationsParams{})
	if queue.JSON200.Total != 1 || *queue.JSON200.Items[0].SessionId != sess.Id || queue.JSON200.Items[0].Summary == "" {
		t.Fatalf("queue after completing as escalated: %+v", queue.JSON200.Items)
	}
}

// Retries racing each other with one Idempotency-Key all get the one handoff.
func TestConcurrentRetriesShareOneHandoff(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Retries")
	tech := s.AddUser(admin, oapi.Viewer)
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))
	sess := startSession(t, tech, tree.Id)
	key := "same-key"
	var mu sync.Mutex
	ids := map[uuid.UUID]bool{}
	statuses := parallelStatuses(t, 10, func() (int, error) {
		r, err := tech.Client.EscalateSessionWithResponse(ctx, sess.Id, &oapi.EscalateSessionParams{IdempotencyKey: &key}, oapi.EscalationRequest{Summary: "once"})
		if err != nil {
			return 0, err
		}
		if r.JSON201 != nil {
			mu.Lock()
			ids[r.JSON201.Id] = true
			mu.Unlock()
		}
		return r.StatusCode(), nil
	})
	if statuses[http.StatusCreated] != 10 || len(ids) != 1 {
		t.Errorf("10 concurrent retries: %v with %d distinct handoffs, want ten 201 with one", statuses, len(ids))
	}
	other := startSession(t, tech, tree.Id)
	if r, _ := tech.Client.EscalateSessionWithResponse(ctx, other.Id, &oapi.EscalateSessionParams{IdempotencyKey: &key}, oapi.EscalationRequest{Summary: "x"}); r.StatusCode() != http.StatusUnprocessableEntity {
		t.Errorf("the key reused for another session = %d, want 422", r.StatusCode())
	}
}
