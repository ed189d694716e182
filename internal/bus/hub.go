// Package bus delivers committed escalation events to live subscribers. Events are committed
// with the change they record; what travels between processes is only "account X has new
// events". Each process keeps one feed per account with subscribers, which reads the new events
// from its Source once, in order, encodes each once, and fans the encoded frame out in memory.
package bus

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"slices"
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

// coalesce is the least time between two fan-outs of one account's feed. Under a burst, what
// is committed meanwhile waits for the next one, so that each subscriber wakes and writes once
// for several events; an event after a quiet spell goes out at once.
const coalesce = 20 * time.Millisecond

// Event is a committed escalation event as the stream sends it.
type Event struct {
	ID int64
	// Frame is the encoded event, shared by every subscriber: read only.
	Frame []byte
}

// Batch is consecutive events of an account, handed to every subscriber at once: in a burst a
// subscriber wakes and writes once for many events. It is shared: read only.
type Batch struct {
	Events []*Event
	// Frames is every event's frame joined, in order: what a subscriber that has sent none of
	// them writes.
	Frames []byte
}

// First and Last are the ids of the batch's first and last events.
func (b *Batch) First() int64 { return b.Events[0].ID }
func (b *Batch) Last() int64  { return b.Events[len(b.Events)-1].ID }

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
	last    time.Time // the last fan-out, read and written by the feed's goroutine only

	mu     sync.Mutex
	cursor int64 // the last entry handled
	subs   map[*Subscription]struct{}
	// carried are events this process committed, waiting for the feed's goroutine; behind is
	// the newest position another process is known to have committed.
	carried []domain.EscalationEvent
	behind  int64
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
	// Events delivers batches of events in order. They are shared by every subscriber: read
	// only.
	Events <-chan *Batch
	// Ended is closed when the hub drops the subscription; Reason then says why.
	Ended <-chan struct{}
	// From is the position of the last entry committed before the subscription: live events
	// follow it.
	From    int64
	Account uuid.UUID
	User    uuid.UUID

	events chan *Batch // pointers keep an idle subscriber's buffer small
	queued atomic.Int64
	ended  chan struct{}
	reason EndReason
	hub    *Hub
	feed   *feed
	once   sync.Once
}

// Reason says why the hub ended the subscription; read it after Ended is closed.
func (s *Subscription) Reason() EndReason { return s.reason }

// Received tells the hub that the stream took b off Events, so that b's events no longer count
// against the Buffer it may fall behind.
func (s *Subscription) Received(b *Batch) { s.queued.Add(-int64(len(b.Events))) }

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
	s := &Subscription{Account: account, User: user, events: make(chan *Batch, Buffer), ended: make(chan struct{}), hub: h, feed: f}
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

// Wake tells the account's feed, if this process has one, that new events were committed up to
// position through (0 when unknown), so that it reads them from the log. It never blocks.
func (h *Hub) Wake(account uuid.UUID, through int64) {
	h.mu.Lock()
	f := h.feeds[account]
	h.mu.Unlock()
	if f == nil {
		return
	}
	f.mu.Lock()
	if through == 0 || through > f.cursor {
		f.behind = max(f.behind, through, f.cursor+1)
	}
	f.mu.Unlock()
	f.poke()
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
		f.mu.Lock()
		f.behind = max(f.behind, f.cursor+1)
		f.mu.Unlock()
		f.poke()
	}
}

// Committed hands the hub events this process has just committed, so that its own subscribers
// get them without a read of the log. The feed uses them when they follow on from what it has
// handled; otherwise (another replica or a concurrent change committed in between) it reads the
// log, which is always right. It never blocks.
func (h *Hub) Committed(account uuid.UUID, events ...domain.EscalationEvent) {
	h.mu.Lock()
	f := h.feeds[account]
	h.mu.Unlock()
	if f == nil {
		return
	}
	f.mu.Lock()
	f.carried = append(f.carried, events...)
	f.mu.Unlock()
	f.poke()
}

// run delivers one account's new events each time the feed is woken, until its last subscriber
// leaves. Everything committed meanwhile goes out together.
func (h *Hub) run(f *feed) {
	for {
		select {
		case <-f.stop:
			return
		case <-f.wake:
		}
		if wait := coalesce - time.Since(f.last); wait > 0 {
			select {
			case <-f.stop:
				return
			case <-time.After(wait):
			}
		}
		f.last = time.Now()
		if err := h.deliver(f); err != nil {
			h.log.Warn("escalation feed could not read new events; retrying", "account", f.account, "error", err)
			f.mu.Lock()
			f.behind = max(f.behind, f.cursor+1)
			f.mu.Unlock()
			time.AfterFunc(time.Second, f.poke)
		}
	}
}

const readBatch = 500

// deliver fans out the carried events that follow on from the cursor, then reads the log for
// whatever else is known to be committed.
func (h *Hub) deliver(f *feed) error {
	f.mu.Lock()
	carried := f.carried
	f.carried = nil
	slices.SortFunc(carried, func(a, b domain.EscalationEvent) int { return cmp.Compare(a.ID, b.ID) })
	next := f.cursor + 1
	run := carried[:0]
	for _, e := range carried {
		if e.ID < next {
			continue
		}
		if e.ID != next {
			f.behind = max(f.behind, e.ID) // a gap: what fills it is in the log
			break
		}
		run = append(run, e)
		next++
	}
	err := h.fanOut(f, run)
	f.mu.Unlock()
	if err != nil {
		return err
	}
	for {
		f.mu.Lock()
		after, behind := f.cursor, f.behind
		f.mu.Unlock()
		if behind <= after {
			return nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), readWait)
		events, err := h.source.After(ctx, f.account, after, readBatch, true)
		cancel()
		if err != nil {
			return err
		}
		f.mu.Lock()
		fresh := events[:0]
		for _, e := range events {
			if e.ID > f.cursor {
				fresh = append(fresh, e)
			}
		}
		err = h.fanOut(f, fresh)
		if len(events) < readBatch {
			// The log holds nothing more now: what was said to be behind has been read.
			f.behind = min(f.behind, f.cursor)
		}
		f.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

// fanOut delivers events, in order, to the feed's subscribers as batches and moves the cursor
// past them; the caller holds f.mu. An access change ends the user's subscriptions instead, after
// what came before it and before anything later is delivered to them.
func (h *Hub) fanOut(f *feed, events []domain.EscalationEvent) error {
	b := &Batch{}
	flush := func() {
		if len(b.Events) == 0 {
			return
		}
		n := int64(len(b.Events))
		for s := range f.subs {
			// Behind means Buffer events already wait unread: a subscriber that has read
			// everything takes a batch of any size.
			if s.queued.Load() >= Buffer {
				f.end(s, Behind)
				h.dropped.Add(1)
				continue
			}
			s.queued.Add(n)
			select {
			case s.events <- b:
			default:
				f.end(s, Behind)
				h.dropped.Add(1)
			}
		}
		f.cursor = b.Last()
		b = &Batch{}
	}
	for _, e := range events {
		if e.Type == domain.EventAccessRevoked {
			flush()
			for s := range f.subs {
				if s.User == e.User {
					f.end(s, Revoked)
				}
			}
			f.cursor = e.ID
			continue
		}
		frame, err := h.encode(e)
		if err != nil {
			flush()
			return err
		}
		b.Events = append(b.Events, &Event{ID: e.ID, Frame: frame})
		b.Frames = append(b.Frames, frame...)
	}
	flush()
	return nil
}

// end drops a subscription from the feed and tells its stream why; the caller holds f.mu.
func (f *feed) end(s *Subscription, why EndReason) {
	delete(f.subs, s)
	s.reason = why
	close(s.ended)
}
