package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/gen/oapi"
)

const (
	scenarioGetTree = "GET /trees/{id}"
	scenarioRawRead = "raw pgx read of the tree"
	scenarioAnswer  = "POST /sessions/{id}/answer"
	scenarioSearch  = "GET /trees/search"
)

// A scenario makes one worker per client; each call of a worker is one request, and it reports
// how long the measured part took (setup such as starting a session is not measured).
type scenario struct {
	name      string
	newWorker func(ctx context.Context, n int) (func(ctx context.Context) (time.Duration, bool, error), func(), error)
}

func scenarios(hc *http.Client, s seeded, o options) []scenario {
	plain := func() (*oapi.Client, error) {
		return oapi.NewClient(o.url, oapi.WithHTTPClient(hc), oapi.WithRequestEditorFn(bearer(s.token)))
	}
	pick := func(rng *rand.Rand) uuid.UUID { return s.bigTrees[rng.IntN(len(s.bigTrees))] }
	return []scenario{
		{scenarioGetTree, func(_ context.Context, n int) (func(context.Context) (time.Duration, bool, error), func(), error) {
			c, err := plain()
			rng := rand.New(rand.NewPCG(uint64(n), 1))
			return func(ctx context.Context) (time.Duration, bool, error) {
				t := time.Now()
				r, err := c.GetTree(ctx, pick(rng))
				return time.Since(t), true, drain(r, err)
			}, func() {}, err
		}},
		{scenarioRawRead, rawReader(s, o)},
		{scenarioAnswer, func(ctx context.Context, n int) (func(context.Context) (time.Duration, bool, error), func(), error) {
			c, err := plain()
			if err != nil {
				return nil, nil, err
			}
			rng := rand.New(rand.NewPCG(uint64(n), 2))
			var sess *walking
			return func(ctx context.Context) (time.Duration, bool, error) {
				if sess == nil || sess.Status != oapi.SessionStatusInProgress || sess.CurrentNode.Options == nil && sess.CurrentNode.Next == nil {
					r, err := c.StartSession(ctx, oapi.SessionStart{TreeId: pick(rng)})
					sess, err = decodeWalk(r, err, http.StatusCreated)
					return 0, false, err
				}
				body := oapi.SessionAnswer{NodeId: sess.CurrentNode.ID}
				if opts := sess.CurrentNode.Options; opts != nil {
					// Mostly forward, so that sessions run long.
					choice := opts[0].ID
					if rng.IntN(4) == 0 {
						choice = opts[rng.IntN(len(opts))].ID
					}
					body.OptionId = &choice
				}
				t := time.Now()
				r, err := c.AnswerSession(ctx, sess.ID, body)
				next, err := decodeWalk(r, err, http.StatusOK)
				elapsed := time.Since(t)
				if err == nil {
					sess = next
				}
				return elapsed, true, err
			}, func() {}, nil
		}},
		{scenarioSearch, func(_ context.Context, n int) (func(context.Context) (time.Duration, bool, error), func(), error) {
			c, err := plain()
			rng := rand.New(rand.NewPCG(uint64(n), 3))
			return func(ctx context.Context) (time.Duration, bool, error) {
				last := vocabulary[rng.IntN(len(vocabulary))]
				q := vocabulary[rng.IntN(len(vocabulary))] + " " + last[:min(len(last), 3+rng.IntN(3))]
				limit := int32(20)
				t := time.Now()
				r, err := c.SearchTrees(ctx, &oapi.SearchTreesParams{Q: q, Limit: &limit})
				return time.Since(t), true, drain(r, err)
			}, func() {}, err
		}},
	}
}

// walking is the part of a session the answering client needs; decoding only that keeps the
// load generator's share of the machine small.
type walking struct {
	ID          uuid.UUID          `json:"id"`
	Status      oapi.SessionStatus `json:"status"`
	CurrentNode struct {
		ID      string  `json:"id"`
		Next    *string `json:"next"`
		Options []struct {
			ID string `json:"id"`
		} `json:"options"`
	} `json:"current_node"`
}

func decodeWalk(r *http.Response, err error, want int) (*walking, error) {
	if err != nil {
		return nil, err
	}
	defer r.Body.Close()
	if r.StatusCode != want {
		body, _ := io.ReadAll(r.Body)
		return nil, fmt.Errorf("%s %s: %d %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, body)
	}
	var w walking
	if err := json.NewDecoder(r.Body).Decode(&w); err != nil {
		return nil, err
	}
	return &w, nil
}

// drain reads a response whole, as a client would, without paying for decoding it here: the
// load generator shares the machine with the server.
func drain(r *http.Response, err error) error {
	if err != nil {
		return err
	}
	defer r.Body.Close()
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		return err
	}
	if r.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d", r.Request.Method, r.Request.URL.Path, r.StatusCode)
	}
	return nil
}

// rawReader reads the same tree rows with the same query the API runs, on the pool the
// -database-url describes (set pool_max_conns there as on the server, for a fair comparison).
func rawReader(s seeded, o options) func(context.Context, int) (func(context.Context) (time.Duration, bool, error), func(), error) {
	var (
		once sync.Once
		pool *pgxpool.Pool
		err  error
		refs sync.WaitGroup
	)
	return func(ctx context.Context, n int) (func(context.Context) (time.Duration, bool, error), func(), error) {
		once.Do(func() { pool, err = pgxpool.New(ctx, o.databaseURL) })
		if err != nil {
			return nil, nil, err
		}
		refs.Add(1)
		q := dbq.New(pool)
		rng := rand.New(rand.NewPCG(uint64(n), 1))
		return func(ctx context.Context) (time.Duration, bool, error) {
				t := time.Now()
				row, err := q.GetTree(ctx, dbq.GetTreeParams{AccountID: s.accountID, ID: s.bigTrees[rng.IntN(len(s.bigTrees))]})
				if err == nil && len(row.Definition) == 0 {
					err = errors.New("empty definition")
				}
				return time.Since(t), true, err
			}, func() {
				refs.Done()
				go func() { refs.Wait(); pool.Close() }()
			}, nil
	}
}

type stats struct {
	n, errors int
	elapsed   time.Duration
	latencies []time.Duration
}

func (s stats) rate() float64 { return float64(s.n) / s.elapsed.Seconds() }

func (s stats) ms(q float64) float64 {
	if len(s.latencies) == 0 {
		return 0
	}
	return float64(s.latencies[min(len(s.latencies)-1, int(q*float64(len(s.latencies))))].Microseconds()) / 1000
}

// drive runs the scenario's workers for d and gathers their latencies. With rate > 0 each worker
// sends on a fixed schedule (rate/concurrency per second) and a late request counts its delay,
// so that a slow response cannot hide the requests it held back.
func drive(ctx context.Context, sc scenario, concurrency int, d time.Duration, rate float64) (stats, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		mu  sync.Mutex
		all stats
		wg  sync.WaitGroup
	)
	start := time.Now()
	for n := range concurrency {
		call, done, err := sc.newWorker(ctx, n)
		if err != nil {
			return stats{}, err
		}
		wg.Go(func() {
			defer done()
			var local stats
			var interval time.Duration
			if rate > 0 {
				interval = time.Duration(float64(concurrency) / rate * float64(time.Second))
			}
			next := start.Add(time.Duration(n) * interval / time.Duration(concurrency))
			for ctx.Err() == nil {
				var late time.Duration
				if interval > 0 {
					if wait := time.Until(next); wait > 0 {
						select {
						case <-time.After(wait):
						case <-ctx.Done():
						}
					}
					late = max(0, time.Since(next))
				}
				elapsed, measured, err := call(ctx)
				if ctx.Err() != nil {
					break
				}
				elapsed += late
				if measured {
					next = next.Add(interval)
				}
				if err != nil {
					local.errors++
					continue
				}
				if measured {
					local.n++
					local.latencies = append(local.latencies, elapsed)
				}
			}
			mu.Lock()
			all.n += local.n
			all.errors += local.errors
			all.latencies = append(all.latencies, local.latencies...)
			mu.Unlock()
		})
	}
	wg.Wait()
	all.elapsed = time.Since(start)
	slices.Sort(all.latencies)
	return all, nil
}
