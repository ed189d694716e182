package main

import "testing"

func TestLedgerReceive(t *testing.T) {
	l := newLedger()
	l.sending(0, "load 0")
	l.succeeded(0, "load 0")
	l.sending(1, "load 1")
	l.succeeded(1, "load 1")
	s := newStreamLog(0)
	for _, summary := range []string{"load 0", "load 0", "load 1", "from another run"} {
		l.receive(s, summary)
	}
	if s.received["load 0"] != 2 || s.dupes != 1 || s.wrong != 1 || len(s.latency) != 1 {
		t.Errorf("received %v, dupes %d, wrong %d, latencies %d", s.received, s.dupes, s.wrong, len(s.latency))
	}
	if got := l.delivered.Load(); got != 1 {
		t.Errorf("delivered %d, want 1: duplicates and other accounts' events are not deliveries", got)
	}
	// Three subscribers in account 0 and two in account 1 are owed 3+2 deliveries.
	if got := l.owed(func(a int) int { return 3 - a }); got != 5 {
		t.Errorf("owed %d, want 5", got)
	}
}
