// Package app wires the service's components into one HTTP handler and its background work,
// for the binary and for the tests alike, so that the tests exercise exactly what production
// serves.
package app

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/resolutionflow/resolutionflow/internal/auth"
	"github.com/resolutionflow/resolutionflow/internal/bus"
	"github.com/resolutionflow/resolutionflow/internal/config"
	"github.com/resolutionflow/resolutionflow/internal/escalations"
	"github.com/resolutionflow/resolutionflow/internal/httpapi"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
	"github.com/resolutionflow/resolutionflow/internal/sessions"
	"github.com/resolutionflow/resolutionflow/internal/trees"
	"github.com/resolutionflow/resolutionflow/internal/users"
)

// Settings is the part of the configuration the service needs.
type Settings struct {
	Tokens           auth.TokenConfig
	RefreshTTL       time.Duration
	LoginMaxFailures int
	LoginLockout     time.Duration
	RequestTimeout   time.Duration
	MaxBodyBytes     int64
	// Bus is "memory" (one replica) or "postgres" (LISTEN/NOTIFY on DatabaseURL).
	Bus          string
	DatabaseURL  string
	SSEHeartbeat time.Duration
	// Closing ends every live stream when closed (server shutdown).
	Closing <-chan struct{}
	// OnListening, if set, runs each time the postgres bus's listener is (re)connected.
	OnListening func()
	Now         func() time.Time
}

// SettingsFrom takes the service's settings from the configuration.
func SettingsFrom(cfg config.Config, closing <-chan struct{}) Settings {
	return Settings{
		Tokens: auth.TokenConfig{
			Secret: cfg.JWTSecret, Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience, AccessTTL: cfg.AccessTokenTTL,
		},
		RefreshTTL:       cfg.RefreshTokenTTL,
		LoginMaxFailures: cfg.LoginMaxFailures,
		LoginLockout:     cfg.LoginLockout,
		RequestTimeout:   cfg.RequestTimeout,
		MaxBodyBytes:     cfg.MaxBodyBytes,
		Bus:              cfg.EscalationBus,
		DatabaseURL:      cfg.DatabaseURL,
		SSEHeartbeat:     cfg.SSEHeartbeat,
		Closing:          closing,
		Now:              time.Now,
	}
}

// principalFreshness bounds how long another replica may act on a user's old role or active
// flag; the replica that made the change forgets it at once.
const principalFreshness = 5 * time.Second

// App is the service: its handler and the background work it needs.
type App struct {
	Handler http.Handler
	run     func(ctx context.Context)
}

// Run does the background work (the postgres bus's listener) until ctx ends.
func (a *App) Run(ctx context.Context) { a.run(ctx) }

// New builds the whole service on db.
func New(db *postgres.DB, log *slog.Logger, s Settings) (*App, error) {
	principals := auth.NewPrincipals(db, principalFreshness, s.Now)
	authService, err := auth.NewService(db, auth.NewTokens(s.Tokens, s.Now), principals, auth.NewThrottle(s.LoginLockout, s.Now),
		auth.Settings{RefreshTTL: s.RefreshTTL, MaxFailures: s.LoginMaxFailures, Now: s.Now})
	if err != nil {
		return nil, err
	}
	hub := bus.NewHub(db, log)
	var b bus.Bus = bus.Memory{Hub: hub}
	run := func(ctx context.Context) { <-ctx.Done() }
	if s.Bus == "postgres" {
		b = bus.Postgres{}
		run = func(ctx context.Context) { bus.Listen(ctx, s.DatabaseURL, hub, log, s.OnListening) }
	}
	sessionService := sessions.NewService(db, s.Now)
	handler, err := httpapi.New(httpapi.Deps{
		Log:            log,
		DB:             db,
		Auth:           authService,
		Users:          users.NewService(db, principals),
		Trees:          trees.NewService(db),
		Sessions:       sessionService,
		Escalations:    escalations.NewService(db, sessionService, b, s.Now),
		Hub:            hub,
		RequestTimeout: s.RequestTimeout,
		MaxBodyBytes:   s.MaxBodyBytes,
		Heartbeat:      s.SSEHeartbeat,
		Closing:        s.Closing,
	})
	if err != nil {
		return nil, err
	}
	return &App{Handler: handler, run: run}, nil
}
