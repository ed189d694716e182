package httpapi_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/resolutionflow/resolutionflow/api"
	"github.com/resolutionflow/resolutionflow/internal/apitest"
	"github.com/resolutionflow/resolutionflow/internal/contract"
)

func TestOperationalEndpoints(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	c := s.Client("")
	if r, err := c.GetHealthWithResponse(ctx); err != nil || r.StatusCode() != http.StatusOK || r.JSON200.Status != "ok" {
		t.Fatalf("healthz: %v %d", err, r.StatusCode())
	}
	if r, err := c.GetReadinessWithResponse(ctx); err != nil || r.StatusCode() != http.StatusOK {
		t.Fatalf("readyz: %v %d", err, r.StatusCode())
	}

	spec := body(t, do(t, s, http.MethodGet, "/openapi.yaml", "", "", ""))
	if !bytes.Equal(spec, api.Spec) {
		t.Error("/openapi.yaml is not the embedded contract")
	}

	docs := string(body(t, do(t, s, http.MethodGet, "/docs", "", "", "")))
	doc, err := contract.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range contract.Operations(doc) {
		if !strings.Contains(docs, `id="`+op.ID+`"`) {
			t.Errorf("the reference page lacks %s", op.ID)
		}
	}
	if strings.Contains(docs, "<script") || strings.Contains(docs, "https://") && strings.Contains(docs, "<link") {
		t.Error("the reference page loads something from elsewhere")
	}

	s.Register("Metrics")
	metrics := string(body(t, do(t, s, http.MethodGet, "/metrics", "", "", "")))
	for _, want := range []string{
		`resolutionflow_http_requests_total{method="POST",operation="register",status="201"} 1`,
		`resolutionflow_http_request_duration_seconds_count{method="GET",operation="getReadiness",status="200"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestReadinessFailsWithoutTheDatabase(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	s.DB.Close()
	p := decodeProblem(t, do(t, s, http.MethodGet, "/readyz", "", "", ""), http.StatusServiceUnavailable)
	if !strings.Contains(*p.Detail, "database") {
		t.Errorf("readyz detail %q does not name the database", *p.Detail)
	}
}

func body(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s = %d", resp.Request.URL.Path, resp.StatusCode)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The console lives beside the API: its client routes answer its page, while the API's own
// unknown routes stay problems.
func TestConsoleIsServedBesideTheAPI(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	for _, path := range []string{"/", "/queue", "/escalations/0b8f2c52-2f55-4a9f-9d8e-0f0e7d0f5a11"} {
		res := do(t, s, http.MethodGet, path, "", "", "")
		page := string(body(t, res))
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(page, "<title>ResolutionFlow") {
			t.Errorf("%s answered %s: %.80s", path, res.Header.Get("Content-Type"), page)
		}
		if res.Header.Get("Cache-Control") != "no-cache" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("%s: Cache-Control %q, CSP %q", path, res.Header.Get("Cache-Control"), res.Header.Get("Content-Security-Policy"))
		}
	}
	decodeProblem(t, do(t, s, http.MethodGet, "/api/v1/queue", "", "", ""), http.StatusNotFound)
}
