package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/resolutionflow/resolutionflow/internal/auth"
	"github.com/resolutionflow/resolutionflow/internal/bus"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/escalations"
)

// streamPath is the live escalation stream, hand-written beside the generated routes.
const streamPath = "/api/v1/ai-sessions/escalations/stream"

// reconnectAfter is the retry hint sent to clients, in milliseconds.
const reconnectAfter = 2000

// replayBatch bounds one read of missed events during a replay.
const replayBatch = 500

type streamer struct {
	auth        *auth.Service
	escalations *escalations.Service
	hub         *bus.Hub
	// log is where a resuming stream replays what it missed.
	log         bus.Source
	heartbeat   time.Duration
	maxLifetime time.Duration
	closing     <-chan struct{}
	now         func() time.Time
	resets      atomic.Int64
}

// minStreamTokenLife is the least lifetime a token must have left to open a stream, which ends
// when its token expires: a minute, or half the lifetime of tokens that live under two minutes.
// A client that reconnects with an almost expired token would otherwise be cut at once.
func minStreamTokenLife(accessTTL time.Duration) time.Duration {
	return min(time.Minute, accessTTL/2)
}

// writeWait bounds one write to a stream's client: a client that stops reading is dropped.
const writeWait = 10 * time.Second

// serve streams the caller's account's escalation events. The gate has already authenticated
// the caller and checked the role, and everything that can fail is checked before the first
// byte, so errors are problem+json, never a broken stream. It subscribes before replaying, so
// that no event falls between the replay and the live feed, and drops any event it has already
// sent, so that none arrives twice.
//
// The connection is taken over from net/http once the stream starts: net/http would otherwise
// keep its read and write buffers and a second goroutine per connection for as long as the
// stream lives, which triples the memory an idle subscriber costs.
func (s *streamer) serve(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := principal(ctx)
	if err != nil {
		return err
	}
	if minLife := minStreamTokenLife(s.auth.AccessTTL()); !p.ExpiresAt.IsZero() && p.ExpiresAt.Sub(s.now()) < minLife {
		return domain.Errorf(domain.EUnauthorized, "the access token expires in less than %s, and a stream ends with its token: refresh the token, then reconnect", minLife)
	}
	last, resume := int64(0), false
	if h := c.Request().Header.Get("Last-Event-ID"); h != "" {
		if last, err = strconv.ParseInt(h, 10, 64); err != nil {
			return newProblem(http.StatusBadRequest, "Last-Event-ID must be the id of an event this stream sent")
		}
		resume = true
	}
	reset := false
	if resume {
		err := s.escalations.CheckCursor(ctx, p, last)
		if reset = domain.ErrorCode(err) == domain.EGone; err != nil && !reset {
			return err
		}
	}
	sub, err := s.hub.Subscribe(ctx, p.AccountID, p.UserID)
	if tooMany, ok := errors.AsType[*bus.TooMany](err); ok {
		what := "you have"
		if tooMany.Scope == "account" {
			what = "your account has"
		}
		return &domain.Error{Code: domain.EThrottled, RetryAfter: streamRetryAfter,
			Message: fmt.Sprintf("%s %d live streams open on this server, the most allowed: close one (a tab, say), or try again later", what, tooMany.Limit)}
	}
	if err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	conn, _, err := http.NewResponseController(c.Response()).Hijack()
	if err != nil {
		sub.Close()
		return fmt.Errorf("take over the connection: %w", err)
	}
	res := c.Response()
	res.Status, res.Committed = http.StatusOK, true // for the request log and metrics
	head := "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nX-Accel-Buffering: no\r\n" +
		"X-Request-Id: " + res.Header().Get(echo.HeaderXRequestID) + "\r\nConnection: close\r\n\r\n"
	go s.stream(conn, sub, p, head, last, resume, reset)
	return nil
}

// streamRetryAfter is when a stream refused over a cap is told to try again.
const streamRetryAfter = 30 * time.Second

// opened is the comment sent right after the headers, so that a buffering proxy passes the
// response on at once rather than holding it until its buffer fills.
const opened = ": stream open\n\n"

// stream owns the taken-over connection until the stream ends: at shutdown, when the token
// expires or the stream has lived its maximum lifetime, when the user's access changes, when the
// subscriber falls behind, or when a write fails (the client left). In each case but a revoked
// access the client reconnects with Last-Event-ID and misses nothing.
func (s *streamer) stream(conn net.Conn, sub *bus.Subscription, p domain.Principal, head string, last int64, resume, reset bool) {
	defer conn.Close()
	defer sub.Close()
	w := &deadlineWriter{conn: conn}
	sent := sub.From
	if resume && !reset {
		sent = last
	}
	// ready carries the position the stream starts from as its id, so that a client that sees
	// nothing else still reconnects with Last-Event-ID and misses nothing while it is away.
	if writeFrame(w, head+opened+fmt.Sprintf("retry: %d\nevent: ready\nid: %d\ndata: {\"last_event_id\":%d}\n\n", reconnectAfter, sent, sent)) != nil {
		return
	}
	if reset {
		// The history the client missed is gone: it must re-read the queue; live events follow.
		// The id moves the client's Last-Event-ID past the gap, so a reconnect does not reset again.
		s.resets.Add(1)
		if writeFrame(w, fmt.Sprintf("event: reset\nid: %d\ndata: {}\n\n", sent)) != nil {
			return
		}
	} else if resume {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var err error
		sent, err = s.replay(ctx, w, sub.Account, sent)
		cancel()
		if err != nil {
			return
		}
	}
	heartbeat := time.NewTicker(s.heartbeat)
	defer heartbeat.Stop()
	var end time.Time
	if s.maxLifetime > 0 {
		end = s.now().Add(s.maxLifetime)
	}
	if !p.ExpiresAt.IsZero() && (end.IsZero() || p.ExpiresAt.Before(end)) {
		end = p.ExpiresAt
	}
	var lifetime <-chan time.Time
	if !end.IsZero() {
		timer := time.NewTimer(end.Sub(s.now()))
		defer timer.Stop()
		lifetime = timer.C
	}
	var pending net.Buffers
	for {
		select {
		case <-s.closing:
			return
		case <-lifetime:
			return // the client reconnects, with a fresh token if this one expired
		case <-sub.Ended:
			return // fell behind (the client replays on reconnect) or lost its access
		case <-heartbeat.C:
			// A user deactivated or demoted since the stream opened stops receiving at once,
			// as they would on any other request.
			if !s.stillAllowed(p) {
				return
			}
			if writeFrame(w, ": heartbeat\n\n") != nil {
				return
			}
		case b := <-sub.Events:
			// Whatever else is already queued goes out with it, in one writev: one system call
			// for a burst instead of one per event, and no copy of the shared frames.
			pending, sent = appendNew(pending[:0], b, sent)
			sub.Received(b)
			for more := true; more; {
				select {
				case b := <-sub.Events:
					pending, sent = appendNew(pending, b, sent)
					sub.Received(b)
				default:
					more = false
				}
			}
			if len(pending) > 0 {
				if _, err := w.WriteBuffers(pending); err != nil {
					return
				}
			}
			clear(pending) // let the frames go: the slice stays, empty, for the next events
		}
	}
}

// appendNew adds the frames of b's events that were not already sent (by the replay) and
// returns the last id sent.
func appendNew(out net.Buffers, b *bus.Batch, sent int64) (net.Buffers, int64) {
	if b.First() > sent {
		return append(out, b.Frames), b.Last()
	}
	for _, e := range b.Events {
		if e.ID > sent {
			out, sent = append(out, e.Frame), e.ID
		}
	}
	return out, sent
}

func (s *streamer) stillAllowed(p domain.Principal) bool {
	ctx, cancel := context.WithTimeout(context.Background(), writeWait)
	defer cancel()
	current, err := s.auth.Confirm(ctx, p)
	return err == nil && current.Role.AtLeast(domain.RoleEngineer)
}

// deadlineWriter bounds each write to the client: one that stops reading is dropped. Moving a
// deadline costs a timer update, so it is moved only once it is less than half of writeWait
// away: a write still gets between writeWait/2 and writeWait to complete.
type deadlineWriter struct {
	conn     net.Conn
	deadline time.Time
}

func (d *deadlineWriter) Write(b []byte) (int, error) {
	if err := d.extend(); err != nil {
		return 0, err
	}
	return d.conn.Write(b)
}

// WriteBuffers writes bufs with one writev where the connection allows it.
func (d *deadlineWriter) WriteBuffers(bufs net.Buffers) (int64, error) {
	if err := d.extend(); err != nil {
		return 0, err
	}
	return bufs.WriteTo(d.conn)
}

func (d *deadlineWriter) extend() error {
	if now := time.Now(); d.deadline.Sub(now) < writeWait/2 {
		d.deadline = now.Add(writeWait)
		return d.conn.SetWriteDeadline(d.deadline)
	}
	return nil
}

// replay sends the account's events after the cursor from the log and returns the last id
// sent.
func (s *streamer) replay(ctx context.Context, w io.Writer, account uuid.UUID, after int64) (int64, error) {
	for {
		events, err := s.log.After(ctx, account, after, replayBatch, false)
		if err != nil {
			return after, err
		}
		var batch []byte
		for _, e := range events {
			frame, err := EventFrame(e)
			if err != nil {
				return after, err
			}
			batch = append(batch, frame...)
		}
		if _, err := w.Write(batch); err != nil {
			return after, err
		}
		if len(events) > 0 {
			after = events[len(events)-1].ID
		}
		if len(events) < replayBatch {
			return after, nil
		}
	}
}

func writeFrame(w io.Writer, frame string) error {
	_, err := io.WriteString(w, frame)
	return err
}
