package auth

import (
	"sync"
	"time"
)

// Throttle counts failed sign-ins per key (email and client address) and refuses further
// attempts once a key has failed max times within window, until the window has passed.
//
// It lives in memory: with several replicas each counts on its own, which still bounds guessing
// to max × replicas per window.
type Throttle struct {
	mu      sync.Mutex
	max     int
	window  time.Duration
	now     func() time.Time
	entries map[string]attempts
}

type attempts struct {
	failures int
	first    time.Time
}

// sweepAbove bounds the map: past this many keys, expired entries are dropped on the next failure.
const sweepAbove = 10_000

// NewThrottle returns a throttle allowing max failures per key within window.
func NewThrottle(max int, window time.Duration, now func() time.Time) *Throttle {
	return &Throttle{max: max, window: window, now: now, entries: map[string]attempts{}}
}

// Wait returns how long key must wait before its next attempt, or 0 when it may try now.
func (t *Throttle) Wait(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	a, ok := t.entries[key]
	if !ok || a.failures < t.max {
		return 0
	}
	if wait := a.first.Add(t.window).Sub(t.now()); wait > 0 {
		return wait
	}
	delete(t.entries, key)
	return 0
}

// Fail records a failed attempt for key.
func (t *Throttle) Fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	a, ok := t.entries[key]
	if !ok || now.Sub(a.first) >= t.window {
		a = attempts{first: now}
	}
	a.failures++
	t.entries[key] = a
	if len(t.entries) > sweepAbove {
		for k, e := range t.entries {
			if now.Sub(e.first) >= t.window {
				delete(t.entries, k)
			}
		}
	}
}

// Reset forgets key's failures after a successful attempt.
func (t *Throttle) Reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, key)
}
