// Package bus delivers committed escalation events to live subscribers. Events are committed
// with the change they record; what travels between processes is only "account X has new
// events". Each process keeps one feed per account with subscribers, which reads the new events
// from its Source once, in order, encodes each once, and fans the encoded frame out in memory.
package bus

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// Source is where the hub reads an account's log; the hub does not know where it lives.
type Source interface {
	// Newest is the account's newest position.
	Newest(ctx context.Context, account uuid.UUID) (int64, error)
	// After returns up to limit entries after the position, oldest first, access changes included.
	After(ctx context.Context, account uuid.UUID, after int64, limit int32, withRevocations bool) ([]domain.EscalationEvent, error)
}

// Encoder turns an event into the bytes every subscriber is sent: its SSE frame.
type Encoder func(domain.EscalationEvent) ([]byte, error)

// Buffer is how many events a subscriber may fall behind before it is disconnected: its client
// reconnects with Last-Event-ID and replays what it missed from the log, so nothing is lost.
const Buffer = 64

// Event is a committed escalation event as the stream sends it.
type Event struct {
	ID int64
	// Frame is the encoded event, shared by every subscriber: read only.
	Frame []byte
}

// Limits caps the subscriptions of this process; zero means no cap.
type Limits struct {
	PerUser    int
	PerAccount int
}

// ErrTooMany is returned by Subscribe when a cap is reached.
var ErrTooMany = errors.New("too many live streams")

// TooMany says which cap a refused subscription met.
type TooMany struct {
	// Scope is "user" or "account".
	Scope string
	Limit int
}

func (t *TooMany) Error() string { return ErrTooMany.Error() }
func (t *TooMany) Unwrap() error { return ErrTooMany }

// Hub fans events out to the subscribers of this process.
type Hub struct {
	source Source
	encode Encoder
	limits Limits
	log    *slog.Logger

	mu      sync.Mutex
	feeds   map[uuid.UUID]*feed
	perUser map[uuid.UUID]int

	dropped atomic.Int64
}

// NewHub returns an empty hub reading from source and encoding with encode.
func NewHub(source Source, encode Encoder, limits Limits, log *slog.Logger) *Hub {
	return &Hub{source: source, encode: encode, limits: limits, log: log, feeds: map[uuid.UUID]*feed{}, perUser: map[uuid.UUID]int{}}
}

type feed struct {
	account uuid.UUID
	wake    chan struct{}
	stop    chan struct{}

	mu     sync.Mutex
	cursor int64 // the last entry handled
	subs   map[*Subscription]struct{}
}

// EndReason says why a subscription ended on the hub's side.
type EndReason int

const (
	// Behind: the subscriber fell Buffer events behind; it replays on reconnect.
	Behind EndReason = iota + 1
	// Revoked: the user's access changed; they must authenticate again.
	Revoked
)

// Subscription receives an account's events committed after it was made.
type Subscription struct {
	// Events delivers events in order. They are shared by every subscriber: read only.
	Events <-chan *Event
	// Ended is closed when the hub drops the subscription; Reason then says why.
	Ended <-chan struct{}
	// From is the position of the last entry committed before the subscription: live events
	// follow it.
	From    int64
	Account uuid.UUID
	User    uuid.UUID

	events chan *Event // pointers keep an idle subscriber's buffer small
	ended  chan struct{}
	reason EndReason
	hub    *Hub
	feed   *feed
	once   sync.Once
}

// Reason says why the hub ended the subscription; read it after Ended is closed.
func (s *Subscription) Reason() EndReason { return s.reason }

// Subscribe starts receiving the account's events for user. Close the subscription when done.
// Over a cap it returns a *TooMany error.
func (h *Hub) Subscribe(ctx context.Context, account, user uuid.UUID) (*Subscription, error) {
	// Read outside the hub's lock: a slow database must not hold up every other subscriber and
	// every wake-up. An event committed meanwhile is simply delivered live.
	ctx, cancel := context.WithTimeout(ctx, readWait)
	last, err := h.source.Newest(ctx, account)
	cancel()
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	f, ok := h.feeds[account]
	if h.limits.PerUser > 0 && h.perUser[user] >= h.limits.PerUser {
		return nil, &TooMany{Scope: "user", Limit: h.limits.PerUser}
	}
	if ok && h.limits.PerAccount > 0 && f.size() >= h.limits.PerAccount {
		return nil, &TooMany{Scope: "account", Limit: h.limits.PerAccount}
	}
	if !ok {
		f = &feed{account: account, wake: make(chan struct{}, 1), stop: make(chan struct{}), cursor: last, subs: map[*Subscription]struct{}{}}
		h.feeds[account] = f
		go h.run(f)
	}
	s := &Subscription{Account: account, User: user, events: make(chan *Event, Buffer), ended: make(chan struct{}), hub: h, feed: f}
	s.Events, s.Ended = s.events, s.ended
	f.mu.Lock()
	s.From = f.cursor
	f.subs[s] = struct{}{}
	f.mu.Unlock()
	h.perUser[user]++
	return s, nil
}

func (f *feed) size() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
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
		if h.perUser[s.User]--; h.perUser[s.User] <= 0 {
			delete(h.perUser, s.User)
		}
	})
}

// Open is how many subscriptions this process holds.
func (h *Hub) Open() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, c := range h.perUser {
		n += c
	}
	return n
}

// Dropped is how many subscribers were dropped for falling behind since the process started.
func (h *Hub) Dropped() int64 { return h.dropped.Load() }

// readWait bounds one read of the log.
const readWait = 10 * time.Second

// catchUp is how often every feed reads the log whether or not it was woken: the safety net
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

// Wake tells the account's feed, if this process has one, that new events were committed. It
// never blocks.
func (h *Hub) Wake(account uuid.UUID) {
	h.mu.Lock()
	f := h.feeds[account]
	h.mu.Unlock()
	if f != nil {
		f.poke()
	}
}

func (f *feed) poke() {
	select {
	case f.wake <- struct{}{}:
	default: // a wake-up is already pending; it will read these events too
	}
}

// WakeAll wakes every feed, after a bus could have missed notifications.
func (h *Hub) WakeAll() {
	h.mu.Lock()
	feeds := make([]*feed, 0, len(h.feeds))
	for _, f := range h.feeds {
		feeds = append(feeds, f)
	}
	h.mu.Unlock()
	for _, f := range feeds {
		f.poke()
	}
}

// Committed hands the hub events this process has just committed, so that its own subscribers
// get them without a read of the log. They are used only when they follow on from what the feed
// has handled; otherwise (another replica or a concurrent change committed in between) the feed
// reads the log, which is always right.
func (h *Hub) Committed(account uuid.UUID, events ...domain.EscalationEvent) {
	h.mu.Lock()
	f := h.feeds[account]
	h.mu.Unlock()
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range events {
		if e.ID <= f.cursor {
			continue
		}
		if e.ID != f.cursor+1 || h.fanOut(f, e) != nil {
			f.poke()
			return
		}
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
			time.AfterFunc(time.Second, f.poke)
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
		events, err := h.source.After(ctx, f.account, after, readBatch, true)
		cancel()
		if err != nil {
			return err
		}
		f.mu.Lock()
		for _, e := range events {
			if e.ID <= f.cursor {
				continue // delivered meanwhile from Committed
			}
			if err := h.fanOut(f, e); err != nil {
				f.mu.Unlock()
				return err
			}
		}
		f.mu.Unlock()
		if len(events) < readBatch {
			return nil
		}
	}
}

// fanOut delivers one event to the feed's subscribers and moves the cursor past it; the caller
// holds f.mu. An access change ends the user's subscriptions instead, before anything later is
// delivered to them.
func (h *Hub) fanOut(f *feed, e domain.EscalationEvent) error {
	if e.Type == domain.EventAccessRevoked {
		for s := range f.subs {
			if s.User == e.User {
				f.end(s, Revoked)
			}
		}
		f.cursor = e.ID
		return nil
	}
	frame, err := h.encode(e)
	if err != nil {
		return err
	}
	ev := &Event{ID: e.ID, Frame: frame}
	for s := range f.subs {
		select {
		case s.events <- ev:
		default:
			f.end(s, Behind)
			h.dropped.Add(1)
		}
	}
	f.cursor = e.ID
	return nil
}

// end drops a subscription from the feed and tells its stream why; the caller holds f.mu.
func (f *feed) end(s *Subscription, why EndReason) {
	delete(f.subs, s)
	s.reason = why
	close(s.ended)
}
