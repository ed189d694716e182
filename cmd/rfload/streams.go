package main

import (
	"bufio"
	"context"
	crand "crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
)

// streamOptions configure the live-delivery measurement.
type streamOptions struct {
	subscribers int
	accounts    int
	rate        float64
	serverPID   int
}

type streamAccount struct {
	token  string
	tree   uuid.UUID
	client *oapi.Client
}

// measureStreams holds subscribers open across accounts, creates handoffs at a steady rate
// through the API, and measures each event's delay from the create request to its receipt by
// every subscriber of the account, and whether any was missed or delivered twice.
func measureStreams(ctx context.Context, out io.Writer, hc *http.Client, o options, so streamOptions) error {
	accounts, err := seedStreamAccounts(ctx, hc, o.url, so.accounts)
	if err != nil {
		return err
	}
	before := rss(so.serverPID)
	var (
		sent     sync.Map // summary → time the create request started
		mu       sync.Mutex
		latency  []time.Duration
		dupes    atomic.Int64
		received = make([]map[string]int, so.subscribers)
	)
	streamClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1, DisableCompression: true}}
	ready := make(chan struct{}, so.subscribers)
	streamCtx, stop := context.WithCancel(ctx)
	defer stop()
	var readers sync.WaitGroup
	fmt.Fprintf(out, "opening %d streams over %d accounts ...\n", so.subscribers, so.accounts)
	for i := range so.subscribers {
		received[i] = map[string]int{}
		acc := accounts[i%len(accounts)]
		readers.Go(func() {
			err := readStream(streamCtx, streamClient, o.url, acc.token, ready, func(summary string) {
				t0, ok := sent.Load(summary)
				if !ok {
					return
				}
				d := time.Since(t0.(time.Time))
				mu.Lock()
				latency = append(latency, d)
				received[i][summary]++
				if received[i][summary] > 1 {
					dupes.Add(1)
				}
				mu.Unlock()
			})
			if err != nil && streamCtx.Err() == nil {
				fmt.Fprintf(os.Stderr, "stream %d: %v\n", i, err)
			}
		})
		if i%200 == 199 {
			time.Sleep(20 * time.Millisecond) // stay under the listen backlog
		}
	}
	for range so.subscribers {
		select {
		case <-ready:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	after := rss(so.serverPID)
	fmt.Fprintf(out, "%d streams open", so.subscribers)
	if before > 0 && after > 0 {
		fmt.Fprintf(out, "; server RSS %d MiB -> %d MiB: %.1f KiB per idle subscriber", before>>20, after>>20, float64(after-before)/1024/float64(so.subscribers))
	}
	fmt.Fprintln(out)

	created := make(map[int]map[string]bool) // account → summaries
	interval := time.Duration(float64(time.Second) / so.rate)
	total := int(so.rate * o.duration.Seconds())
	rng := rand.New(rand.NewPCG(7, 7))
	start := time.Now()
	fmt.Fprintf(out, "creating %d handoffs at %.0f/s ...\n", total, so.rate)
	var creators sync.WaitGroup
	var createErrs atomic.Int64
	for n := range total {
		time.Sleep(time.Until(start.Add(time.Duration(n) * interval)))
		a := rng.IntN(len(accounts))
		summary := fmt.Sprintf("load %d", n)
		if created[a] == nil {
			created[a] = map[string]bool{}
		}
		created[a][summary] = true
		creators.Go(func() {
			if err := createHandoff(ctx, accounts[a], summary, &sent); err != nil {
				createErrs.Add(1)
				fmt.Fprintf(os.Stderr, "create: %v\n", err)
			}
		})
	}
	creators.Wait()
	time.Sleep(2 * time.Second) // let the last events arrive
	stop()
	readers.Wait()

	expected, got, missing := 0, 0, 0
	for i := range so.subscribers {
		for summary := range created[i%len(accounts)] {
			expected++
			if received[i][summary] > 0 {
				got++
			} else {
				missing++
			}
		}
	}
	slices.Sort(latency)
	q := func(p float64) float64 {
		if len(latency) == 0 {
			return 0
		}
		return float64(latency[min(len(latency)-1, int(p*float64(len(latency))))].Microseconds()) / 1000
	}
	fmt.Fprintf(out, "handoffs created %d (errors %d); deliveries expected %d, received %d, missing %d, duplicated %d\n",
		total, createErrs.Load(), expected, got, missing, dupes.Load())
	fmt.Fprintf(out, "create -> receive: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms\n", q(0.50), q(0.95), q(0.99), q(1))
	return nil
}

func seedStreamAccounts(ctx context.Context, hc *http.Client, url string, n int) ([]streamAccount, error) {
	c, err := oapi.NewClientWithResponses(url, oapi.WithHTTPClient(hc))
	if err != nil {
		return nil, err
	}
	out := make([]streamAccount, n)
	rng := rand.New(rand.NewPCG(3, 3))
	for i := range out {
		email := "stream-" + strings.ToLower(crand.Text()[:10]) + "@example.com"
		reg, err := c.RegisterWithResponse(ctx, &oapi.RegisterParams{}, oapi.RegisterRequest{AccountName: "Stream " + email, Name: "Load", Email: oapi.Email(email), Password: "load test passphrase"})
		if err != nil || reg.JSON201 == nil {
			return nil, fmt.Errorf("register: %v %s", err, reg.Body)
		}
		token := reg.JSON201.Tokens.AccessToken
		authed, err := oapi.NewClientWithResponses(url, oapi.WithHTTPClient(hc), oapi.WithRequestEditorFn(bearer(token)))
		if err != nil {
			return nil, err
		}
		tree, err := authed.CreateTreeWithResponse(ctx, generateTree(rng, i, 8))
		if err != nil || tree.JSON201 == nil {
			return nil, fmt.Errorf("create tree: %v %s", err, tree.Body)
		}
		plain, err := oapi.NewClient(url, oapi.WithHTTPClient(hc), oapi.WithRequestEditorFn(bearer(token)))
		if err != nil {
			return nil, err
		}
		out[i] = streamAccount{token: token, tree: tree.JSON201.Id, client: plain}
	}
	return out, nil
}

func createHandoff(ctx context.Context, a streamAccount, summary string, sent *sync.Map) error {
	r, err := a.client.StartSession(ctx, oapi.SessionStart{TreeId: a.tree})
	w, err := decodeWalk(r, err, http.StatusCreated)
	if err != nil {
		return err
	}
	sent.Store(summary, time.Now())
	resp, err := a.client.EscalateSession(ctx, w.ID, &oapi.EscalateSessionParams{}, oapi.EscalationRequest{Summary: summary})
	return drainStatus(resp, err, http.StatusCreated)
}

func drainStatus(r *http.Response, err error, want int) error {
	if err != nil {
		return err
	}
	defer r.Body.Close()
	body, _ := io.ReadAll(r.Body)
	if r.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, body)
	}
	return nil
}

// readStream reads one SSE stream, reporting ready once and the summary of each handoff_created.
func readStream(ctx context.Context, hc *http.Client, url, token string, ready chan<- struct{}, created func(summary string)) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/api/v1/ai-sessions/escalations/stream", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("stream: %d", resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
			if event == "ready" {
				ready <- struct{}{}
			}
		case strings.HasPrefix(line, "data: ") && event == "handoff_created":
			var e struct {
				Handoff struct {
					Summary string `json:"summary"`
				} `json:"handoff"`
			}
			if json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &e) == nil {
				created(e.Handoff.Summary)
			}
		}
	}
	return sc.Err()
}

// rss is a process's resident memory in bytes, or 0 when it cannot be read.
func rss(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
