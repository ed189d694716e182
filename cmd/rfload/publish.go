package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// publisher counts the events published and the publishes that failed.
type publisher struct {
	created, failed atomic.Int64
}

// maxPrinted bounds the publish errors written out: a burst past the server's limit fails the
// same way thousands of times.
const maxPrinted = 10

func (p *publisher) one(ctx context.Context, t target, l *ledger, a int, summary string) {
	err := t.publish(ctx, a, summary, func() { l.sending(a, summary) })
	if err != nil {
		if p.failed.Add(1) <= maxPrinted && ctx.Err() == nil {
			fmt.Fprintf(os.Stderr, "create: %v\n", err)
		}
		return
	}
	p.created.Add(1)
	l.succeeded(a, summary)
}

// steady publishes total events on a fixed schedule into random accounts (open loop: a slow
// answer does not hold back the next event).
func steady(ctx context.Context, t target, l *ledger, accounts int, rate float64, total int) *publisher {
	p := &publisher{}
	interval := time.Duration(float64(time.Second) / rate)
	rng := rand.New(rand.NewPCG(7, 7))
	start := time.Now()
	var wg sync.WaitGroup
	for n := 0; n < total && ctx.Err() == nil; n++ {
		time.Sleep(time.Until(start.Add(time.Duration(n) * interval)))
		a, summary := rng.IntN(accounts), fmt.Sprintf("load %d", n)
		wg.Go(func() { p.one(ctx, t, l, a, summary) })
	}
	wg.Wait()
	return p
}

// burst publishes from clients concurrent loops, each sending its next event as soon as the
// last is answered, for d: the server's ceiling at that concurrency (closed loop).
func burst(ctx context.Context, t target, l *ledger, accounts, clients int, d time.Duration) *publisher {
	p := &publisher{}
	deadline := time.Now().Add(d)
	var (
		seq atomic.Int64
		wg  sync.WaitGroup
	)
	for range clients {
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				n := seq.Add(1) - 1
				p.one(ctx, t, l, int(n%int64(accounts)), fmt.Sprintf("load %d", n))
			}
		})
	}
	wg.Wait()
	return p
}
