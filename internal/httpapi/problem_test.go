package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/resolutionflow/resolutionflow/internal/domain"
)

func TestErrorHandler(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		err        error
		status     int
		detail     string
		retryAfter string
	}{
		{"unexpected error hides its text", fmt.Errorf("query users: %w", errors.New("pq: password authentication failed for secret-host")),
			http.StatusInternalServerError, internalDetail, ""},
		{"wrapped domain error", fmt.Errorf("update: %w", domain.Errorf(domain.EConflict, "already claimed")), http.StatusConflict, "already claimed", ""},
		{"internal domain error hides its text", domain.Errorf(domain.EInternal, "disk full on db-3"), http.StatusInternalServerError, internalDetail, ""},
		{"throttled", &domain.Error{Code: domain.EThrottled, Message: "wait", RetryAfter: 1500 * time.Millisecond}, http.StatusTooManyRequests, "wait", "2"},
		{"deadline", fmt.Errorf("list: %w", context.DeadlineExceeded), http.StatusServiceUnavailable, "the request took too long and was stopped; try again", ""},
		{"echo 4xx", echo.NewHTTPError(http.StatusBadRequest, "bad form"), http.StatusBadRequest, "bad form", ""},
		{"echo 5xx hides its text", echo.NewHTTPError(http.StatusInternalServerError, "stack trace"), http.StatusInternalServerError, internalDetail, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logs strings.Builder
			e := echo.New()
			rec := httptest.NewRecorder()
			ctx := e.NewContext(httptest.NewRequest(http.MethodGet, "/api/v1/users", nil), rec)
			ctx.Response().Header().Set(echo.HeaderXRequestID, "req-123")
			errorHandler(slog.New(slog.NewTextHandler(&logs, nil)))(c.err, ctx)

			if rec.Code != c.status || rec.Header().Get(echo.HeaderContentType) != problemContentType {
				t.Fatalf("status %d %q, want %d problem+json", rec.Code, rec.Header().Get(echo.HeaderContentType), c.status)
			}
			var p problem
			body, _ := io.ReadAll(rec.Body)
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatal(err)
			}
			if p.Detail != c.detail || p.RequestID != "req-123" || p.Status != c.status || p.Instance != "/api/v1/users" {
				t.Errorf("problem = %+v", p)
			}
			if got := rec.Header().Get("Retry-After"); got != c.retryAfter {
				t.Errorf("Retry-After = %q, want %q", got, c.retryAfter)
			}
			if c.status == http.StatusInternalServerError && !strings.Contains(logs.String(), c.err.Error()) {
				t.Errorf("the cause of a 500 was not logged: %s", logs.String())
			}
			if strings.Contains(string(body), "secret-host") || strings.Contains(string(body), "stack trace") {
				t.Errorf("internal text leaked: %s", body)
			}
		})
	}
}
