package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// centrifugoTarget drives a Centrifugo server with the memory engine as the reference: the same
// subscribers per account, one channel per account, and a publication of the same size where
// ResolutionFlow would create a handoff. Centrifugo keeps no history in this setup, so it has
// no database work to do: the comparison shows what the fan-out alone costs there.
type centrifugoTarget struct {
	url          string
	apiKey       string
	secret       string
	payloadBytes int
	api          *http.Client
	streams      *http.Client
	accounts     int
}

func (t *centrifugoTarget) name() string { return targetCentrifugo }

// prepare publishes once, so that a wrong URL or API key stops the run before any stream opens.
func (t *centrifugoTarget) prepare(ctx context.Context, out io.Writer, accounts, _ int) error {
	t.accounts = accounts
	fmt.Fprintf(out, "publishing to %s with %d-byte data, one channel per account (%s …)\n", t.url, t.payloadBytes, tenantChannel(0))
	return t.publish(ctx, 0, "probe", func() {})
}

// stream holds subscriber i of account a. Centrifugo drops a connection whose queue outgrows its
// limit, and in this setup (no history) a reconnect cannot recover what it missed: the reader
// reconnects at once, and what was lost meanwhile counts as missing.
func (t *centrifugoTarget) stream(ctx context.Context, a, i int, h streamHooks) error {
	token, err := connectionToken(t.secret, fmt.Sprintf("engineer-%d-%d", a, i/t.accounts), []string{tenantChannel(a)}, time.Now().Add(24*time.Hour))
	if err != nil {
		return err
	}
	u, err := uniSSEURL(t.url, token)
	if err != nil {
		return err
	}
	opened := false
	for {
		// A refused reconnect ends the stream instead of being retried in a loop.
		openedNow := false
		err := t.readOnce(ctx, u, func(e sseEvent) {
			p, err := parsePush(e.data)
			switch {
			case err != nil:
				fmt.Fprintf(os.Stderr, "stream %d: %v\n", i, err)
			case p.connected:
				openedNow = true
				if !opened {
					opened = true
					h.ready()
				}
			case p.disconnect != "":
				fmt.Fprintf(os.Stderr, "stream %d: disconnected by the server: %s\n", i, p.disconnect)
			case p.summary != "":
				h.received(p.summary)
			}
		})
		if ctx.Err() != nil {
			return nil //nolint:nilerr // the run is over, and a cut stream is how it ends
		}
		if !openedNow {
			return errors.Join(errors.New("the stream ended before it was connected"), err)
		}
		h.reconnected()
	}
}

func (t *centrifugoTarget) readOnce(ctx context.Context, u string, fn func(sseEvent)) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	return streamSSE(t.streams, req, "uni_sse", fn)
}

// publish sends one publication through the server API. Centrifugo answers 200 with an "error"
// member when it refuses one, so the body is checked too.
func (t *centrifugoTarget) publish(ctx context.Context, a int, summary string, sending func()) error {
	data, err := paddedData(summary, t.payloadBytes)
	if err != nil {
		return err
	}
	body, err := json.Marshal(struct {
		Channel string          `json:"channel"`
		Data    json.RawMessage `json:"data"`
	}{tenantChannel(a), data})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(t.url, "/")+"/api/publish", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", t.apiKey)
	sending()
	resp, err := t.api.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	var r struct {
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(answer, &r) != nil || r.Error != nil {
		return fmt.Errorf("publish: %d %s", resp.StatusCode, answer)
	}
	return nil
}
