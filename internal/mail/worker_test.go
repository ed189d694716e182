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
