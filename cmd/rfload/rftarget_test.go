package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// A stream the server ends early is reopened with Last-Event-ID; one it refuses is not retried.
func TestRFStreamReconnects(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		event := func(name string, id int, summary string) {
			fmt.Fprintf(w, "event: %s\nid: %d\ndata: {\"handoff\":{\"summary\":%q}}\n\n", name, id, summary)
		}
		switch calls.Add(1) {
		case 1: // dropped after one event, as a subscriber that fell behind is
			event("ready", 5, "")
			event("handoff_created", 6, "load 0")
		case 2:
			if got := r.Header.Get("Last-Event-ID"); got != "6" {
				t.Errorf("reconnected with Last-Event-ID %q, want 6", got)
			}
			event("ready", 6, "")
			event("handoff_created", 7, "load 1")
		default:
			http.Error(w, "token expired", http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	tg := newRFTarget(srv.URL, srv.Client(), srv.Client(), 1, 0)
	tg.accounts = []rfAccount{{engineerTokens: []string{"token"}}}
	var ready, reconnected int
	var got []string
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := tg.stream(ctx, 0, 0, streamHooks{
		ready:       func() { ready++ },
		received:    func(s string) { got = append(got, s) },
		reconnected: func() { reconnected++ },
	})
	if err == nil {
		t.Error("a refused reconnect did not end the stream with an error")
	}
	if ready != 1 || reconnected != 2 || len(got) != 2 || got[0] != "load 0" || got[1] != "load 1" {
		t.Errorf("ready %d, reconnected %d, received %q", ready, reconnected, got)
	}
}
