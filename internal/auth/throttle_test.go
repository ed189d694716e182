package auth

import (
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	th := NewThrottle(10*time.Minute, func() time.Time { return now })
	ann := Limit{Key: "ann|1.2.3.4", Max: 3}
	for range 2 {
		if w := th.Begin(ann); w != 0 {
			t.Fatalf("attempt within the limit refused for %v", w)
		}
	}
	now = now.Add(time.Minute)
	if w := th.Begin(ann); w != 0 {
		t.Fatalf("3rd attempt refused for %v", w)
	}
	if w := th.Begin(ann); w != 9*time.Minute {
		t.Fatalf("4th attempt: wait %v, want 9m (the window runs from the first attempt)", w)
	}
	if w := th.Begin(Limit{Key: "ann|5.6.7.8", Max: 3}); w != 0 {
		t.Errorf("another client is throttled too: %v", w)
	}
	now = now.Add(9 * time.Minute)
	if w := th.Begin(ann); w != 0 {
		t.Errorf("after the window: wait %v, want 0", w)
	}

	bob := Limit{Key: "bob", Max: 2}
	th.Begin(bob)
	th.Succeed(bob)
	th.Begin(bob)
	if w := th.Begin(bob); w != 0 {
		t.Errorf("Succeed did not forget earlier attempts: %v", w)
	}
	// A refused attempt counts nothing on the other keys.
	carol := Limit{Key: "carol", Max: 5}
	if w := th.Begin(bob, carol); w == 0 {
		t.Fatal("bob's exhausted limit did not refuse")
	}
	for range 5 {
		if w := th.Begin(carol); w != 0 {
			t.Fatalf("carol was charged for bob's refused attempt: %v", w)
		}
	}
}

func TestClientBucket(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"203.0.113.7":                   "203.0.113.7",
		"::ffff:203.0.113.7":            "203.0.113.7",
		"2001:db8:1:2:aaaa::1":          "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:ffff:ffff:1": "2001:db8:1:2::/64",
		"not-an-ip":                     "not-an-ip",
	} {
		if got := clientBucket(in); got != want {
			t.Errorf("clientBucket(%q) = %q, want %q", in, got, want)
		}
	}
}
