package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
)

// rfTarget drives ResolutionFlow as it is used: in each account a viewer (technician) escalates
// sessions, and engineers hold the stream, so that every handoff also queues an email for each
// engineer and the admin who registered the account.
type rfTarget struct {
	url       string
	api       *http.Client // seeding and handoffs
	streams   *http.Client // one connection per subscriber
	engineers int          // per account; an account's streams are shared out among them
	ahead     int          // sessions started per account before the measurement
	accounts  []rfAccount
	// inline counts publishes that had to start their session themselves: the sessions
	// started ahead ran out.
	inline atomic.Int64

	// The size of the handoff_created data received, to size the other targets' payload.
	dataBytes, dataEvents atomic.Int64
}

func newRFTarget(url string, api, streams *http.Client, engineers, ahead int) *rfTarget {
	return &rfTarget{url: url, api: api, streams: streams, engineers: engineers, ahead: ahead}
}

func (t *rfTarget) name() string { return targetResolutionFlow }

func (t *rfTarget) prepare(ctx context.Context, out io.Writer, accounts, streams int) error {
	// An account never needs more engineers than it has streams.
	t.engineers = max(1, min(t.engineers, (streams+accounts-1)/accounts))
	fmt.Fprintf(out, "seeding %d accounts (an admin, a viewer who escalates and %d engineers who stream, each) through %s ...\n", accounts, t.engineers, t.url)
	var err error
	if t.accounts, err = seedStreamAccounts(ctx, t.api, t.url, accounts, t.engineers); err != nil {
		return err
	}
	// A publish is then one request, the escalate, as a Centrifugo publish is one request: the
	// session it escalates was started before the measurement.
	fmt.Fprintf(out, "starting %d sessions per account to escalate ...\n", t.ahead)
	return startAhead(ctx, t.accounts, t.ahead)
}

// startAhead starts n sessions of each account's viewer, a few at a time.
func startAhead(ctx context.Context, accounts []rfAccount, n int) error {
	var (
		wg       sync.WaitGroup
		slots    = make(chan struct{}, seedWorkers)
		mu       sync.Mutex
		firstErr error
	)
	for i := range accounts {
		accounts[i].started = make(chan uuid.UUID, n)
		for range n {
			slots <- struct{}{}
			wg.Go(func() {
				defer func() { <-slots }()
				acc := accounts[i]
				r, err := acc.viewer.StartSession(ctx, oapi.SessionStart{TreeId: acc.tree})
				w, err := decodeWalk(r, err, http.StatusCreated)
				if err != nil {
					mu.Lock()
					firstErr = cmp.Or(firstErr, fmt.Errorf("start a session ahead: %w", err))
					mu.Unlock()
					return
				}
				acc.started <- w.ID
			})
		}
	}
	wg.Wait()
	return firstErr
}

// stream holds subscriber i of account a. When the server ends the stream early (a subscriber
// that falls behind is dropped) it reconnects at once with Last-Event-ID, as the server asks of
// its clients, so that the replay's cost and any loss in it show up in the measurement; it does
// not wait out the retry hint, which would only add the client's pause to the latencies.
func (t *rfTarget) stream(ctx context.Context, a, i int, h streamHooks) error {
	acc := t.accounts[a]
	token := acc.engineerTokens[(i/len(t.accounts))%len(acc.engineerTokens)]
	lastID, opened := "", false
	for {
		// A refused reconnect (an expired token, a stopped server) ends the stream instead of
		// being retried in a loop.
		openedNow := false
		err := t.readOnce(ctx, token, lastID, func(e sseEvent) {
			lastID = e.id
			switch e.event {
			case "ready":
				openedNow = true
				if !opened {
					opened = true
					h.ready()
				}
			case "handoff_created":
				summary, err := handoffSummary(e.data)
				if err != nil {
					fmt.Fprintf(os.Stderr, "stream %d: %v\n", i, err)
					return
				}
				t.dataBytes.Add(int64(len(e.data)))
				t.dataEvents.Add(1)
				h.received(summary)
			case "reset":
				fmt.Fprintf(os.Stderr, "stream %d: reset: the events it missed are no longer retained\n", i)
			}
		})
		if ctx.Err() != nil {
			return nil //nolint:nilerr // the run is over, and a cut stream is how it ends
		}
		if !openedNow {
			return errors.Join(errors.New("the stream ended before it was ready"), err)
		}
		h.reconnected()
	}
}

// readOnce reads one connection of the stream until it ends.
func (t *rfTarget) readOnce(ctx context.Context, token, lastID string, fn func(sseEvent)) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.url+"/api/v1/ai-sessions/escalations/stream", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	return streamSSE(t.streams, req, "stream", fn)
}

// handoffSummary is the summary of the handoff in a handoff_created event's data.
func handoffSummary(data string) (string, error) {
	var e struct {
		Handoff struct {
			Summary string `json:"summary"`
		} `json:"handoff"`
	}
	if err := json.Unmarshal([]byte(data), &e); err != nil {
		return "", fmt.Errorf("handoff_created data: %w", err)
	}
	return e.Handoff.Summary, nil
}

// publish escalates a new session of the account's viewer. Starting the session is not
// measured: the clock starts at the escalate request, which commits the handoff, its event and
// its emails.
func (t *rfTarget) publish(ctx context.Context, a int, summary string, sending func()) error {
	acc := t.accounts[a]
	var session uuid.UUID
	select {
	case session = <-acc.started:
	default:
		t.inline.Add(1)
		r, err := acc.viewer.StartSession(ctx, oapi.SessionStart{TreeId: acc.tree})
		w, err := decodeWalk(r, err, http.StatusCreated)
		if err != nil {
			return err
		}
		session = w.ID
	}
	sending()
	resp, err := acc.viewer.EscalateSession(ctx, session, &oapi.EscalateSessionParams{}, oapi.EscalationRequest{Summary: summary})
	return drainStatus(resp, err, http.StatusCreated)
}

func (t *rfTarget) describePayload(out io.Writer) {
	if n := t.inline.Load(); n > 0 {
		fmt.Fprintf(out, "%d publishes started their own session: the %d started ahead per account ran out (raise -sessions-ahead)\n", n, t.ahead)
	}
	if n := t.dataEvents.Load(); n > 0 {
		fmt.Fprintf(out, "handoff_created data: %d bytes on average over %d deliveries (size -payload-bytes for the other target to match)\n", t.dataBytes.Load()/n, n)
	}
}

func drainStatus(r *http.Response, err error, want int) error {
	if err != nil {
		return err
	}
	defer r.Body.Close()
	body, _ := io.ReadAll(r.Body)
	if r.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, body)
	}
	return nil
}
