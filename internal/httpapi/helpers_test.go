package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/apitest"
)

// do sends a raw request through the validating transport, for what the generated client cannot
// express: forged headers, malformed bodies, wrong methods.
func do(t *testing.T, s *apitest.Server, method, path, token, contentType, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == "" {
		req.Body = http.NoBody
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

// statusCoder is any response of the generated client.
type statusCoder interface{ StatusCode() int }

// wantStatus checks a call of the generated client made only for its effect: the test fails
// unless the call answered want. Use it as wantStatus(t, http.StatusOK)(c.Client.XWithResponse(…)).
func wantStatus(t *testing.T, want int) func(statusCoder, error) {
	return func(r statusCoder, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("call: %v", err)
		}
		if got := r.StatusCode(); got != want {
			t.Fatalf("call = %d, want %d", got, want)
		}
	}
}

func decodeProblem(t *testing.T, resp *http.Response, want int) oapi.Problem {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s = %d, want %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, body)
	}
	var p oapi.Problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("problem body: %v: %s", err, body)
	}
	return p
}

func hasPointer(p oapi.Problem, pointer string) bool {
	if p.Errors == nil {
		return false
	}
	for _, e := range *p.Errors {
		if e.Pointer != nil && *e.Pointer == pointer {
			return true
		}
	}
	return false
}

// parallelStatuses runs call n times at once and counts the statuses it answered.
func parallelStatuses(t *testing.T, n int, call func() (int, error)) map[int]int {
	t.Helper()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses = map[int]int{}
	)
	for range n {
		wg.Go(func() {
			status, err := call()
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	return statuses
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// clock is a time source a test moves by hand, for rules that depend on elapsed time.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
