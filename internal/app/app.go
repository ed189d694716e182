// Package app wires the service's components into one HTTP handler, for the binary and for the
// tests alike, so that the tests exercise exactly what production serves.
package app

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/resolutionflow/resolutionflow/internal/auth"
	"github.com/resolutionflow/resolutionflow/internal/config"
	"github.com/resolutionflow/resolutionflow/internal/escalations"
	"github.com/resolutionflow/resolutionflow/internal/httpapi"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
	"github.com/resolutionflow/resolutionflow/internal/sessions"
	"github.com/resolutionflow/resolutionflow/internal/trees"
	"github.com/resolutionflow/resolutionflow/internal/users"
)

// Settings is the part of the configuration the handler needs.
type Settings struct {
	Tokens           auth.TokenConfig
	RefreshTTL       time.Duration
	LoginMaxFailures int
	LoginLockout     time.Duration
	RequestTimeout   time.Duration
	MaxBodyBytes     int64
	Now              func() time.Time
}

// SettingsFrom takes the handler's settings from the configuration.
func SettingsFrom(cfg config.Config) Settings {
	return Settings{
		Tokens: auth.TokenConfig{
			Secret: cfg.JWTSecret, Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience, AccessTTL: cfg.AccessTokenTTL,
		},
		RefreshTTL:       cfg.RefreshTokenTTL,
		LoginMaxFailures: cfg.LoginMaxFailures,
		LoginLockout:     cfg.LoginLockout,
		RequestTimeout:   cfg.RequestTimeout,
		MaxBodyBytes:     cfg.MaxBodyBytes,
		Now:              time.Now,
	}
}

// principalFreshness bounds how long another replica may act on a user's old role or active
// flag; the replica that made the change forgets it at once.
const principalFreshness = 5 * time.Second

// Handler builds the whole service on db.
func Handler(db *postgres.DB, log *slog.Logger, s Settings) (http.Handler, error) {
	principals := auth.NewPrincipals(db, principalFreshness, s.Now)
	authService, err := auth.NewService(db, auth.NewTokens(s.Tokens, s.Now), principals, auth.NewThrottle(s.LoginLockout, s.Now),
		auth.Settings{RefreshTTL: s.RefreshTTL, MaxFailures: s.LoginMaxFailures, Now: s.Now})
	if err != nil {
		return nil, err
	}
	sessionService := sessions.NewService(db, s.Now)
	return httpapi.New(httpapi.Deps{
		Log:            log,
		DB:             db,
		Auth:           authService,
		Users:          users.NewService(db, principals),
		Trees:          trees.NewService(db),
		Sessions:       sessionService,
		Escalations:    escalations.NewService(db, sessionService, s.Now),
		RequestTimeout: s.RequestTimeout,
		MaxBodyBytes:   s.MaxBodyBytes,
	})
}
