// Package bus delivers committed escalation events to live subscribers. Events are committed
// with the change they record; what travels on a bus is only "account X has new events". Each
// process keeps one feed per account with subscribers, which reads the new events from the
// table once, in id order, and fans them out in memory.
package bus

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
)

// Buffer is how many events a subscriber may fall behind before it is disconnected: its client
// reconnects with Last-Event-ID and replays what it missed from the table, so nothing is lost.
const Buffer = 64

// Event is a committed escalation event as the stream sends it.
type Event struct {
	ID         int64
	Type       string
	HandoffID  uuid.UUID
	OccurredAt time.Time
	Payload    []byte
}

// Hub fans events out to the subscribers of this process.
type Hub struct {
	db  *postgres.DB
	log *slog.Logger

	mu    sync.Mutex
	feeds map[uuid.UUID]*feed
}

// NewHub returns an empty hub reading events from db.
func NewHub(db *postgres.DB, log *slog.Logger) *Hub {
	return &Hub{db: db, log: log, feeds: map[uuid.UUID]*feed{}}
}

type feed struct {
	account uuid.UUID
	wake    chan struct{}
	stop    chan struct{}

	mu     sync.Mutex
	cursor int64 // the last event id fanned out
	subs   map[*Subscription]struct{}
}

// Subscription receives an account's events committed after it was made.
type Subscription struct {
	// Events delivers events in id order. They are shared by every subscriber: read only.
	Events <-chan *Event
	// Lost is closed when the subscriber fell Buffer events behind and was dropped.
	Lost <-chan struct{}
	// From is the id of the last event committed before the subscription: live events follow it.
	From int64
	// Account is the account subscribed to.
	Account uuid.UUID

	events chan *Event // pointers keep an idle subscriber's buffer small
	lost   chan struct{}
	hub    *Hub
	feed   *feed
	once   sync.Once
}

// Subscribe starts receiving the account's events. Close the subscription when done.
func (h *Hub) Subscribe(ctx context.Context, account uuid.UUID) (*Subscription, error) {
	// Read outside the hub's lock: a slow database must not hold up every other subscriber and
	// every wake-up. An event committed meanwhile is simply delivered live.
	ctx, cancel := context.WithTimeout(ctx, readWait)
	last, err := h.db.GetLastEscalationEventID(ctx, account)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("read the last event id: %w", err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	f, ok := h.feeds[account]
	if !ok {
		f = &feed{account: account, wake: make(chan struct{}, 1), stop: make(chan struct{}), cursor: last, subs: map[*Subscription]struct{}{}}
		h.feeds[account] = f
		go h.run(f)
	}
	s := &Subscription{Account: account, events: make(chan *Event, Buffer), lost: make(chan struct{}), hub: h, feed: f}
	s.Events, s.Lost = s.events, s.lost
	f.mu.Lock()
	s.From = f.cursor
	f.subs[s] = struct{}{}
	f.mu.Unlock()
	return s, nil
}

// readWait bounds one read of the events table.
const readWait = 10 * time.Second

// catchUp is how often every feed reads the table whether or not it was woken: the safety net
// for an announcement lost on the way or a read that failed.
const catchUp = 30 * time.Second

// Run wakes every feed periodically until ctx ends.
func (h *Hub) Run(ctx context.Context) {
	tick := time.NewTicker(catchUp)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			h.WakeAll()
		}
	}
}

// Close stops the subscription; the account's feed stops with its last subscriber.
func (s *Subscription) Close() {
	s.once.Do(func() {
		h := s.hub
		h.mu.Lock()
		defer h.mu.Unlock()
		s.feed.mu.Lock()
		delete(s.feed.subs, s)
		empty := len(s.feed.subs) == 0
		s.feed.mu.Unlock()
		if empty && h.feeds[s.feed.account] == s.feed {
			delete(h.feeds, s.feed.account)
			close(s.feed.stop)
		}
	})
}

// Wake tells the account's feed, if this process has one, that new events were committed. It
// never blocks.
func (h *Hub) Wake(account uuid.UUID) {
	h.mu.Lock()
	f := h.feeds[account]
	h.mu.Unlock()
	if f != nil {
		select {
		case f.wake <- struct{}{}:
		default: // a wake-up is already pending; it will read these events too
		}
	}
}

// WakeAll wakes every feed, after a bus could have missed notifications.
func (h *Hub) WakeAll() {
	h.mu.Lock()
	accounts := make([]uuid.UUID, 0, len(h.feeds))
	for a := range h.feeds {
		accounts = append(accounts, a)
	}
	h.mu.Unlock()
	for _, a := range accounts {
		h.Wake(a)
	}
}

// run reads and fans out one account's new events each time the feed is woken, until its last
// subscriber leaves.
func (h *Hub) run(f *feed) {
	for {
		select {
		case <-f.stop:
			return
		case <-f.wake:
		}
		if err := h.deliver(f); err != nil {
			h.log.Warn("escalation feed could not read new events; retrying", "account", f.account, "error", err)
			time.AfterFunc(time.Second, func() { h.Wake(f.account) })
		}
	}
}

const readBatch = 500

func (h *Hub) deliver(f *feed) error {
	for {
		f.mu.Lock()
		after := f.cursor
		f.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), readWait)
		rows, err := h.db.ListEscalationEvents(ctx, dbq.ListEscalationEventsParams{AccountID: f.account, After: after, MaxRows: readBatch})
		cancel()
		if err != nil {
			return err
		}
		f.mu.Lock()
		for _, r := range rows {
			e := &Event{ID: r.ID, Type: r.Type, HandoffID: r.HandoffID, OccurredAt: r.CreatedAt, Payload: r.Payload}
			for s := range f.subs {
				select {
				case s.events <- e:
				default:
					delete(f.subs, s)
					close(s.lost)
				}
			}
			f.cursor = r.ID
		}
		f.mu.Unlock()
		if len(rows) < readBatch {
			return nil
		}
	}
}
