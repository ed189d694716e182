package bus

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/testdb"
)

// A subscriber that does not read is dropped once Buffer events wait for it, keeping what it
// had; one that reads gets every event in order.
func TestSlowSubscriberIsDropped(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	acc, err := db.CreateAccount(ctx, "Hub")
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.CreateUser(ctx, dbq.CreateUserParams{AccountID: acc.ID, Email: "hub@example.com", Name: "Hub", Role: "admin", PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	h, err := db.CreateHandoff(ctx, dbq.CreateHandoffParams{
		AccountID: acc.ID, Source: "session", Summary: "s", Priority: "normal", CreatedBy: u.ID, Snapshot: []byte(`{}`), CreatedAt: time.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	hub := NewHub(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	slow, err := hub.Subscribe(ctx, acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fast, err := hub.Subscribe(ctx, acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Close()

	// Two waves, so that the reading subscriber is never itself Buffer events behind.
	var ids []int64
	for _, wave := range []int{Buffer, 10} {
		for range wave {
			if _, err := db.AppendEscalationEvent(ctx, dbq.AppendEscalationEventParams{AccountID: acc.ID, HandoffID: h.ID, Type: "handoff_created", Payload: []byte(`{}`)}); err != nil {
				t.Fatal(err)
			}
		}
		hub.Wake(acc.ID)
		for range wave {
			select {
			case e := <-fast.Events:
				ids = append(ids, e.ID)
			case <-time.After(10 * time.Second):
				t.Fatalf("the reading subscriber got %d events, want %d", len(ids), Buffer+10)
			}
		}
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Fatalf("events out of order: %v", ids)
		}
	}
	select {
	case <-slow.Lost:
	case <-time.After(10 * time.Second):
		t.Fatal("the slow subscriber was not dropped")
	}
	if len(slow.Events) != Buffer {
		t.Errorf("the slow subscriber kept %d events, want %d", len(slow.Events), Buffer)
	}
}
