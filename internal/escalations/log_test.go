package escalations_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/escalations"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
	"github.com/resolutionflow/resolutionflow/internal/testdb"
)

// Event ids handed out while every account shared one sequence keep working across the move to
// per-account numbering: each account continues from its newest id, so that an old
// Last-Event-ID resumes exactly where it was, and the ids that follow are the account's own.
func TestCursorsFromBeforePerAccountNumberingResume(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := postgres.Open(ctx, testdb.NewEmptyURL(t), false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	migrator, err := postgres.Migrator(db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrator.UpTo(ctx, 7); err != nil {
		t.Fatal(err)
	}
	// Two accounts' events interleaved in the one global sequence: A has 1, 2 and 5; B has 3 and 4.
	a, b := uuid.New(), uuid.New()
	handoffs := map[uuid.UUID]uuid.UUID{}
	for _, acc := range []uuid.UUID{a, b} {
		user, handoff := uuid.New(), uuid.New()
		handoffs[acc] = handoff
		for _, stmt := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO accounts (id, name) VALUES ($1, 'Before')`, []any{acc}},
			{`INSERT INTO users (id, account_id, email, name, role, password_hash) VALUES ($1, $2, $3, 'U', 'admin', 'x')`, []any{user, acc, user.String() + "@example.com"}},
			{`INSERT INTO handoffs (id, account_id, source, summary, priority, created_by, context) VALUES ($1, $2, 'session', 's', 'normal', $3, '{}')`, []any{handoff, acc, user}},
		} {
			if _, err := db.Pool.Exec(ctx, stmt.sql, stmt.args...); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, acc := range []uuid.UUID{a, a, b, b, a} {
		if _, err := db.Pool.Exec(ctx, `INSERT INTO escalation_events (account_id, handoff_id, type, payload) VALUES ($1, $2, 'handoff_created', '{"summary":"before"}')`, acc, handoffs[acc]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := migrator.Up(ctx); err != nil {
		t.Fatal(err)
	}

	log := escalations.NewLog(db, time.Now)
	if newest, _ := log.Newest(ctx, a); newest != 5 {
		t.Errorf("account A's newest id = %d, want 5, its last id before the migration", newest)
	}
	if err := log.Check(ctx, a, 2); err != nil {
		t.Errorf("A's old cursor 2 is refused: %v", err)
	}
	after, err := log.After(ctx, a, 2, 10, false)
	if err != nil || len(after) != 1 || after[0].ID != 5 || after[0].Handoff.Summary != "before" {
		t.Fatalf("after A's old cursor 2: %+v (%v), want exactly its event 5 as stored", after, err)
	}
	// New events continue each account's own numbering.
	next := map[uuid.UUID]int64{}
	for _, acc := range []uuid.UUID{a, b, a} {
		row, err := dbq.New(db.Pool).AppendEscalationEvent(ctx, dbq.AppendEscalationEventParams{AccountID: acc, HandoffID: ptr(handoffs[acc]), Type: string(domain.EventHandoffCreated), Payload: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		next[acc] = row.Seq
	}
	if next[a] != 7 || next[b] != 5 {
		t.Errorf("new ids: A's last %d, B's %d; want 7 (after 5 and 6) and 5 (after 4)", next[a], next[b])
	}
	if err := log.Check(ctx, a, 8); domain.ErrorCode(err) != domain.EGone {
		t.Errorf("a cursor beyond A's newest = %v, want EGone (reset)", err)
	}
}

func ptr[T any](v T) *T { return &v }
