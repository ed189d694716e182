package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"
)

// streamOptions configure the live-delivery measurement.
type streamOptions struct {
	target       string
	subscribers  int
	accounts     int
	rate         float64
	burst        bool
	burstClients int
	serverPID    int
}

const (
	targetResolutionFlow = "resolutionflow"
	targetCentrifugo     = "centrifugo"
)

// A target is a server that fans each account's events out to that account's subscribers.
type target interface {
	name() string
	// prepare makes what the streams and the publishers need (accounts, their users and
	// trees), through the server as real use would.
	prepare(ctx context.Context, out io.Writer, accounts, streams int) error
	// stream holds subscriber i, of account a, until ctx ends.
	stream(ctx context.Context, a, i int, h streamHooks) error
	// publish causes one event carrying summary in account a, calling sending just before the
	// request whose start the latency counts from.
	publish(ctx context.Context, a int, summary string, sending func()) error
}

// newTarget picks the measured server. Streams get an HTTP client of their own: one connection
// each, held open without a timeout.
func newTarget(name, url string, api *http.Client, engineers, ahead int, co *centrifugoTarget) (target, error) {
	streams := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1, DisableCompression: true}}
	switch name {
	case targetResolutionFlow:
		return newRFTarget(url, api, streams, engineers, ahead), nil
	case targetCentrifugo:
		co.api, co.streams = api, streams
		return co, nil
	}
	return nil, fmt.Errorf("-target %q: want %s or %s", name, targetResolutionFlow, targetCentrifugo)
}

// streamHooks are how a target's reader reports to the measurement.
type streamHooks struct {
	ready       func() // once: events published from now on reach this subscriber
	received    func(summary string)
	reconnected func() // the server ended the stream early and the reader opened it again
}

// measureStreams holds subscribers open across accounts, then publishes events either at a
// steady rate or, with -burst, as fast as the server takes them, and measures each event's delay
// from the publishing request to its receipt by every subscriber of the account, whether any
// was missed, delivered twice or delivered to another account, the deliveries per second, and
// the server's CPU time per delivery.
func measureStreams(ctx context.Context, out io.Writer, t target, so streamOptions, d time.Duration) error {
	if err := t.prepare(ctx, out, so.accounts, so.subscribers); err != nil {
		return err
	}
	// Seeding signs people in (an argon2 hash of 19 MiB each): the baseline waits until the
	// server has given that memory back, so that neither its garbage nor its return counts as
	// the subscribers'.
	res := streamResult{target: t.name(), streams: so.subscribers, accounts: so.accounts, cpu: -1}
	res.rssBefore = settledRSS(ctx, so.serverPID)
	if res.rssBefore > 0 {
		fmt.Fprintf(out, "server RSS baseline %d MiB, taken once it settled after seeding and before the first stream connects [%s]\n", res.rssBefore>>20, t.name())
	}

	l := newLedger()
	logs, stop, readers, err := openStreams(ctx, out, t, l, so)
	defer func() { stop(); readers.Wait() }()
	if err != nil {
		return err
	}
	res.rssAfter = settledRSS(ctx, so.serverPID)
	fmt.Fprintf(out, "%d streams open", so.subscribers)
	if kib, ok := res.idleKiB(); ok {
		fmt.Fprintf(out, "; server RSS %d MiB -> %d MiB: %.1f KiB per idle subscriber", res.rssBefore>>20, res.rssAfter>>20, kib)
	}
	fmt.Fprintf(out, " [%s]\n", t.name())

	perAccount := make([]int, so.accounts)
	for _, s := range logs {
		perAccount[s.account]++
	}
	// The CPU window runs from the first publish to the last delivery, so it holds everything a
	// handoff costs the server (for ResolutionFlow also the session start before each escalate,
	// but not PostgreSQL's share, which is another process). The load generator shares the
	// machine: its own CPU over the window tells whether a ceiling is the server's or its own.
	cpuBefore, selfBefore := cpuTime(so.serverPID), cpuTime(os.Getpid())
	var p *publisher
	if so.burst {
		res.mode = fmt.Sprintf("burst=%d-clients", so.burstClients)
		fmt.Fprintf(out, "creating handoffs as fast as %d concurrent clients can, for %s ... [%s]\n", so.burstClients, d, t.name())
		p = burst(ctx, t, l, so.accounts, so.burstClients, d)
	} else {
		res.mode = fmt.Sprintf("rate=%g/s", so.rate)
		total := int(so.rate * d.Seconds())
		fmt.Fprintf(out, "creating %d handoffs at %.0f/s ... [%s]\n", total, so.rate, t.name())
		p = steady(ctx, t, l, so.accounts, so.rate, total)
	}
	settle(ctx, l, l.owed(func(a int) int { return perAccount[a] }))
	if cpuAfter := cpuTime(so.serverPID); cpuBefore >= 0 && cpuAfter >= 0 {
		res.cpu = cpuAfter - cpuBefore
	}
	res.selfCPU = cpuTime(os.Getpid()) - selfBefore
	stop()
	readers.Wait()

	res.created, res.createErrs = p.created.Load(), p.failed.Load()
	res.reconnects = l.reconnects.Load()
	res.tally(l, logs)
	if dp, ok := t.(interface{ describePayload(io.Writer) }); ok {
		dp.describePayload(out)
	}
	res.print(out)
	return nil
}

// openStreams starts every subscriber and waits until all are ready. The readers run until stop
// is called; wait on the group after it.
func openStreams(ctx context.Context, out io.Writer, t target, l *ledger, so streamOptions) ([]*streamLog, context.CancelFunc, *sync.WaitGroup, error) {
	streamCtx, stop := context.WithCancel(ctx)
	readers := &sync.WaitGroup{}
	logs := make([]*streamLog, so.subscribers)
	opened := make(chan error, so.subscribers)
	fmt.Fprintf(out, "opening %d streams over %d accounts ... [%s]\n", so.subscribers, so.accounts, t.name())
	for i := range so.subscribers {
		a := i % so.accounts
		logs[i] = newStreamLog(a)
		readers.Go(func() {
			ready := false
			err := t.stream(streamCtx, a, i, streamHooks{
				ready:       func() { ready = true; opened <- nil },
				received:    func(summary string) { l.receive(logs[i], summary) },
				reconnected: func() { l.reconnects.Add(1) },
			})
			switch {
			case !ready:
				opened <- fmt.Errorf("stream %d: %w", i, err)
			case err != nil && streamCtx.Err() == nil:
				fmt.Fprintf(os.Stderr, "stream %d: %v\n", i, err)
			}
		})
		if i%200 == 199 {
			time.Sleep(20 * time.Millisecond) // stay under the listen backlog
		}
	}
	for range so.subscribers {
		select {
		case err := <-opened:
			if err != nil {
				return nil, stop, readers, err
			}
		case <-ctx.Done():
			return nil, stop, readers, ctx.Err()
		}
	}
	return logs, stop, readers, nil
}

// settleQuiet is how long no delivery may arrive before the ones still owed count as missing.
const settleQuiet = 2 * time.Second

// settle waits until every owed delivery has arrived, or none has for settleQuiet, so that the
// CPU window ends with the last delivery rather than after a fixed pause.
func settle(ctx context.Context, l *ledger, owed int64) {
	since := time.Now()
	for l.delivered.Load() < owed && ctx.Err() == nil {
		if last := time.Unix(0, l.lastAt.Load()); last.After(since) {
			since = last
		}
		if time.Since(since) > settleQuiet {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
