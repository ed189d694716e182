package main

import (
	"sync"
	"sync/atomic"
	"time"
)

// sentEvent is what rfload knows of an event it caused: the account it belongs to and when the
// measured request started.
type sentEvent struct {
	account int
	at      time.Time
}

// ledger matches what the subscribers receive against what was published. Each subscriber
// keeps its own streamLog, so that thousands of readers do not contend on one lock; only the
// counters that the settle loop watches are shared.
type ledger struct {
	sent sync.Map // summary → sentEvent

	mu        sync.Mutex
	published map[int][]string // account → summaries whose publish succeeded

	delivered  atomic.Int64 // first deliveries to the right account, across all subscribers
	lastAt     atomic.Int64 // UnixNano of the latest of them
	reconnects atomic.Int64 // streams the server ended early, reopened by the reader
}

func newLedger() *ledger { return &ledger{published: map[int][]string{}} }

// sending records the start of the request that publishes summary into account.
func (l *ledger) sending(account int, summary string) {
	l.sent.Store(summary, sentEvent{account: account, at: time.Now()})
}

// succeeded records that the publish was answered with success, so every subscriber of the
// account is owed the event.
func (l *ledger) succeeded(account int, summary string) {
	l.mu.Lock()
	l.published[account] = append(l.published[account], summary)
	l.mu.Unlock()
}

// streamLog is one subscriber's record, written only by its reader goroutine.
type streamLog struct {
	account  int
	received map[string]int // summary → times received
	latency  []time.Duration
	dupes    int
	wrong    int // events of another account: a tenant leak
	first    time.Time
	last     time.Time
}

func newStreamLog(account int) *streamLog {
	return &streamLog{account: account, received: map[string]int{}}
}

// receive books one event arriving at the subscriber s. Summaries rfload did not publish (left
// from an earlier run) are ignored.
func (l *ledger) receive(s *streamLog, summary string) {
	v, ok := l.sent.Load(summary)
	if !ok {
		return
	}
	now := time.Now()
	e := v.(sentEvent)
	if e.account != s.account {
		s.wrong++
		return
	}
	s.received[summary]++
	if s.received[summary] > 1 {
		s.dupes++
		return
	}
	s.latency = append(s.latency, now.Sub(e.at))
	if s.first.IsZero() {
		s.first = now
	}
	s.last = now
	l.delivered.Add(1)
	l.lastAt.Store(now.UnixNano())
}

// owed is how many deliveries the successful publishes call for, given the subscribers per
// account.
func (l *ledger) owed(streamsOf func(account int) int) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var n int64
	for a, summaries := range l.published {
		n += int64(len(summaries) * streamsOf(a))
	}
	return n
}
