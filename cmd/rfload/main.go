// Command rfload measures a running ResolutionFlow server under load: it seeds an account with
// generated trees through the API, then drives GET /trees/{id}, POST /sessions/{id}/answer and
// GET /trees/search with N concurrent clients, and reads the same tree rows straight from
// PostgreSQL at the same concurrency, to report how close the API comes to the raw read.
//
// With -streams it measures live delivery instead: SSE subscribers spread over accounts receive
// handoffs created at a steady rate or, with -burst, as fast as the server takes them. The same
// run can target Centrifugo (-target centrifugo) as a reference, with the same subscribers,
// accounts and payload size, so that the two compare within one tool.
//
// It sends traffic only to the server it is pointed at (127.0.0.1 by default) and stops after
// its fixed duration per scenario.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

type options struct {
	url         string
	databaseURL string
	bigTrees    int
	searchTrees int
	nodes       int
	concurrency int
	duration    time.Duration
	only        string
	rate        float64
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "rfload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	var o options
	fs := flag.NewFlagSet("rfload", flag.ContinueOnError)
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080", "base URL of the running server")
	fs.StringVar(&o.databaseURL, "database-url", "postgres://postgres@localhost:5432/resolutionflow?sslmode=disable", "the server's database, for the raw-read baseline")
	fs.IntVar(&o.bigTrees, "trees", 1000, "trees of -nodes nodes to read and walk")
	fs.IntVar(&o.searchTrees, "search-trees", 10000, "trees in the account in all, for search (the rest are smaller)")
	fs.IntVar(&o.nodes, "nodes", 150, "nodes per read/walk tree")
	fs.IntVar(&o.concurrency, "c", 50, "concurrent clients")
	fs.DurationVar(&o.duration, "d", 15*time.Second, "duration of each scenario")
	fs.StringVar(&o.only, "only", "", "run only the scenarios whose names contain this text (e.g. search)")
	fs.Float64Var(&o.rate, "rate", 0, "requests per second across all clients (0: each client sends its next request as soon as the last is answered)")
	var so streamOptions
	fs.IntVar(&so.subscribers, "streams", 0, "measure live delivery instead: hold this many SSE subscribers open")
	fs.IntVar(&so.accounts, "stream-accounts", 100, "accounts the subscribers are spread over")
	fs.Float64Var(&so.rate, "handoff-rate", 20, "handoffs created per second while the streams are open")
	fs.IntVar(&so.serverPID, "server-pid", 0, "the measured server's process id (either target), to report its memory per subscriber and CPU per delivery")
	fs.StringVar(&so.target, "target", targetResolutionFlow, "server the streams measure: resolutionflow (-url) or centrifugo (-centrifugo-url), the reference")
	fs.BoolVar(&so.burst, "burst", false, "instead of -handoff-rate, create handoffs as fast as -burst-clients concurrent clients can, for the ceiling")
	fs.IntVar(&so.burstClients, "burst-clients", 16, "concurrent publishing clients with -burst")
	engineers := fs.Int("engineers", 5, "resolutionflow: engineers per account, who hold its streams between them (each also gets a handoff email)")
	ahead := fs.Int("sessions-ahead", 0, "resolutionflow: sessions started per account before the measurement, one per handoff (0: enough for -handoff-rate, or for 400 handoffs/s with -burst)")
	var co centrifugoTarget
	fs.StringVar(&co.url, "centrifugo-url", "http://127.0.0.1:8000", "centrifugo: base URL (uni_sse at /connection/uni_sse, API at /api/publish)")
	fs.StringVar(&co.apiKey, "centrifugo-api-key", "bench-api-key", "centrifugo: http_api.key of its config")
	fs.StringVar(&co.secret, "centrifugo-secret", "bench-secret", "centrifugo: client.token.hmac_secret_key of its config, to sign connection JWTs")
	fs.IntVar(&co.payloadBytes, "payload-bytes", 448, "centrifugo: size of each publication's data, to match ResolutionFlow's handoff_created data (its runs print theirs)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.searchTrees < o.bigTrees {
		o.searchTrees = o.bigTrees
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: max(o.concurrency, so.burstClients) * 2}, Timeout: 30 * time.Second}
	if so.subscribers > 0 {
		if *ahead <= 0 {
			rate := so.rate
			if so.burst {
				rate = 400
			}
			*ahead = int(rate*o.duration.Seconds()*1.2)/max(1, so.accounts) + 4
		}
		t, err := newTarget(so.target, o.url, client, *engineers, *ahead, &co)
		if err != nil {
			return err
		}
		if so.accounts < 1 || so.burst && so.burstClients < 1 || !so.burst && so.rate <= 0 {
			return errors.New("-stream-accounts and -burst-clients or -handoff-rate must be positive")
		}
		return measureStreams(ctx, out, t, so, o.duration)
	}

	start := time.Now()
	fmt.Fprintf(out, "seeding %d trees of %d nodes and %d smaller ones through %s ...\n", o.bigTrees, o.nodes, o.searchTrees-o.bigTrees, o.url)
	seeded, err := seed(ctx, client, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "seeded account %s in %s\n", seeded.accountID, time.Since(start).Round(time.Second))
	// A bulk load outruns autovacuum; refresh the statistics as an operator would after one.
	if err := analyze(ctx, o.databaseURL); err != nil {
		return err
	}
	fmt.Fprintf(out, "analyzed the tables\n\n")

	mode := "each as fast as it is answered (closed loop: latency = clients / throughput)"
	if o.rate > 0 {
		mode = fmt.Sprintf("pacing %.0f requests/s in all (open loop; latency counts from each request's scheduled start)", o.rate)
	}
	fmt.Fprintf(out, "%d concurrent clients, %s, %s per scenario\n", o.concurrency, mode, o.duration)
	fmt.Fprintf(out, "%-28s %8s %9s %8s %8s %8s %6s\n", "scenario", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors")
	results := map[string]stats{}
	for _, sc := range scenarios(client, seeded, o) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !strings.Contains(sc.name, o.only) {
			continue
		}
		st, err := drive(ctx, sc, o.concurrency, o.duration, o.rate)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		results[sc.name] = st
		fmt.Fprintf(out, "%-28s %8d %9.0f %8.2f %8.2f %8.2f %6d\n", sc.name, st.n, st.rate(), st.ms(0.50), st.ms(0.95), st.ms(0.99), st.errors)
	}
	if o.only != "" {
		return nil
	}
	api, raw := results[scenarioGetTree], results[scenarioRawRead]
	fmt.Fprintf(out, "\nGET /trees/{id} throughput / raw pgx read throughput = %.2f (target >= 0.5)\n", api.rate()/raw.rate())
	for _, name := range []string{scenarioGetTree, scenarioAnswer, scenarioSearch} {
		fmt.Fprintf(out, "%-28s p99 %.2f ms (target < 50)\n", name, results[name].ms(0.99))
	}
	fmt.Fprintf(out, "%-28s p95 %.2f ms over %d trees (target < 30)\n", scenarioSearch, results[scenarioSearch].ms(0.95), o.searchTrees)
	return nil
}

func analyze(ctx context.Context, databaseURL string) error {
	pool, err := pgxpool.New(ctx, databaseURL)
	if err != nil {
		return fmt.Errorf("connect for ANALYZE: %w", err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, "ANALYZE trees, tree_versions, tree_search, sessions, session_steps"); err != nil {
		return fmt.Errorf("ANALYZE: %w", err)
	}
	return nil
}
