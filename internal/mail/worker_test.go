package mail

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
	"github.com/resolutionflow/resolutionflow/internal/testdb"
)

// smtpServer is a real SMTP server in the test process that records what it receives and can
// refuse the first messages with a temporary error.
type smtpServer struct {
	mu       sync.Mutex
	refuse   int
	received []received
}

type received struct {
	from, to string
	data     string
}

func (b *smtpServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{b: b}, nil }

type smtpSession struct {
	b        *smtpServer
	from, to string
}

func (s *smtpSession) Reset()        {}
func (s *smtpSession) Logout() error { return nil }
func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	if s.b.refuse > 0 {
		s.b.refuse--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.b.received = append(s.b.received, received{from: s.from, to: s.to, data: string(data)})
	return nil
}

func startSMTP(t *testing.T, refuse int) (*smtpServer, string) {
	t.Helper()
	b := &smtpServer{refuse: refuse}
	srv := smtp.NewServer(b)
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return b, "smtp://" + ln.Addr().String()
}

// queued creates an account with an admin, two engineers (one opted out of emails) and a viewer,
// and a handoff by the admin with its emails queued.
func queued(t *testing.T, db *postgres.DB) (dbq.Handoff, map[string]bool) {
	t.Helper()
	ctx := context.Background()
	acc, err := db.CreateAccount(ctx, "Mail")
	if err != nil {
		t.Fatal(err)
	}
	users := map[string]string{"admin@m.example": "admin", "eng@m.example": "engineer", "quiet@m.example": "engineer", "viewer@m.example": "viewer"}
	var admin dbq.User
	for email, role := range users {
		u, err := db.CreateUser(ctx, dbq.CreateUserParams{AccountID: acc.ID, Email: email, Name: email, Role: role, PasswordHash: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if role == "admin" {
			admin = u
		}
		if email == "quiet@m.example" {
			if _, err := db.Pool.Exec(ctx, "UPDATE users SET escalation_emails = false WHERE id = $1", u.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	h, err := db.CreateHandoff(ctx, dbq.CreateHandoffParams{
		AccountID: acc.ID, Source: "session", Summary: "VPN down for the whole office", Priority: "urgent",
		CreatedBy: admin.ID, Snapshot: []byte(`{"problem_summary":"VPN down","steps":[]}`), CreatedAt: time.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Render(domain.Handoff{ID: h.ID, Summary: h.Summary, Priority: domain.PriorityUrgent,
		Context: domain.HandoffContext{ProblemSummary: "VPN down", TicketRef: "T-9", Steps: []domain.ContextStep{{Kind: domain.StepAnswer, Text: "Is <the> tunnel up?", Answer: "No"}}}}, "http://rf.test/h/1")
	if err != nil {
		t.Fatal(err)
	}
	n, err := db.QueueHandoffNotifications(ctx, dbq.QueueHandoffNotificationsParams{
		AccountID: acc.ID, HandoffID: h.ID, CreatedBy: admin.ID, Subject: m.Subject, TextBody: m.Text, HtmlBody: m.HTML,
	})
	if err != nil || n != 1 {
		t.Fatalf("queued %d emails (%v), want 1: engineers and admins who want them, not the creator", n, err)
	}
	return h, map[string]bool{"eng@m.example": true}
}

func runWorker(t *testing.T, db *postgres.DB, sender Sender, attempts int32) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	w := &Worker{DB: db, Sender: sender, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now,
		Poll: 20 * time.Millisecond, MaxAttempts: attempts, Backoff: func(int32) time.Duration { return 10 * time.Millisecond }}
	go func() { defer close(done); w.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

func waitFor(t *testing.T, db *postgres.DB, h dbq.Handoff, done func(dbq.Notification) bool) []dbq.Notification {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ns, err := db.ListHandoffNotifications(context.Background(), dbq.ListHandoffNotificationsParams{AccountID: h.AccountID, HandoffID: h.ID})
		if err != nil {
			t.Fatal(err)
		}
		finished := len(ns) > 0
		for _, n := range ns {
			finished = finished && done(n)
		}
		if finished {
			return ns
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the outbox did not settle")
	return nil
}

func TestWorkerSendsOverSMTPAfterRetries(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	h, want := queued(t, db)
	server, url := startSMTP(t, 2) // the first two attempts are refused
	sender, err := NewSMTPSender(url, "ResolutionFlow <noreply@rf.test>")
	if err != nil {
		t.Fatal(err)
	}
	runWorker(t, db, sender, 5)
	ns := waitFor(t, db, h, func(n dbq.Notification) bool { return n.SentAt != nil })
	if ns[0].Attempts != 3 {
		t.Errorf("sent after %d attempts, want 3 (two refused)", ns[0].Attempts)
	}
	server.mu.Lock()
	defer server.mu.Unlock()
	if len(server.received) != 1 || !want[server.received[0].to] {
		t.Fatalf("the SMTP server received %+v", server.received)
	}
	data := server.received[0].data
	for _, s := range []string{"Subject: [URGENT] Escalation: VPN down for the whole office", "T-9", "http://rf.test/h/1", "text/html", "Is &lt;the&gt; tunnel up?"} {
		if !strings.Contains(data, s) {
			t.Errorf("the email lacks %q:\n%s", s, data)
		}
	}
}

type failing struct{}

func (failing) Send(context.Context, Envelope) error { return errors.New("550 mailbox unavailable") }

func TestWorkerGivesUpAndRecordsWhy(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	h, _ := queued(t, db)
	runWorker(t, db, failing{}, 3)
	ns := waitFor(t, db, h, func(n dbq.Notification) bool { return n.FailedAt != nil })
	if ns[0].Attempts != 3 || !strings.Contains(ns[0].LastError, "550") || ns[0].SentAt != nil {
		t.Errorf("gave up as %+v", ns[0])
	}
}

// Two workers (two replicas) on one outbox send each email once.
func TestWorkersShareTheOutbox(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	h, _ := queued(t, db)
	server, url := startSMTP(t, 0)
	sender, err := NewSMTPSender(url, "noreply@rf.test")
	if err != nil {
		t.Fatal(err)
	}
	runWorker(t, db, sender, 5)
	runWorker(t, db, sender, 5)
	waitFor(t, db, h, func(n dbq.Notification) bool { return n.SentAt != nil })
	time.Sleep(100 * time.Millisecond) // a duplicate would arrive within a few polls
	server.mu.Lock()
	defer server.mu.Unlock()
	if len(server.received) != 1 {
		t.Errorf("received %d emails, want 1", len(server.received))
	}
}

// blocking is an SMTP server that never answers: a send ends only when the worker stops.
type blocking struct{ entered chan struct{} }

func (b blocking) Send(ctx context.Context, _ Envelope) error {
	b.entered <- struct{}{}
	<-ctx.Done()
	return ctx.Err()
}

// counting records every email it is asked to send, after taking its time.
type counting struct {
	mu   sync.Mutex
	took time.Duration
	got  []Envelope
}

func (c *counting) Send(_ context.Context, e Envelope) error {
	time.Sleep(c.took)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, e)
	return nil
}

func (c *counting) sent() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.got)
}

func startWorker(t *testing.T, db *postgres.DB, sender Sender, lease time.Duration) (*Worker, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	w := &Worker{DB: db, Sender: sender, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now,
		Poll: 20 * time.Millisecond, MaxAttempts: 5, Backoff: func(int32) time.Duration { return 10 * time.Millisecond }, Lease: lease}
	go func() { defer close(done); w.Run(ctx) }()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)
	return w, stop
}

// A worker stopped in the middle of a send (a restart) hands the email back at once: another
// worker sends it well before the lease would have run out, and it is sent once.
func TestAStoppedWorkerHandsItsEmailBackAtOnce(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	h, _ := queued(t, db)
	stuck := blocking{entered: make(chan struct{}, 1)}
	_, stopFirst := startWorker(t, db, stuck, DefaultLease)
	<-stuck.entered
	// Had the worker died instead, the email would wait no longer than the short lease.
	var ms float64
	if err := db.Pool.QueryRow(context.Background(), "SELECT extract(epoch FROM next_attempt_at - now())::float8 * 1000 FROM notifications WHERE handoff_id = $1", h.ID).Scan(&ms); err != nil {
		t.Fatal(err)
	}
	if leased := time.Duration(ms) * time.Millisecond; leased > DefaultLease {
		t.Errorf("an email being sent is leased for %s, want at most %s", leased, DefaultLease)
	}
	stopFirst()
	stoppedAt := time.Now()
	other := &counting{}
	second, _ := startWorker(t, db, other, DefaultLease)
	ns := waitFor(t, db, h, func(n dbq.Notification) bool { return n.SentAt != nil })
	if waited := time.Since(stoppedAt); waited > DefaultLease/3 {
		t.Errorf("the other worker sent it %s after the first stopped, want well under the %s lease", waited, DefaultLease)
	}
	if other.sent() != 1 || second.Sent() != 1 || ns[0].Attempts != 1 {
		t.Errorf("sent %d times by the other worker (counted %d), %d attempts; want once, and the interrupted try not counted", other.sent(), second.Sent(), ns[0].Attempts)
	}
}

// A send slower than the lease keeps it, renewed as it goes: a second worker never sends the
// same email.
func TestASlowSendKeepsItsLease(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	h, _ := queued(t, db)
	slow := &counting{took: 1200 * time.Millisecond}
	startWorker(t, db, slow, 300*time.Millisecond)
	time.Sleep(100 * time.Millisecond) // the slow worker claims it first
	fast := &counting{}
	startWorker(t, db, fast, 300*time.Millisecond)
	waitFor(t, db, h, func(n dbq.Notification) bool { return n.SentAt != nil })
	time.Sleep(300 * time.Millisecond)
	if slow.sent() != 1 || fast.sent() != 0 {
		t.Errorf("the slow worker sent %d, the other %d; want 1 and 0", slow.sent(), fast.sent())
	}
}

// An email about a conversation with the assistant says what the technician asked and what the
// assistant last answered, instead of "nothing recorded".
func TestAnAIHandoffEmailQuotesTheConversation(t *testing.T) {
	t.Parallel()
	msgs := []domain.AIMessage{
		{Role: "user", Content: "Outlook keeps asking for the password"},
		{Role: "assistant", Content: "Try the Outlook tree."},
		{Role: "user", Content: "Cleared the credentials, still prompts"},
		{Role: "assistant", Content: "Check the sign-in logs in Entra for failures from her device."},
	}
	m, err := Render(domain.Handoff{Summary: "Outlook prompts", Priority: domain.PriorityHigh, Context: domain.HandoffContext{
		ProblemSummary: "Outlook prompts", Transcript: msgs, Assessment: msgs[3].Content, Steps: []domain.ContextStep{},
	}}, "http://rf.test/h/2")
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{m.Text, m.HTML} {
		for _, want := range []string{"4 messages", "Outlook keeps asking for the password", "Cleared the credentials, still prompts", "Check the sign-in logs in Entra"} {
			if !strings.Contains(body, want) {
				t.Errorf("the email lacks %q:\n%s", want, body)
			}
		}
		if strings.Contains(body, "nothing recorded") {
			t.Errorf("the email says nothing was recorded:\n%s", body)
		}
	}
}
