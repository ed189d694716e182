// Package apitest runs the real service on a fresh database and talks to it through the
// generated Go client, validating every response against api/openapi.yaml. A response that the
// contract does not allow, or any 500, fails the test.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/app"
	"github.com/resolutionflow/resolutionflow/internal/auth"
	"github.com/resolutionflow/resolutionflow/internal/console"
	"github.com/resolutionflow/resolutionflow/internal/contract"
	"github.com/resolutionflow/resolutionflow/internal/mail"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
	"github.com/resolutionflow/resolutionflow/internal/testdb"
)

// Secret, Issuer and Audience are the test server's token settings, so that tests can forge
// tokens the server must reject.
var (
	Secret   = []byte("test-secret-that-is-at-least-32-bytes-long")
	Issuer   = "resolutionflow"
	Audience = "resolutionflow-api"
)

// Server is a running service on its own database.
type Server struct {
	URL string
	DB  *postgres.DB
	// DatabaseURL is the database's URL, for a second instance or a raw connection.
	DatabaseURL string
	t           testing.TB
}

// Option adjusts the server's settings.
type Option func(*app.Settings)

// WithSettings lets a test change any setting, such as the throttle limits.
func WithSettings(f func(*app.Settings)) Option { return Option(f) }

// NewServer starts the service on a fresh database; it stops when t ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	dsn := testdb.NewURL(t)
	return start(t, dsn, opts)
}

// Another starts a second instance of the service on the same database, as another replica.
func (s *Server) Another(opts ...Option) *Server {
	s.t.Helper()
	return start(s.t, s.DatabaseURL, opts)
}

func start(t testing.TB, dsn string, opts []Option) *Server {
	t.Helper()
	db, err := postgres.Open(context.Background(), dsn, false)
	if err != nil {
		t.Fatalf("apitest: %v", err)
	}
	t.Cleanup(db.Close)
	closing := make(chan struct{})
	st := app.Settings{
		Tokens:           auth.TokenConfig{Secret: Secret, Issuer: Issuer, Audience: Audience, AccessTTL: 15 * time.Minute},
		RefreshTTL:       24 * time.Hour,
		LoginMaxFailures: 5,
		LoginLockout:     15 * time.Minute,
		RequestTimeout:   30 * time.Second,
		MaxBodyBytes:     64 << 10,
		Bus:              "memory",
		DatabaseURL:      dsn,
		SSEHeartbeat:     25 * time.Second,
		Mail:             mail.LogSender{Log: slog.New(slog.NewTextHandler(io.Discard, nil))},
		MailPoll:         50 * time.Millisecond,
		MailBackoff:      func(int32) time.Duration { return 10 * time.Millisecond },
		MailAttempts:     3,
		PublicURL:        "http://resolutionflow.test",
		AI:               app.AISettings{Provider: "builtin", CallsPerMinute: 30, MaxMessages: 200},
		Closing:          closing,
		Now:              time.Now,
	}
	for _, o := range opts {
		o(&st)
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	service, err := app.New(db, log, st)
	if err != nil {
		t.Fatalf("apitest: build the service: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		service.Run(ctx)
	}()
	srv := httptest.NewServer(service.Handler)
	// Cleanups run last-in first-out: streams end, then the server closes, then the background
	// work stops.
	t.Cleanup(func() { cancel(); <-done })
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(closing) })
	return &Server{URL: srv.URL, DB: db, DatabaseURL: dsn, t: t}
}

// Client returns a generated client that sends token (if any) and validates every response.
func (s *Server) Client(token string) *oapi.ClientWithResponses {
	s.t.Helper()
	c, err := oapi.NewClientWithResponses(s.URL, oapi.WithHTTPClient(s.HTTPClient()), oapi.WithRequestEditorFn(
		func(_ context.Context, req *http.Request) error {
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			return nil
		}))
	if err != nil {
		s.t.Fatalf("apitest: client: %v", err)
	}
	return c
}

// HTTPClient is a plain client whose responses are validated, for requests the generated client
// cannot make (wrong methods, malformed bodies, forged headers).
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{Transport: &validatingTransport{t: s.t, base: http.DefaultTransport}}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

var (
	loadOnce sync.Once
	doc      *openapi3.T
	router   routers.Router
	loadErr  error
)

func loadContract() (*openapi3.T, routers.Router, error) {
	loadOnce.Do(func() {
		doc, loadErr = contract.Load()
		if loadErr == nil {
			router, loadErr = contract.Router(doc)
		}
	})
	return doc, router, loadErr
}

type validatingTransport struct {
	t    testing.TB
	base http.RoundTripper
}

func (v *validatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := v.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/event-stream" {
		// A stream does not end: check its status and type, and leave the body to the caller.
		if err := Validate(req, resp.StatusCode, resp.Header, nil); err != nil {
			v.t.Errorf("%s %s → %d breaks the contract: %v", req.Method, req.URL.Path, resp.StatusCode, err)
		}
		return resp, nil
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err := Validate(req, resp.StatusCode, resp.Header, body); err != nil {
		v.t.Errorf("%s %s → %d breaks the contract: %v\nbody: %s", req.Method, req.URL.Path, resp.StatusCode, err, body)
	}
	return resp, nil
}

// Validate checks one response against the contract: its status must be declared by the
// operation (or be a problem for a request no operation matches), its content type and body
// must match, every error must be problem+json, and no response may be a 500.
func Validate(req *http.Request, status int, header http.Header, body []byte) error {
	doc, router, err := loadContract()
	if err != nil {
		return err
	}
	if status >= 500 && !declared(req, status) {
		return fmt.Errorf("server error %d", status)
	}
	if status >= 400 {
		if err := validateProblem(doc, status, header, body); err != nil {
			return err
		}
	}
	route, params, err := router.FindRoute(req)
	if err != nil && console.Serves(req) && status < 400 {
		return nil // a page of the console, which is not the contract's
	}
	if err != nil {
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			return fmt.Errorf("no operation matches, yet the status is %d (want 404 or 405)", status)
		}
		return nil
	}
	if route.Operation.Responses.Status(status) == nil && !anyOperationMay[status] {
		return fmt.Errorf("operation %s does not declare status %d", route.Operation.OperationID, status)
	}
	options := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	if mt, _, _ := mime.ParseMediaType(header.Get("Content-Type")); mt != "" && !strings.HasSuffix(mt, "json") {
		// kin-openapi cannot decode text bodies (metrics, the reference page): check the
		// content type is the declared one and leave the body alone.
		if r := route.Operation.Responses.Status(status); r == nil || r.Value.Content.Get(mt) == nil {
			return fmt.Errorf("operation %s does not declare content type %q for status %d", route.Operation.OperationID, mt, status)
		}
		options.ExcludeResponseBody = true
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                options,
	}
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		return err
	}
	return nil
}

// anyOperationMay lists the statuses any operation can answer through its default response:
// those the gate or the runtime send regardless of the operation.
var anyOperationMay = map[int]bool{
	http.StatusMethodNotAllowed: true,
}

// declared reports whether the operation matching req lists status explicitly.
func declared(req *http.Request, status int) bool {
	_, router, err := loadContract()
	if err != nil {
		return false
	}
	route, _, err := router.FindRoute(req)
	return err == nil && route.Operation.Responses.Status(status) != nil
}

func validateProblem(doc *openapi3.T, status int, header http.Header, body []byte) error {
	mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	if mt != "application/problem+json" {
		return fmt.Errorf("error response has content type %q, want application/problem+json", header.Get("Content-Type"))
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("problem body is not JSON: %w", err)
	}
	if err := doc.Components.Schemas["Problem"].Value.VisitJSON(v); err != nil {
		return fmt.Errorf("problem body breaks the Problem schema: %w", err)
	}
	var p struct {
		Status int `json:"status"`
	}
	_ = json.Unmarshal(body, &p)
	if p.Status != status {
		return errors.New("problem status differs from the HTTP status")
	}
	return nil
}
