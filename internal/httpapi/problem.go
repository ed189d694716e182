package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/resolutionflow/resolutionflow/internal/domain"
)

const problemContentType = "application/problem+json"

// problem is an RFC 9457 problem document plus what the response needs besides the body.
type problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail,omitempty"`
	Instance  string         `json:"instance,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
	Errors    []problemError `json:"errors,omitempty"`

	retryAfter time.Duration
}

type problemError struct {
	Pointer string `json:"pointer,omitempty"`
	NodeID  string `json:"node_id,omitempty"`
	Detail  string `json:"detail"`
}

// Error lets middleware return a problem as an error, to be written by errorHandler.
func (p *problem) Error() string { return p.Detail }

func newProblem(status int, detail string) *problem {
	return &problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail}
}

// statusOf is the one table from domain error codes to HTTP statuses.
var statusOf = map[domain.Code]int{
	domain.EInvalid:       http.StatusUnprocessableEntity,
	domain.EUnauthorized:  http.StatusUnauthorized,
	domain.EForbidden:     http.StatusForbidden,
	domain.ENotFound:      http.StatusNotFound,
	domain.EConflict:      http.StatusConflict,
	domain.EThrottled:     http.StatusTooManyRequests,
	domain.EStale:         http.StatusPreconditionFailed,
	domain.EUnconditional: http.StatusPreconditionRequired,
	domain.EGone:          http.StatusGone,
	domain.EUpstream:      http.StatusBadGateway,
	domain.EUnavailable:   http.StatusServiceUnavailable,
	domain.EInternal:      http.StatusInternalServerError,
}

const internalDetail = "an unexpected error occurred; quote the request id when reporting it"

// problemFor turns any error a handler or middleware returns into the problem to send. Only
// domain errors and problems carry their text to the client; everything else is a 500 whose
// cause is logged, never shown.
func problemFor(err error) *problem {
	if p, ok := errors.AsType[*problem](err); ok {
		return p
	}
	if errors.Is(err, context.Canceled) {
		return newProblem(http.StatusServiceUnavailable, "the request was cancelled before it finished")
	}
	if e, ok := errors.AsType[*domain.Error](err); ok {
		status, known := statusOf[e.Code]
		if !known || e.Code == domain.EInternal {
			return newProblem(http.StatusInternalServerError, internalDetail)
		}
		p := newProblem(status, e.Message)
		for _, f := range e.Fields {
			p.Errors = append(p.Errors, problemError{Pointer: f.Pointer, NodeID: f.NodeID, Detail: f.Detail})
		}
		p.retryAfter = e.RetryAfter
		return p
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return newProblem(http.StatusServiceUnavailable, "the request took too long and was stopped; try again")
	}
	if he, ok := errors.AsType[*echo.HTTPError](err); ok && he.Code < 500 {
		detail := http.StatusText(he.Code)
		if msg, isString := he.Message.(string); isString {
			detail = msg
		}
		return newProblem(he.Code, detail)
	}
	return newProblem(http.StatusInternalServerError, internalDetail)
}

// errorHandler is Echo's single exit for errors: it writes problem+json with the real status and
// logs server errors with their whole chain and the request id.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			// A streamed answer failed after it started: the client got an error event; the
			// cause still belongs in the log when it is ours.
			if p := problemFor(err); serverFault(p.Status) && !errors.Is(err, context.Canceled) {
				log.ErrorContext(c.Request().Context(), "streamed response failed",
					"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "path", c.Request().URL.Path, "error", err.Error())
			}
			return
		}
		p := problemFor(err)
		p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
		p.Instance = c.Request().URL.Path
		if serverFault(p.Status) && !errors.Is(err, context.Canceled) {
			log.ErrorContext(c.Request().Context(), "request failed",
				"request_id", p.RequestID, "method", c.Request().Method, "path", p.Instance, "status", p.Status, "error", err.Error())
		}
		h := c.Response().Header()
		if p.retryAfter > 0 {
			h.Set("Retry-After", strconv.Itoa(int((p.retryAfter+time.Second-1)/time.Second)))
		}
		if p.Status == http.StatusUnauthorized {
			h.Set(echo.HeaderWWWAuthenticate, `Bearer realm="resolutionflow"`)
		}
		writeProblem(c, p)
	}
}

func writeProblem(c echo.Context, p *problem) {
	body, err := json.Marshal(p)
	if err != nil {
		body = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500}`)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(p.Status)
		return
	}
	_ = c.Blob(p.Status, problemContentType, body)
}

// serverFault reports whether a status means something went wrong on our side.
func serverFault(status int) bool {
	return status >= 500
}
