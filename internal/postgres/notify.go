package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/bus"
	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// Bus is the escalation bus of several replicas: the local hub gets the events at once, and the
// others hear of them through pg_notify after commit, so only committed events are announced,
// and one LISTEN connection per process (see Listen) that wakes their hubs.
type Bus struct {
	pool *pgxpool.Pool
	hub  *bus.Hub
	log  *slog.Logger
}

// channel must match NotifyEscalationEvents in db/queries/escalation_events.sql.
const channel = "escalation_events"

// announceWait bounds one notification; past it the announcement is dropped and logged.
const announceWait = 5 * time.Second

// NewBus returns a bus notifying through its own small pool on dsn, so that a saturated
// request pool cannot hold announcements back.
func NewBus(dsn string, hub *bus.Hub, log *slog.Logger) (*Bus, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("escalation bus: %w", err)
	}
	cfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("escalation bus: %w", err)
	}
	return &Bus{pool: pool, hub: hub, log: log}, nil
}

// Close releases the bus's connections.
func (p *Bus) Close() { p.pool.Close() }

func (p *Bus) Announce(account uuid.UUID, committed ...domain.EscalationEvent) {
	var through int64
	if len(committed) > 0 {
		p.hub.Committed(account, committed...)
		through = committed[len(committed)-1].ID
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), announceWait)
		defer cancel()
		if err := dbq.New(p.pool).NotifyEscalationEvents(ctx, account.String()+"/"+strconv.FormatInt(through, 10)); err != nil {
			p.log.Warn("could not announce escalation events; subscribers get them at the next catch-up", "account", account, "error", err)
		}
	}()
}

// Listen holds one LISTEN connection to dsn and wakes the hub's feed of each announced account,
// until ctx ends. After a lost connection it reconnects with backoff and wakes every feed, which
// then catches up from the events table: a notification missed while down loses nothing.
// ready, if not nil, is called each time the listener is (re)connected.
func Listen(ctx context.Context, dsn string, hub *bus.Hub, log *slog.Logger, ready func()) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := listenOnce(ctx, dsn, hub, func() {
			backoff = 100 * time.Millisecond
			hub.WakeAll()
			if ready != nil {
				ready()
			}
		})
		if ctx.Err() != nil {
			return
		}
		log.Warn("escalation listener lost its connection; reconnecting", "error", err, "in", backoff.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

// idleCheck is how long the listener waits for a notification before checking that its
// connection is alive: a half-open connection would otherwise go unnoticed for minutes.
const idleCheck = 30 * time.Second

func listenOnce(ctx context.Context, dsn string, hub *bus.Hub, connected func()) error {
	cfg, err := pgx.ParseConfig(WithoutPoolSettings(dsn))
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		return err
	}
	connected()
	for {
		wait, cancel := context.WithTimeout(ctx, idleCheck)
		n, err := conn.WaitForNotification(wait)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			if err := conn.Ping(ctx); err != nil {
				return fmt.Errorf("idle listener connection is dead: %w", err)
			}
			continue
		}
		if err != nil {
			return err
		}
		id, position, _ := strings.Cut(n.Payload, "/")
		account, err := uuid.Parse(id)
		if err != nil {
			return errors.Join(fmt.Errorf("unexpected %s payload %q", channel, n.Payload), err)
		}
		through, _ := strconv.ParseInt(position, 10, 64) // 0, read whatever is new, when absent
		hub.Wake(account, through)
	}
}
