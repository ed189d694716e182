package mail

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
)

// Envelope is one email to one recipient.
type Envelope struct {
	To      string
	Message Message
}

// Sender delivers an email, or says why not.
type Sender interface {
	Send(ctx context.Context, e Envelope) error
}

// LogSender logs emails instead of sending them, for when no SMTP_URL is configured.
type LogSender struct{ Log *slog.Logger }

func (s LogSender) Send(_ context.Context, e Envelope) error {
	s.Log.Info("email (SMTP_URL is not set, so it is logged, not sent)", "to", e.To, "subject", e.Message.Subject, "body", e.Message.Text)
	return nil
}

// SMTPSender sends through an SMTP server given as smtp://[user:password@]host[:port]
// (STARTTLS when the server offers it) or smtps://... (TLS from the start).
type SMTPSender struct {
	From    string
	options []gomail.Option
	host    string
}

// NewSMTPSender parses the server URL.
func NewSMTPSender(rawURL, from string) (*SMTPSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("SMTP_URL %q is not a URL like smtp://user:password@mail.example.com:587", rawURL)
	}
	opts := []gomail.Option{gomail.WithTimeout(sendTimeout)}
	switch u.Scheme {
	case "smtp":
		opts = append(opts, gomail.WithTLSPortPolicy(gomail.TLSOpportunistic))
	case "smtps":
		opts = append(opts, gomail.WithSSL())
	default:
		return nil, fmt.Errorf("SMTP_URL scheme %q: use smtp or smtps", u.Scheme)
	}
	if p := u.Port(); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("SMTP_URL port %q is not a number", p)
		}
		opts = append(opts, gomail.WithPort(port))
	}
	if u.User != nil {
		password, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(u.User.Username()), gomail.WithPassword(password))
	}
	return &SMTPSender{From: from, options: opts, host: u.Hostname()}, nil
}

func (s *SMTPSender) Send(ctx context.Context, e Envelope) error {
	m := gomail.NewMsg()
	if err := m.From(s.From); err != nil {
		return fmt.Errorf("from %q: %w", s.From, err)
	}
	if err := m.To(e.To); err != nil {
		return fmt.Errorf("to %q: %w", e.To, err)
	}
	m.Subject(e.Message.Subject)
	m.SetDate()
	m.SetMessageID()
	m.SetBodyString(gomail.TypeTextPlain, e.Message.Text)
	m.AddAlternativeString(gomail.TypeTextHTML, e.Message.HTML)
	c, err := gomail.NewClient(s.host, s.options...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	return c.DialAndSendWithContext(ctx, m)
}

// Worker sends the outbox. Several workers (one per replica) share it safely: each leases the
// rows it sends.
type Worker struct {
	DB          *postgres.DB
	Sender      Sender
	Log         *slog.Logger
	Now         func() time.Time
	Poll        time.Duration // how often to look for due emails
	MaxAttempts int32
	// Backoff is the wait before attempt n+1 after n failed.
	Backoff func(n int32) time.Duration
}

// lease is how long a worker owns an email it is sending; past it another worker may retry. It
// covers one send (the SMTP client gives up after sendTimeout) with a wide margin: emails are
// claimed one at a time, so a slow server cannot make a batch outlive its lease and have
// another replica send the rest again.
const (
	lease       = 2 * time.Minute
	sendTimeout = 30 * time.Second
)

// Run sends due emails until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	tick := time.NewTicker(w.Poll)
	defer tick.Stop()
	for {
		for ctx.Err() == nil {
			sent, err := w.sendNext(ctx)
			if err != nil && ctx.Err() == nil {
				w.Log.Warn("the email outbox could not be read; retrying", "error", err)
			}
			if !sent {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// sendNext sends the next due email, if any, and reports whether there was one.
func (w *Worker) sendNext(ctx context.Context) (bool, error) {
	due, err := w.DB.ClaimDueNotifications(ctx, dbq.ClaimDueNotificationsParams{LeaseSeconds: lease.Seconds(), MaxRows: 1})
	if err != nil {
		return false, fmt.Errorf("claim a due email: %w", err)
	}
	for _, n := range due {
		w.send(ctx, n)
	}
	return len(due) > 0, nil
}

func (w *Worker) send(ctx context.Context, n dbq.Notification) {
	err := w.Sender.Send(ctx, Envelope{To: n.Email, Message: Message{Subject: n.Subject, Text: n.TextBody, HTML: n.HtmlBody}})
	// The outcome is recorded even if ctx ended meanwhile: otherwise a sent email would be sent
	// again when its lease runs out.
	record := context.WithoutCancel(ctx)
	switch {
	case err != nil && ctx.Err() != nil:
		// Stopping, not failing: hand the email back without counting the attempt.
		if err := w.DB.ReleaseNotification(record, dbq.ReleaseNotificationParams{AccountID: n.AccountID, ID: n.ID}); err != nil {
			w.Log.Warn("could not hand back an unsent email; it is retried when its lease ends", "notification", n.ID, "error", err)
		}
	case err == nil:
		if err := w.DB.MarkNotificationSent(record, dbq.MarkNotificationSentParams{AccountID: n.AccountID, ID: n.ID, At: w.Now()}); err != nil {
			w.Log.Error("an email was sent but could not be marked sent; it may be sent again", "notification", n.ID, "error", err)
		}
	case n.Attempts >= w.MaxAttempts:
		w.Log.Error("giving up on an email", "notification", n.ID, "to", n.Email, "attempts", n.Attempts, "error", err)
		if err := w.DB.FailNotification(record, dbq.FailNotificationParams{AccountID: n.AccountID, ID: n.ID, At: w.Now(), LastError: err.Error()}); err != nil {
			w.Log.Error("could not record a failed email", "notification", n.ID, "error", err)
		}
	default:
		delay := w.Backoff(n.Attempts)
		w.Log.Warn("an email failed; it will be retried", "notification", n.ID, "attempt", n.Attempts, "retry_in", delay.String(), "error", err)
		if err := w.DB.RetryNotification(record, dbq.RetryNotificationParams{AccountID: n.AccountID, ID: n.ID, DelaySeconds: delay.Seconds(), LastError: err.Error()}); err != nil {
			w.Log.Error("could not schedule an email retry", "notification", n.ID, "error", err)
		}
	}
}

// ExponentialBackoff waits base, 2×base, 4×base… up to max.
func ExponentialBackoff(base, max time.Duration) func(int32) time.Duration {
	return func(n int32) time.Duration {
		d := base
		for range n - 1 {
			d *= 2
			if d >= max {
				return max
			}
		}
		return d
	}
}
