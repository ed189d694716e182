package auth

import (
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Throttle limits failed attempts per key. An attempt is counted when it starts, not when it has
// failed: a burst of parallel guesses cannot all pass the check before any failure is recorded.
// A success forgets the key.
//
// It lives in memory: with several replicas each counts on its own, which still bounds guessing
// to max × replicas per window.
type Throttle struct {
	mu        sync.Mutex
	window    time.Duration
	now       func() time.Time
	entries   map[string]attempts
	lastSweep time.Time
}

type attempts struct {
	count int
	first time.Time
}

// sweepAbove bounds the map: past this many keys, expired entries are dropped, at most once per
// window so that an attacker filling the map cannot make every attempt scan it.
const sweepAbove = 10_000

// NewThrottle returns a throttle whose counts last window from a key's first attempt.
func NewThrottle(window time.Duration, now func() time.Time) *Throttle {
	return &Throttle{window: window, now: now, entries: map[string]attempts{}}
}

// Limit is a key and the attempts it allows per window.
type Limit struct {
	Key string
	Max int
}

// Begin counts an attempt for every limit and returns 0, or, when any key has used up its
// attempts, how long to wait (and counts nothing).
func (t *Throttle) Begin(limits ...Limit) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var wait time.Duration
	for _, l := range limits {
		a, ok := t.entries[l.Key]
		if !ok || now.Sub(a.first) >= t.window {
			continue
		}
		if a.count >= l.Max {
			wait = max(wait, a.first.Add(t.window).Sub(now))
		}
	}
	if wait > 0 {
		return wait
	}
	for _, l := range limits {
		k := l.Key
		a, ok := t.entries[k]
		if !ok || now.Sub(a.first) >= t.window {
			a = attempts{first: now}
		}
		a.count++
		t.entries[k] = a
	}
	if len(t.entries) > sweepAbove && now.Sub(t.lastSweep) >= t.window {
		t.lastSweep = now
		for k, a := range t.entries {
			if now.Sub(a.first) >= t.window {
				delete(t.entries, k)
			}
		}
	}
	return 0
}

// Succeed forgets the limits' keys after a successful attempt.
func (t *Throttle) Succeed(limits ...Limit) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range limits {
		delete(t.entries, l.Key)
	}
}

// clientBucket groups addresses one client controls: an IPv6 client usually owns a whole /64.
func clientBucket(addr string) string {
	ip, err := netip.ParseAddr(strings.TrimSpace(addr))
	if err != nil {
		return addr
	}
	if ip.Is6() && !ip.Is4In6() {
		prefix, _ := ip.Prefix(64)
		return prefix.String()
	}
	return ip.Unmap().String()
}
