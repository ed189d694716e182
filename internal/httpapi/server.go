// Package httpapi serves the contract in api/openapi.yaml over Echo: the generated strict
// routes, the hand-written ones beside them, and the middleware every request passes through.
package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/resolutionflow/resolutionflow/api"
	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/aisessions"
	"github.com/resolutionflow/resolutionflow/internal/auth"
	"github.com/resolutionflow/resolutionflow/internal/bus"
	"github.com/resolutionflow/resolutionflow/internal/console"
	"github.com/resolutionflow/resolutionflow/internal/contract"
	"github.com/resolutionflow/resolutionflow/internal/escalations"
	"github.com/resolutionflow/resolutionflow/internal/sessions"
	"github.com/resolutionflow/resolutionflow/internal/trees"
	"github.com/resolutionflow/resolutionflow/internal/users"
)

// Deps is what the HTTP layer needs; cmd wires it.
type Deps struct {
	Log *slog.Logger
	// Ready reports whether the service can serve (its database answers): GET /readyz.
	Ready       func(context.Context) error
	Auth        *auth.Service
	Users       *users.Service
	Trees       *trees.Service
	Sessions    *sessions.Service
	Escalations *escalations.Service
	AISessions  *aisessions.Service
	Hub         *bus.Hub
	// EventLog is where a resuming live stream replays what it missed.
	EventLog bus.Source
	// Outbox is the email worker, for its metrics.
	Outbox         Outbox
	RequestTimeout time.Duration
	MaxBodyBytes   int64
	// Heartbeat is the interval of the live stream's keep-alive comments; a stream ends after
	// StreamLifetime, and its client reconnects.
	Heartbeat      time.Duration
	StreamLifetime time.Duration
	// Closing ends every live stream when closed: http.Server.Shutdown does not end them.
	Closing <-chan struct{}
	// DevMode drops Secure from the refresh cookie for plain http on a loopback address.
	DevMode bool
	Now     func() time.Time
	// Console serves the browser console: every GET or HEAD outside /api/ that is not an
	// operation of the contract.
	Console http.Handler
	// PublicURL is where the console is reached; its pages may use the refresh cookie.
	PublicURL string
}

// New returns the HTTP handler of the whole service.
func New(d Deps) (http.Handler, error) {
	doc, err := contract.Load()
	if err != nil {
		return nil, err
	}
	g, err := newGate(doc, d.Auth, d.MaxBodyBytes, console.Serves)
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := newMetrics(reg)

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Nothing in front of the service is trusted to report the client address: a forged
	// X-Forwarded-For would otherwise dodge the sign-in throttle.
	e.IPExtractor = echo.ExtractIPDirect()
	e.HTTPErrorHandler = errorHandler(d.Log)
	e.Use(
		middleware.RequestID(),
		observe(d.Log, m),
		middleware.RecoverWithConfig(middleware.RecoverConfig{DisableErrorHandler: true}),
		deadline(d.RequestTimeout, streamPath),
		func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				r := c.Request()
				c.SetRequest(r.WithContext(withSite(withClientAddr(r.Context(), c.RealIP()), siteOf(r))))
				return next(c)
			}
		},
		g.middleware,
	)

	h := &handlers{auth: d.Auth, users: d.Users, trees: d.Trees, sessions: d.Sessions, escalations: d.Escalations, aiSessions: d.AISessions, ready: d.Ready, devMode: d.DevMode, publicHost: hostOf(d.PublicURL)}
	oapi.RegisterHandlers(e, oapi.NewStrictHandler(h, nil))
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	e.GET("/openapi.yaml", func(c echo.Context) error { return c.Blob(http.StatusOK, "application/yaml", api.Spec) })
	docsPage, err := renderDocs(doc)
	if err != nil {
		return nil, fmt.Errorf("render the API reference: %w", err)
	}
	e.GET("/docs", func(c echo.Context) error { return c.HTMLBlob(http.StatusOK, docsPage) })
	stream := &streamer{auth: d.Auth, escalations: d.Escalations, hub: d.Hub, log: d.EventLog, heartbeat: d.Heartbeat, maxLifetime: d.StreamLifetime, closing: d.Closing, now: d.Now}
	registerStreamMetrics(reg, d.Hub, stream)
	if d.Outbox != nil {
		registerOutboxMetrics(reg, d.Outbox, d.Log)
	}
	e.GET(streamPath, stream.serve)
	e.GET("/*", echo.WrapHandler(d.Console))
	e.HEAD("/*", echo.WrapHandler(d.Console))
	e.RouteNotFound("/*", func(c echo.Context) error { return echo.ErrNotFound })
	return e, nil
}

// handlers implements the generated strict server interface. Each method is thin: read the
// principal, call one use case, convert the result.
type handlers struct {
	auth        *auth.Service
	users       *users.Service
	trees       *trees.Service
	sessions    *sessions.Service
	escalations *escalations.Service
	aiSessions  *aisessions.Service
	devMode     bool
	publicHost  string
	ready       func(context.Context) error
}

func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Host
}

var _ oapi.StrictServerInterface = (*handlers)(nil)
