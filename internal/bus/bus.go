package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
)

// Bus announces that an account has new committed events, to this process or to all of them.
type Bus interface {
	// InTx runs in the transaction that appended events, before it commits.
	InTx(ctx context.Context, q *dbq.Queries, account uuid.UUID) error
	// Committed runs after that transaction committed. It never blocks or fails.
	Committed(account uuid.UUID)
}

// Memory is the bus of a single replica: it wakes the local hub after each commit.
type Memory struct{ Hub *Hub }

func (Memory) InTx(context.Context, *dbq.Queries, uuid.UUID) error { return nil }

func (m Memory) Committed(account uuid.UUID) { m.Hub.Wake(account) }

// Postgres is the bus of several replicas: pg_notify inside the transaction, so that only
// committed events are announced, and one LISTEN connection per process (see Listen) that wakes
// the local hub.
type Postgres struct{}

const channel = "escalation_events"

func (Postgres) InTx(ctx context.Context, q *dbq.Queries, account uuid.UUID) error {
	if err := q.NotifyEscalationEvents(ctx, account.String()); err != nil {
		return fmt.Errorf("notify %s: %w", channel, err)
	}
	return nil
}

func (Postgres) Committed(uuid.UUID) {}

// Listen holds one LISTEN connection to dsn and wakes the hub's feed of each announced account,
// until ctx ends. After a lost connection it reconnects with backoff and wakes every feed, which
// then catches up from the events table: a notification missed while down loses nothing.
// ready, if not nil, is called each time the listener is (re)connected.
func Listen(ctx context.Context, dsn string, hub *Hub, log *slog.Logger, ready func()) {
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

func listenOnce(ctx context.Context, dsn string, hub *Hub, connected func()) error {
	cfg, err := pgx.ParseConfig(postgres.WithoutPoolSettings(dsn))
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
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		account, err := uuid.Parse(n.Payload)
		if err != nil {
			return errors.Join(fmt.Errorf("unexpected %s payload %q", channel, n.Payload), err)
		}
		hub.Wake(account)
	}
}
