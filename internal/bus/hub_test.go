package bus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// fakeLog is an in-memory log: appends are numbered per account, in order, as the real one.
type fakeLog struct {
	mu      sync.Mutex
	entries map[uuid.UUID][]domain.EscalationEvent
	reads   int
}

func newFakeLog() *fakeLog { return &fakeLog{entries: map[uuid.UUID][]domain.EscalationEvent{}} }

func (l *fakeLog) append(account uuid.UUID, e domain.EscalationEvent) domain.EscalationEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	e.ID = int64(len(l.entries[account]) + 1)
	l.entries[account] = append(l.entries[account], e)
	return e
}

func (l *fakeLog) Newest(_ context.Context, account uuid.UUID) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int64(len(l.entries[account])), nil
}

func (l *fakeLog) After(_ context.Context, account uuid.UUID, after int64, limit int32, _ bool) ([]domain.EscalationEvent, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reads++
	all := l.entries[account]
	if after >= int64(len(all)) {
		return nil, nil
	}
	return append([]domain.EscalationEvent(nil), all[after:min(int64(len(all)), after+int64(limit))]...), nil
}

func frame(e domain.EscalationEvent) ([]byte, error) {
	return fmt.Appendf(nil, "id: %d\n\n", e.ID), nil
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func created() domain.EscalationEvent {
	return domain.EscalationEvent{Type: domain.EventHandoffCreated}
}

// Many writers append and announce at once, half of them carrying the event and half only
// waking the feed; every subscriber gets every event exactly once, in order.
func TestEveryEventArrivesOnceInOrderUnderConcurrentAppends(t *testing.T) {
	t.Parallel()
	log := newFakeLog()
	hub := NewHub(log, frame, Limits{}, quiet())
	account := uuid.New()
	const subscribers, writers, perWriter = 8, 8, 40
	subs := make([]*Subscription, subscribers)
	for i := range subs {
		s, err := hub.Subscribe(context.Background(), account, uuid.New())
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		subs[i] = s
	}
	got := make([][]int64, subscribers)
	var readers sync.WaitGroup
	for i, s := range subs {
		readers.Go(func() {
			for len(got[i]) < writers*perWriter {
				select {
				case b := <-s.Events:
					for _, e := range b.Events {
						got[i] = append(got[i], e.ID)
					}
					s.Received(b)
				case <-s.Ended:
					t.Errorf("subscriber %d dropped after %d events", i, len(got[i]))
					return
				case <-time.After(10 * time.Second):
					t.Errorf("subscriber %d got %d events, want %d", i, len(got[i]), writers*perWriter)
					return
				}
			}
		})
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for range perWriter {
				// The real log's append and announce are not atomic either: another writer's
				// event may be announced first.
				e := log.append(account, created())
				// Writers outrunning readers by Buffer events would drop them: not this test.
				time.Sleep(time.Millisecond)
				if w%2 == 0 {
					hub.Committed(account, e)
				} else {
					hub.Wake(account, e.ID)
				}
			}
		})
	}
	wg.Wait()
	readers.Wait()
	for i, ids := range got {
		for j, id := range ids {
			if id != int64(j+1) {
				t.Fatalf("subscriber %d: event %d has id %d, want %d (every event once, in order)", i, j, id, j+1)
			}
		}
	}
}

// A carried event that follows on from the feed is delivered without reading the log; one
// that leaves a gap makes the feed read the log, which fills it.
func TestCommittedEventsSkipTheReadOnlyWhenTheyFollowOn(t *testing.T) {
	t.Parallel()
	log := newFakeLog()
	hub := NewHub(log, frame, Limits{}, quiet())
	account := uuid.New()
	s, err := hub.Subscribe(context.Background(), account, uuid.New())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hub.Committed(account, log.append(account, created()))
	if b := <-s.Events; b.First() != 1 || b.Last() != 1 {
		t.Fatalf("got %d..%d, want 1", b.First(), b.Last())
	}
	log.mu.Lock()
	reads := log.reads
	log.mu.Unlock()
	if reads != 0 {
		t.Errorf("the feed read the log %d times for an event it was handed", reads)
	}
	log.append(account, created()) // committed elsewhere, never announced here
	hub.Committed(account, log.append(account, created()))
	select {
	case b := <-s.Events:
		if b.First() != 2 || b.Last() != 3 || len(b.Events) != 2 {
			t.Fatalf("got %d..%d, want 2 and 3 together", b.First(), b.Last())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("events 2 and 3 never arrived: the gap was not filled from the log")
	}
}

// A subscriber that does not read is dropped once Buffer events wait for it, keeping what it
// had; one that reads gets every event in order.
func TestSlowSubscriberIsDropped(t *testing.T) {
	t.Parallel()
	log := newFakeLog()
	hub := NewHub(log, frame, Limits{}, quiet())
	account := uuid.New()
	slow, _ := hub.Subscribe(context.Background(), account, uuid.New())
	defer slow.Close()
	fast, _ := hub.Subscribe(context.Background(), account, uuid.New())
	defer fast.Close()
	for i := range Buffer + 10 {
		hub.Committed(account, log.append(account, created()))
		for last := int64(0); last < int64(i+1); {
			b := <-fast.Events
			last = b.Last()
			fast.Received(b)
		}
	}
	select {
	case <-slow.Ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the slow subscriber was not dropped")
	}
	kept := 0
	for len(slow.Events) > 0 {
		kept += len((<-slow.Events).Events)
	}
	if slow.Reason() != Behind || kept != Buffer || hub.Dropped() != 1 {
		t.Errorf("slow subscriber: reason %d, kept %d events, dropped %d; want Behind, %d, 1", slow.Reason(), kept, hub.Dropped(), Buffer)
	}
}

// An access change ends that user's subscriptions, and only theirs, before any later event
// reaches them.
func TestAccessRevokedEndsTheUsersSubscriptionsFirst(t *testing.T) {
	t.Parallel()
	log := newFakeLog()
	hub := NewHub(log, frame, Limits{}, quiet())
	account, demoted, other := uuid.New(), uuid.New(), uuid.New()
	a, _ := hub.Subscribe(context.Background(), account, demoted)
	defer a.Close()
	b, _ := hub.Subscribe(context.Background(), account, demoted)
	defer b.Close()
	c, _ := hub.Subscribe(context.Background(), account, other)
	defer c.Close()
	log.append(account, domain.EscalationEvent{Type: domain.EventAccessRevoked, User: demoted})
	log.append(account, created())
	hub.Wake(account, 2)
	if b := <-c.Events; b.First() != 2 {
		t.Fatalf("the other user got %d, want the event after the revocation", b.First())
	}
	for _, s := range []*Subscription{a, b} {
		<-s.Ended
		if s.Reason() != Revoked || len(s.Events) != 0 {
			t.Errorf("the demoted user's subscription: reason %d with %d events queued, want Revoked and none", s.Reason(), len(s.Events))
		}
	}
}

// Subscriptions are capped per user and per account; closing one frees its place.
func TestSubscriptionsAreCapped(t *testing.T) {
	t.Parallel()
	hub := NewHub(newFakeLog(), frame, Limits{PerUser: 2, PerAccount: 3}, quiet())
	account, u1, u2 := uuid.New(), uuid.New(), uuid.New()
	first, _ := hub.Subscribe(context.Background(), account, u1)
	if _, err := hub.Subscribe(context.Background(), account, u1); err != nil {
		t.Fatal(err)
	}
	var tooMany *TooMany
	if _, err := hub.Subscribe(context.Background(), account, u1); !errors.As(err, &tooMany) || tooMany.Scope != "user" {
		t.Fatalf("a third stream of one user: %v, want the user cap", err)
	}
	if _, err := hub.Subscribe(context.Background(), account, u2); err != nil {
		t.Fatal(err)
	}
	if _, err := hub.Subscribe(context.Background(), account, u2); !errors.As(err, &tooMany) || tooMany.Scope != "account" {
		t.Fatalf("a fourth stream of the account: %v, want the account cap", err)
	}
	if _, err := hub.Subscribe(context.Background(), uuid.New(), u2); err != nil {
		t.Fatalf("another account is not capped by this one: %v", err)
	}
	first.Close()
	if _, err := hub.Subscribe(context.Background(), account, u1); err != nil {
		t.Fatalf("after a close there is room again: %v", err)
	}
	if hub.Open() != 4 {
		t.Errorf("open = %d, want 4", hub.Open())
	}
}

// What was committed while the feed was busy goes out together: a subscriber wakes once for a
// burst, and its frames are already joined for one write; a subscriber that had read everything
// takes it whatever its size.
func TestABurstIsOneBatch(t *testing.T) {
	t.Parallel()
	log := newFakeLog()
	hub := NewHub(log, frame, Limits{}, quiet())
	account := uuid.New()
	s, _ := hub.Subscribe(context.Background(), account, uuid.New())
	defer s.Close()
	var burst []domain.EscalationEvent
	n := 3 * Buffer
	for range n {
		burst = append(burst, log.append(account, created()))
	}
	hub.Committed(account, burst...)
	b := <-s.Events
	if len(b.Events) != n || b.First() != 1 || b.Last() != int64(n) || string(b.Frames) != joined(n) {
		t.Fatalf("the burst came as %d events (%d..%d), frames %q", len(b.Events), b.First(), b.Last(), b.Frames)
	}
}

func joined(n int) string {
	var out []byte
	for i := 1; i <= n; i++ {
		f, _ := frame(domain.EscalationEvent{ID: int64(i)})
		out = append(out, f...)
	}
	return string(out)
}
