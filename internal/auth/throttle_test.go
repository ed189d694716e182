package auth

import (
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	th := NewThrottle(3, 10*time.Minute, func() time.Time { return now })
	for range 2 {
		th.Fail("ann|1.2.3.4")
	}
	if w := th.Wait("ann|1.2.3.4"); w != 0 {
		t.Fatalf("after 2 of 3 failures Wait = %v, want 0", w)
	}
	now = now.Add(time.Minute)
	th.Fail("ann|1.2.3.4")
	if w := th.Wait("ann|1.2.3.4"); w != 9*time.Minute {
		t.Fatalf("after the 3rd failure Wait = %v, want 9m (the window runs from the first failure)", w)
	}
	if w := th.Wait("ann|5.6.7.8"); w != 0 {
		t.Errorf("another address is throttled too: %v", w)
	}
	now = now.Add(9 * time.Minute)
	if w := th.Wait("ann|1.2.3.4"); w != 0 {
		t.Errorf("after the window Wait = %v, want 0", w)
	}
	th.Fail("bob|1.2.3.4")
	th.Reset("bob|1.2.3.4")
	th.Fail("bob|1.2.3.4")
	th.Fail("bob|1.2.3.4")
	if w := th.Wait("bob|1.2.3.4"); w != 0 {
		t.Errorf("Reset did not forget earlier failures: %v", w)
	}
}
