package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// streamResult is what one run measured.
type streamResult struct {
	target              string
	streams, accounts   int
	mode                string
	rssBefore, rssAfter int64
	cpu                 time.Duration // -1 when the server's /proc was not readable
	selfCPU             time.Duration // rfload's own, over the same window
	created, createErrs int64
	reconnects          int64

	expected, received, missing, dupes, wrong int
	latency                                   []time.Duration // sorted
	window                                    time.Duration   // first delivery to last
}

// tally merges the subscribers' logs: each is owed every event published into its account.
func (r *streamResult) tally(l *ledger, logs []*streamLog) {
	var first, last time.Time
	for _, s := range logs {
		for _, summary := range l.published[s.account] {
			r.expected++
			if s.received[summary] > 0 {
				r.received++
			} else {
				r.missing++
			}
		}
		r.dupes += s.dupes
		r.wrong += s.wrong
		r.latency = append(r.latency, s.latency...)
		if !s.first.IsZero() && (first.IsZero() || s.first.Before(first)) {
			first = s.first
		}
		if s.last.After(last) {
			last = s.last
		}
	}
	slices.Sort(r.latency)
	r.window = last.Sub(first)
}

func (r streamResult) ms(q float64) float64 {
	if len(r.latency) == 0 {
		return 0
	}
	return float64(r.latency[min(len(r.latency)-1, int(q*float64(len(r.latency))))].Microseconds()) / 1000
}

func (r streamResult) idleKiB() (float64, bool) {
	if r.rssBefore <= 0 || r.rssAfter <= 0 {
		return 0, false
	}
	return float64(r.rssAfter-r.rssBefore) / 1024 / float64(r.streams), true
}

func (r streamResult) perSecond() float64 {
	if r.window <= 0 {
		return 0
	}
	return float64(len(r.latency)) / r.window.Seconds()
}

func (r streamResult) cpuPerDelivery() (float64, bool) {
	if r.cpu < 0 || len(r.latency) == 0 {
		return 0, false
	}
	return float64(r.cpu.Microseconds()) / float64(len(r.latency)), true
}

// print writes the lines the README quotes, each labelled with the target, then one summary line
// to paste.
func (r streamResult) print(out io.Writer) {
	fmt.Fprintf(out, "handoffs created %d (errors %d); deliveries expected %d, received %d, missing %d, duplicated %d, wrong-account %d [%s]\n",
		r.created, r.createErrs, r.expected, r.received, r.missing, r.dupes, r.wrong, r.target)
	fmt.Fprintf(out, "create -> receive: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms [%s]\n", r.ms(0.50), r.ms(0.95), r.ms(0.99), r.ms(1), r.target)
	cpu, kib := "n/a", "n/a"
	fmt.Fprintf(out, "%d deliveries in %.2f s from first to last: %.0f deliveries/s", len(r.latency), r.window.Seconds(), r.perSecond())
	if us, ok := r.cpuPerDelivery(); ok {
		cpu = fmt.Sprintf("%.1f", us)
		fmt.Fprintf(out, "; server CPU %.2f s: %s µs per delivery", r.cpu.Seconds(), cpu)
	}
	fmt.Fprintf(out, "; rfload CPU %.2f s; streams reopened %d [%s]\n", r.selfCPU.Seconds(), r.reconnects, r.target)
	if v, ok := r.idleKiB(); ok {
		kib = fmt.Sprintf("%.1f", v)
	}
	fmt.Fprintf(out, "summary: target=%s streams=%d accounts=%d %s p50=%.1fms p95=%.1fms p99=%.1fms deliveries/s=%.0f cpu-µs/delivery=%s KiB/idle-subscriber=%s missing=%d duplicated=%d wrong-account=%d\n",
		r.target, r.streams, r.accounts, r.mode, r.ms(0.50), r.ms(0.95), r.ms(0.99), r.perSecond(), cpu, kib, r.missing, r.dupes, r.wrong)
}
