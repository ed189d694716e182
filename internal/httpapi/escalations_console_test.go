package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/apitest"
	"github.com/resolutionflow/resolutionflow/internal/app"
	"github.com/resolutionflow/resolutionflow/internal/mail"
)

// The technician who escalated follows the handoff from the session: who claimed it, how it
// was resolved. Nobody else but the account's engineers may look.
func TestTechnicianFollowsTheirHandoff(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Follow")
	tech := s.AddUser(admin, oapi.Viewer)
	otherTech := s.AddUser(admin, oapi.Viewer)
	eng := s.AddUser(admin, oapi.Engineer)
	stranger := s.Register("Elsewhere")
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))

	t.Run("a session that was not escalated has no handoff", func(t *testing.T) {
		sess := startSession(t, tech, tree.Id)
		if r, _ := tech.Client.GetSessionEscalationWithResponse(ctx, sess.Id); r.StatusCode() != http.StatusNotFound {
			t.Errorf("handoff of an unescalated session = %d, want 404", r.StatusCode())
		}
	})

	sess, created := escalated(t, tech, tree.Id, "", oapi.EscalationRequest{Summary: "Printer still offline"})
	if created.StatusCode() != http.StatusCreated {
		t.Fatalf("escalate: %d %s", created.StatusCode(), created.Body)
	}
	t.Run("the handoff is open and names its creator", func(t *testing.T) {
		r, _ := tech.Client.GetSessionEscalationWithResponse(ctx, sess.Id)
		if r.StatusCode() != http.StatusOK || r.JSON200.Id != created.JSON201.Id || r.JSON200.Status != oapi.HandoffStatusOpen {
			t.Fatalf("own handoff: %d %s", r.StatusCode(), r.Body)
		}
		if deref(r.JSON200.CreatedByName) != "Test viewer" {
			t.Errorf("created_by_name = %q", deref(r.JSON200.CreatedByName))
		}
	})
	t.Run("another technician and another account get 404", func(t *testing.T) {
		if r, _ := otherTech.Client.GetSessionEscalationWithResponse(ctx, sess.Id); r.StatusCode() != http.StatusNotFound {
			t.Errorf("another viewer = %d, want 404", r.StatusCode())
		}
		if r, _ := stranger.Client.GetSessionEscalationWithResponse(ctx, sess.Id); r.StatusCode() != http.StatusNotFound {
			t.Errorf("another account = %d, want 404", r.StatusCode())
		}
	})
	t.Run("once claimed, it says by whom", func(t *testing.T) {
		if r, _ := eng.Client.ClaimEscalationWithResponse(ctx, created.JSON201.Id); r.StatusCode() != http.StatusOK || deref(r.JSON200.ClaimedByName) != "Test engineer" {
			t.Fatalf("claim: %d %s", r.StatusCode(), r.Body)
		}
		r, _ := tech.Client.GetSessionEscalationWithResponse(ctx, sess.Id)
		if r.JSON200.Status != oapi.HandoffStatusClaimed || deref(r.JSON200.ClaimedByName) != "Test engineer" || r.JSON200.ClaimedAt == nil {
			t.Errorf("after the claim: %s", r.Body)
		}
	})
	t.Run("once resolved, it carries the engineer's note", func(t *testing.T) {
		wantStatus(t, http.StatusOK)(eng.Client.ResolveEscalationWithResponse(ctx, created.JSON201.Id, oapi.HandoffResolve{ResolutionNote: "Reinstalled the driver"}))
		r, _ := tech.Client.GetSessionEscalationWithResponse(ctx, sess.Id)
		if r.JSON200.Status != oapi.HandoffStatusResolved || deref(r.JSON200.ResolutionNote) != "Reinstalled the driver" {
			t.Errorf("after resolving: %s", r.Body)
		}
		if e, _ := eng.Client.GetSessionEscalationWithResponse(ctx, sess.Id); e.StatusCode() != http.StatusOK {
			t.Errorf("an engineer reads the session's handoff: %d", e.StatusCode())
		}
	})
}

func TestEscalationTargetsAreTheAccountsEngineers(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Targets")
	tech := s.AddUser(admin, oapi.Viewer)
	eng := s.AddUser(admin, oapi.Engineer)
	gone := s.AddUser(admin, oapi.Engineer)
	if r, _ := admin.Client.DeactivateUserWithResponse(ctx, gone.UserID); r.StatusCode() >= 300 {
		t.Fatalf("deactivate: %d", r.StatusCode())
	}
	s.Register("Another MSP")

	names := func(c apitest.Caller) []string {
		r, err := c.Client.ListEscalationTargetsWithResponse(ctx)
		if err != nil || r.StatusCode() != http.StatusOK {
			t.Fatalf("targets: %v %d", err, r.StatusCode())
		}
		var out []string
		for _, it := range r.JSON200.Items {
			out = append(out, it.Name+"/"+string(it.Role))
		}
		return out
	}
	if got := strings.Join(names(tech), ","); got != "Ada Admin/admin,Test engineer/engineer" {
		t.Errorf("a viewer's targets = %s, want the active engineers and admins of the account", got)
	}
	if got := strings.Join(names(eng), ","); got != "Ada Admin/admin" {
		t.Errorf("an engineer's targets = %s, want everyone but themself", got)
	}
}

func TestHandoffsNamePeopleAndTimeTheirSteps(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Names")
	tech := s.AddUser(admin, oapi.Viewer)
	alice := s.AddUser(admin, oapi.Engineer)
	bob := s.AddUser(admin, oapi.Engineer)
	if r, _ := admin.Client.UpdateUserWithResponse(ctx, bob.UserID, oapi.UserUpdate{Name: ptr("Bob Builder")}); r.StatusCode() != http.StatusOK {
		t.Fatalf("rename: %d", r.StatusCode())
	}
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))
	before := time.Now().Add(-time.Minute)
	_, r := escalated(t, tech, tree.Id, "", oapi.EscalationRequest{Summary: "Jammed", TargetUserId: &alice.UserID})
	id := r.JSON201.Id

	t.Run("the queue names the creator and the target", func(t *testing.T) {
		q, _ := alice.Client.ListEscalationsWithResponse(ctx, &oapi.ListEscalationsParams{})
		h := q.JSON200.Items[0]
		if deref(h.CreatedByName) != "Test viewer" || deref(h.TargetUserName) != "Test engineer" || h.ClaimedByName != nil {
			t.Errorf("queue item names: %+v %+v %+v", h.CreatedByName, h.TargetUserName, h.ClaimedByName)
		}
		if deref(h.TreeTitle) != "Printer offline" || deref(h.TicketRef) != "T-1001" {
			t.Errorf("queue item context: tree %q ticket %q", deref(h.TreeTitle), deref(h.TicketRef))
		}
	})
	t.Run("every step of the context has its time", func(t *testing.T) {
		d, _ := alice.Client.GetEscalationWithResponse(ctx, id)
		for i, st := range d.JSON200.Context.Steps {
			if st.At == nil || st.At.Before(before) || st.At.After(time.Now().Add(time.Minute)) {
				t.Errorf("step %d at %v", i, st.At)
			}
		}
	})
	t.Run("a second claim is told who got there first", func(t *testing.T) {
		if c, _ := bob.Client.ClaimEscalationWithResponse(ctx, id); c.StatusCode() != http.StatusOK {
			t.Fatalf("claim: %d", c.StatusCode())
		}
		late, _ := alice.Client.ClaimEscalationWithResponse(ctx, id)
		if late.StatusCode() != http.StatusConflict || !strings.Contains(deref(late.ApplicationproblemJSON409.Detail), "Bob Builder") {
			t.Errorf("late claim: %d %s, want 409 naming Bob Builder", late.StatusCode(), late.Body)
		}
	})
	t.Run("the claimer may cancel a claimed handoff, with a reason that is kept", func(t *testing.T) {
		if c, _ := alice.Client.CancelEscalationWithResponse(ctx, id, oapi.HandoffCancel{Reason: ptr("not mine")}); c.StatusCode() != http.StatusForbidden {
			t.Errorf("cancel by another engineer = %d, want 403", c.StatusCode())
		}
		c, _ := bob.Client.CancelEscalationWithResponse(ctx, id, oapi.HandoffCancel{Reason: ptr("Duplicate of T-1001")})
		if c.StatusCode() != http.StatusOK || c.JSON200.Status != oapi.HandoffStatusCancelled || deref(c.JSON200.CancelReason) != "Duplicate of T-1001" {
			t.Fatalf("cancel by the claimer: %d %s", c.StatusCode(), c.Body)
		}
		if again, _ := bob.Client.CancelEscalationWithResponse(ctx, id, oapi.HandoffCancel{}); again.StatusCode() != http.StatusConflict {
			t.Errorf("cancelling a cancelled handoff = %d, want 409", again.StatusCode())
		}
	})
}

// capturedMail keeps what the outbox worker sends, in place of an SMTP server.
type capturedMail chan mail.Envelope

func (c capturedMail) Send(_ context.Context, e mail.Envelope) error {
	c <- e
	return nil
}

// The email's link opens the console's page of the handoff, not a JSON API URL.
func TestHandoffEmailLinksToTheConsole(t *testing.T) {
	t.Parallel()
	sent := make(capturedMail, 4)
	s := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) {
		st.Mail, st.PublicURL = sent, "https://console.msp.example/"
	}))
	admin := s.Register("Mail")
	tech := s.AddUser(admin, oapi.Viewer)
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))
	_, r := escalated(t, tech, tree.Id, "", oapi.EscalationRequest{Summary: "Printer still offline"})
	link := "https://console.msp.example/escalations/" + r.JSON201.Id.String()
	select {
	case e := <-sent:
		if !strings.Contains(e.Message.Text, link) || !strings.Contains(e.Message.HTML, `href="`+link+`"`) {
			t.Errorf("the email does not link to %s:\n%s", link, e.Message.Text)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no email was sent")
	}
}

// A flood of handoffs does not flood the engineers' inboxes: past the first few in the window,
// each recipient gets one digest for the rest of it, listing every handoff with its link; the
// metrics count what was sent.
func TestAFloodOfHandoffsBecomesADigest(t *testing.T) {
	t.Parallel()
	sent := make(capturedMail, 64)
	s := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) {
		st.Mail, st.MailDigestAfter, st.MailDigestWindow = sent, 3, 1500*time.Millisecond
	}))
	admin := s.Register("Flood")
	tech := s.AddUser(admin, oapi.Viewer)
	tree, _ := createTree(t, admin, printerTree("Printer offline", oapi.TreeWriteStatusPublished))
	var wg sync.WaitGroup
	ids := make([]string, 10)
	for i := range ids {
		wg.Go(func() {
			_, r := escalated(t, tech, tree.Id, "", oapi.EscalationRequest{Summary: fmt.Sprintf("Flood %d", i)})
			ids[i] = r.JSON201.Id.String()
		})
	}
	wg.Wait()
	var single, digests []mail.Envelope
	deadline := time.After(15 * time.Second)
	for len(single)+len(digests) < 4 {
		select {
		case e := <-sent:
			if strings.HasSuffix(e.Message.Subject, "new escalations") {
				digests = append(digests, e)
			} else {
				single = append(single, e)
			}
		case <-deadline:
			t.Fatalf("after 15 s the admin got %d single emails and %d digests, want 3 and 1", len(single), len(digests))
		}
	}
	select {
	case e := <-sent:
		t.Fatalf("a fifth email: %q", e.Message.Subject)
	case <-time.After(500 * time.Millisecond):
	}
	if len(single) != 3 || len(digests) != 1 || digests[0].Message.Subject != "7 new escalations" {
		t.Fatalf("got %d single emails and digests %v; want 3 and one of 7", len(single), digests)
	}
	listed := 0
	for _, id := range ids {
		if strings.Contains(digests[0].Message.Text+strings.Join([]string{single[0].Message.Text, single[1].Message.Text, single[2].Message.Text}, ""), "/escalations/"+id) {
			listed++
		}
	}
	if listed != 10 {
		t.Errorf("%d of the 10 handoffs are linked from the emails, want every one", listed)
	}
	metrics := do(t, s, http.MethodGet, "/metrics", "", "", "")
	body, _ := io.ReadAll(metrics.Body)
	for _, want := range []string{"resolutionflow_emails_sent_total 10", "resolutionflow_email_oldest_pending_seconds 0", "resolutionflow_streams_open 0"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
