package mail

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
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
// rows it sends, with a short lease it renews while it sends, so that the emails of a worker
// that stops or dies are picked up by another within seconds, and each is sent once.
type Worker struct {
	DB          *postgres.DB
	Sender      Sender
	Log         *slog.Logger
	Now         func() time.Time
	Poll        time.Duration // how often to look for due emails
	MaxAttempts int32
	// Backoff is the wait before attempt n+1 after n failed.
	Backoff func(n int32) time.Duration
	// Lease is how long the worker owns the emails it is sending unless it renews the lease,
	// which it does every third of it while the SMTP server works (the client gives up after
	// sendTimeout). Past a lease another worker may send them. Zero means DefaultLease.
	Lease time.Duration

	sent, retried, gaveUp atomic.Int64
}

// DefaultLease keeps the emails of a worker that died without handing them back waiting no
// longer than this.
const DefaultLease = 15 * time.Second

// sendTimeout bounds one SMTP conversation.
const sendTimeout = 30 * time.Second

func (w *Worker) lease() time.Duration {
	if w.Lease > 0 {
		return w.Lease
	}
	return DefaultLease
}

// Sent, Retried and GaveUp count this process's outcomes since it started, per email.
func (w *Worker) Sent() int64    { return w.sent.Load() }
func (w *Worker) Retried() int64 { return w.retried.Load() }
func (w *Worker) GaveUp() int64  { return w.gaveUp.Load() }

// OldestPending is how long the oldest email still to send has waited, zero when none waits.
func (w *Worker) OldestPending(ctx context.Context) (time.Duration, error) {
	at, err := w.DB.GetOldestPendingNotification(ctx)
	if err != nil {
		return 0, fmt.Errorf("read the outbox's oldest email: %w", err)
	}
	return max(0, w.Now().Sub(at)), nil
}

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

// sendNext sends the next due email, with the rest of its digest if it is one, and reports
// whether there was one.
func (w *Worker) sendNext(ctx context.Context) (bool, error) {
	token := uuid.New()
	due, err := w.DB.ClaimDueNotification(ctx, dbq.ClaimDueNotificationParams{LeaseToken: &token, LeaseSeconds: w.lease().Seconds()})
	if err != nil {
		return false, fmt.Errorf("claim a due email: %w", err)
	}
	if len(due) == 0 {
		return false, nil
	}
	if first := due[0]; first.Digest {
		rest, err := w.DB.ClaimDigest(ctx, dbq.ClaimDigestParams{LeaseToken: &token, LeaseSeconds: w.lease().Seconds(), AccountID: first.AccountID, UserID: first.UserID})
		if err != nil {
			w.release(token)
			return false, fmt.Errorf("claim a digest: %w", err)
		}
		due = append(due, rest...)
	}
	w.send(ctx, token, due)
	return true, nil
}

// send delivers the claimed emails to their one recipient, as one message, and records the
// outcome for all of them.
func (w *Worker) send(ctx context.Context, token uuid.UUID, batch []dbq.Notification) {
	msg := Message{Subject: batch[0].Subject, Text: batch[0].TextBody, HTML: batch[0].HtmlBody}
	var err error
	if batch[0].Digest {
		msg, err = Digest(batch)
	}
	if err == nil {
		renewing, stop := context.WithCancel(ctx)
		go w.renew(renewing, token)
		err = w.Sender.Send(ctx, Envelope{To: batch[0].Email, Message: msg})
		stop()
	}
	// The outcome is recorded even if ctx ended meanwhile: otherwise a sent email would be sent
	// again when its lease runs out.
	record := context.WithoutCancel(ctx)
	n := int64(len(batch))
	switch {
	case err != nil && ctx.Err() != nil:
		// Stopping, not failing: hand the emails back at once, without counting the attempt.
		w.release(token)
	case err == nil:
		marked, err := w.DB.MarkNotificationsSent(record, dbq.MarkNotificationsSentParams{LeaseToken: &token, At: w.Now()})
		if err != nil {
			w.Log.Error("an email was sent but could not be marked sent; it may be sent again", "to", batch[0].Email, "error", err)
		} else if marked < n {
			w.Log.Error("an email was sent after its lease was lost; another worker may send it too", "to", batch[0].Email)
		}
		w.sent.Add(n)
	case batch[0].Attempts >= w.MaxAttempts:
		w.Log.Error("giving up on an email", "to", batch[0].Email, "attempts", batch[0].Attempts, "error", err)
		if err := w.DB.FailNotifications(record, dbq.FailNotificationsParams{LeaseToken: &token, At: w.Now(), LastError: err.Error()}); err != nil {
			w.Log.Error("could not record a failed email", "to", batch[0].Email, "error", err)
		}
		w.gaveUp.Add(n)
	default:
		delay := w.Backoff(batch[0].Attempts)
		w.Log.Warn("an email failed; it will be retried", "to", batch[0].Email, "attempt", batch[0].Attempts, "retry_in", delay.String(), "error", err)
		if err := w.DB.RetryNotifications(record, dbq.RetryNotificationsParams{LeaseToken: &token, DelaySeconds: delay.Seconds(), LastError: err.Error()}); err != nil {
			w.Log.Error("could not schedule an email retry", "to", batch[0].Email, "error", err)
		}
		w.retried.Add(n)
	}
}

// renew keeps the lease of token until ctx ends.
func (w *Worker) renew(ctx context.Context, token uuid.UUID) {
	tick := time.NewTicker(w.lease() / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := w.DB.RenewNotificationLease(ctx, dbq.RenewNotificationLeaseParams{LeaseToken: &token, LeaseSeconds: w.lease().Seconds()}); err != nil && ctx.Err() == nil {
				w.Log.Warn("could not renew the lease of an email being sent; another worker may send it once the lease ends", "error", err)
			}
		}
	}
}

// release hands claimed emails back for another worker to send at once.
func (w *Worker) release(token uuid.UUID) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.DB.ReleaseNotifications(ctx, &token); err != nil {
		w.Log.Warn("could not hand back unsent emails; they are retried when their lease ends", "error", err)
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
