package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/bus"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/escalations"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
)

// streamPath is the live escalation stream, hand-written beside the generated routes.
const streamPath = "/api/v1/ai-sessions/escalations/stream"

// reconnectAfter is the retry hint sent to clients, in milliseconds.
const reconnectAfter = 2000

// replayBatch bounds one read of missed events during a replay.
const replayBatch = 500

type streamer struct {
	db          *postgres.DB
	escalations *escalations.Service
	hub         *bus.Hub
	heartbeat   time.Duration
	closing     <-chan struct{}
}

// serve streams the caller's account's escalation events. The gate has already authenticated
// the caller and checked the role, so errors before the first byte are problem+json, never a
// stream. It subscribes before replaying, so that no event falls between the replay and the
// live feed, and drops any event it has already sent, so that none arrives twice.
func (s *streamer) serve(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := principal(ctx)
	if err != nil {
		return err
	}
	last, resume := int64(0), false
	if h := c.Request().Header.Get("Last-Event-ID"); h != "" {
		if last, err = strconv.ParseInt(h, 10, 64); err != nil {
			return newProblem(http.StatusBadRequest, "Last-Event-ID must be the id of an event this stream sent")
		}
		resume = true
	}
	sub, err := s.hub.Subscribe(ctx, p.AccountID)
	if err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	defer sub.Close()

	w := c.Response()
	// The server's write timeout is for ordinary responses; a stream lives until it ends.
	if err := http.NewResponseController(w).SetWriteDeadline(time.Time{}); err != nil {
		return fmt.Errorf("lift the write deadline: %w", err)
	}
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	sent := sub.From
	if resume {
		sent = last
	}
	if err := writeFrame(w, fmt.Sprintf("retry: %d\nevent: ready\ndata: {\"last_event_id\":%d}\n\n", reconnectAfter, sent)); err != nil {
		return nil
	}
	if resume {
		err := s.escalations.CheckCursor(ctx, p, sent)
		if domain.ErrorCode(err) == domain.EGone {
			// The history the client missed is gone: it must re-read the queue; live events
			// follow from here.
			if err := writeFrame(w, "event: reset\ndata: {}\n\n"); err != nil {
				return nil
			}
			sent = sub.From
		} else if err != nil {
			return nil
		} else if sent, err = s.replay(ctx, w, p.AccountID, sent); err != nil {
			return nil
		}
	}
	w.Flush()

	heartbeat := time.NewTicker(s.heartbeat)
	defer heartbeat.Stop()
	var expired <-chan time.Time
	if !p.ExpiresAt.IsZero() {
		timer := time.NewTimer(time.Until(p.ExpiresAt))
		defer timer.Stop()
		expired = timer.C
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.closing:
			return nil
		case <-expired:
			return nil // the client refreshes its token and reconnects with Last-Event-ID
		case <-sub.Lost:
			return nil // fell behind: the client reconnects with Last-Event-ID and replays
		case <-heartbeat.C:
			if err := writeFrame(w, ": heartbeat\n\n"); err != nil {
				return nil
			}
		case e := <-sub.Events:
			if e.ID <= sent {
				continue
			}
			if err := writeEvent(w, escalations.Event{ID: e.ID, Type: eventType(e.Type), HandoffID: e.HandoffID, OccurredAt: e.OccurredAt, Handoff: e.Payload}); err != nil {
				return nil
			}
			sent = e.ID
		}
		w.Flush()
	}
}

// replay sends the account's events after the cursor from the table and returns the last id
// sent.
func (s *streamer) replay(ctx context.Context, w io.Writer, account uuid.UUID, after int64) (int64, error) {
	for {
		rows, err := s.db.ListEscalationEvents(ctx, dbq.ListEscalationEventsParams{AccountID: account, After: after, MaxRows: replayBatch})
		if err != nil {
			return after, err
		}
		for _, r := range rows {
			if err := writeEvent(w, escalations.Event{ID: r.ID, Type: eventType(r.Type), HandoffID: r.HandoffID, OccurredAt: r.CreatedAt, Handoff: r.Payload}); err != nil {
				return after, err
			}
			after = r.ID
		}
		if len(rows) < replayBatch {
			return after, nil
		}
	}
}

func writeEvent(w io.Writer, e escalations.Event) error {
	body, err := toEvent(e)
	if err != nil {
		return err
	}
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return writeFrame(w, fmt.Sprintf("event: %s\nid: %d\ndata: %s\n\n", e.Type, e.ID, data))
}

func writeFrame(w io.Writer, frame string) error {
	_, err := io.WriteString(w, frame)
	return err
}

func eventType(t string) domain.EventType { return domain.EventType(t) }
