// Package app wires the service's components into one HTTP handler and its background work,
// for the binary and for the tests alike, so that the tests exercise exactly what production
// serves.
package app

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/resolutionflow/resolutionflow/internal/aisessions"
	"github.com/resolutionflow/resolutionflow/internal/assistant"
	"github.com/resolutionflow/resolutionflow/internal/auth"
	"github.com/resolutionflow/resolutionflow/internal/bus"
	"github.com/resolutionflow/resolutionflow/internal/config"
	"github.com/resolutionflow/resolutionflow/internal/console"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/escalations"
	"github.com/resolutionflow/resolutionflow/internal/httpapi"
	"github.com/resolutionflow/resolutionflow/internal/mail"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
	"github.com/resolutionflow/resolutionflow/internal/sessions"
	"github.com/resolutionflow/resolutionflow/internal/trees"
	"github.com/resolutionflow/resolutionflow/internal/users"
)

// Settings is the part of the configuration the service needs.
type Settings struct {
	Tokens     auth.TokenConfig
	RefreshTTL time.Duration
	// RefreshReuseWindow lets a just-rotated refresh token get back its successor (tabs that
	// refresh at once); see auth.Settings.
	RefreshReuseWindow time.Duration
	// DevMode drops Secure from the refresh cookie for plain http on a loopback address.
	DevMode          bool
	LoginMaxFailures int
	LoginLockout     time.Duration
	RequestTimeout   time.Duration
	MaxBodyBytes     int64
	// Bus is "memory" (one replica) or "postgres" (LISTEN/NOTIFY on DatabaseURL).
	Bus          string
	DatabaseURL  string
	SSEHeartbeat time.Duration
	// StreamLifetime ends a live stream after it, and Streams caps them per user and per
	// account on each process.
	StreamLifetime time.Duration
	Streams        bus.Limits
	// EventRetention is how long escalation events stay replayable.
	EventRetention time.Duration
	// Mail sends the handoff emails (a LogSender when no SMTP server is configured), polling
	// the outbox every MailPoll and retrying with MailBackoff up to MailAttempts times.
	Mail         mail.Sender
	MailPoll     time.Duration
	MailBackoff  func(int32) time.Duration
	MailAttempts int32
	// A recipient who gets more than MailDigestAfter handoffs within MailDigestWindow gets one
	// digest for the rest of the window instead of an email each.
	MailDigestAfter  int
	MailDigestWindow time.Duration
	// PublicURL is where emails link to.
	PublicURL string
	// AI picks the assistant: the zero value is the built-in one.
	AI AISettings
	// Closing ends every live stream when closed (server shutdown).
	Closing <-chan struct{}
	// OnListening, if set, runs each time the postgres bus's listener is (re)connected.
	OnListening func()
	Now         func() time.Time
}

// SettingsFrom takes the service's settings from the configuration.
func SettingsFrom(cfg config.Config, closing <-chan struct{}, log *slog.Logger) (Settings, error) {
	var sender mail.Sender = mail.LogSender{Log: log}
	if cfg.SMTPURL != "" {
		smtp, err := mail.NewSMTPSender(cfg.SMTPURL, cfg.MailFrom)
		if err != nil {
			return Settings{}, err
		}
		sender = smtp
	}
	return Settings{
		Tokens: auth.TokenConfig{
			Secret: cfg.JWTSecret, Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience, AccessTTL: cfg.AccessTokenTTL,
		},
		RefreshTTL:         cfg.RefreshTokenTTL,
		RefreshReuseWindow: cfg.RefreshReuseWindow,
		DevMode:            cfg.DevMode,
		LoginMaxFailures:   cfg.LoginMaxFailures,
		LoginLockout:       cfg.LoginLockout,
		RequestTimeout:     cfg.RequestTimeout,
		MaxBodyBytes:       cfg.MaxBodyBytes,
		Bus:                cfg.EscalationBus,
		DatabaseURL:        cfg.DatabaseURL,
		SSEHeartbeat:       cfg.SSEHeartbeat,
		StreamLifetime:     cfg.StreamMaxLifetime,
		Streams:            bus.Limits{PerUser: cfg.StreamsPerUser, PerAccount: cfg.StreamsPerAccount},
		EventRetention:     cfg.EventRetention,
		Mail:               sender,
		MailPoll:           2 * time.Second,
		MailBackoff:        mail.ExponentialBackoff(30*time.Second, 30*time.Minute),
		MailAttempts:       8,
		MailDigestAfter:    cfg.MailDigestAfter,
		MailDigestWindow:   cfg.MailDigestWindow,
		PublicURL:          cfg.PublicURL,
		AI: AISettings{
			Provider: cfg.AIProvider, BaseURL: cfg.AIBaseURL, APIKey: cfg.AIAPIKey, Model: cfg.AIModel,
			Timeout: cfg.AITimeout, ContextChars: cfg.AIContextChars,
			CallsPerMinute: cfg.AICallsPerMinute, MaxMessages: cfg.AIMaxMessages,
		},
		Closing: closing,
		Now:     time.Now,
	}, nil
}

// AISettings configure the assistant's provider.
type AISettings struct {
	Provider               string // "builtin" or "openai"
	BaseURL, APIKey, Model string
	Timeout                time.Duration
	ContextChars           int
	// CallsPerMinute and MaxMessages limit each user's assistant calls and each conversation.
	CallsPerMinute, MaxMessages int
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
	eventLog := escalations.NewLog(db, s.Now)
	hub := bus.NewHub(eventLog, httpapi.EventFrame, s.Streams, log)
	var b bus.Bus = bus.Memory{Hub: hub}
	listen := func(ctx context.Context) { <-ctx.Done() }
	if s.Bus == "postgres" {
		pg, err := postgres.NewBus(s.DatabaseURL, hub, log)
		if err != nil {
			return nil, err
		}
		b = pg
		listen = func(ctx context.Context) {
			defer pg.Close()
			postgres.Listen(ctx, s.DatabaseURL, hub, log, s.OnListening)
		}
	}
	access := escalations.Access{Log: eventLog, Bus: b}
	principals := auth.NewPrincipals(db, principalFreshness, s.Now)
	authService, err := auth.NewService(db, auth.NewTokens(s.Tokens, s.Now), principals, auth.NewThrottle(s.LoginLockout, s.Now),
		auth.Settings{RefreshTTL: s.RefreshTTL, ReuseWindow: s.RefreshReuseWindow, MaxFailures: s.LoginMaxFailures, Now: s.Now, Access: access})
	if err != nil {
		return nil, err
	}
	sessionService := sessions.NewService(db, s.Now)
	treeService := trees.NewService(db)
	conversations := aisessions.NewService(db, sessionService, newAssistant(s.AI, treeService),
		aisessions.Limits{CallsPerMinute: s.AI.CallsPerMinute, Messages: s.AI.MaxMessages}, s.Now)
	escalationService := escalations.NewService(db, eventLog, sessionService, conversations, b,
		escalations.Mail{PublicURL: s.PublicURL, DigestAfter: s.MailDigestAfter, DigestWindow: s.MailDigestWindow}, s.Now)
	mailer := &mail.Worker{DB: db, Sender: s.Mail, Log: log, Now: s.Now, Poll: s.MailPoll, MaxAttempts: s.MailAttempts, Backoff: s.MailBackoff}
	run := func(ctx context.Context) {
		var wg sync.WaitGroup
		wg.Go(func() { listen(ctx) })
		wg.Go(func() { hub.Run(ctx) })
		wg.Go(func() { prune(ctx, eventLog, s.EventRetention, log) })
		wg.Go(func() { mailer.Run(ctx) })
		wg.Wait()
	}
	site, err := console.New(console.Embedded())
	if err != nil {
		return nil, err
	}
	handler, err := httpapi.New(httpapi.Deps{
		Log:            log,
		Ready:          func(ctx context.Context) error { return db.Pool.Ping(ctx) },
		Auth:           authService,
		Users:          users.NewService(db, principals, access),
		Trees:          treeService,
		Sessions:       sessionService,
		Escalations:    escalationService,
		AISessions:     conversations,
		Hub:            hub,
		EventLog:       eventLog,
		Outbox:         mailer,
		StreamLifetime: s.StreamLifetime,
		RequestTimeout: s.RequestTimeout,
		MaxBodyBytes:   s.MaxBodyBytes,
		Heartbeat:      s.SSEHeartbeat,
		Closing:        s.Closing,
		DevMode:        s.DevMode,
		Now:            s.Now,
		Console:        site,
		PublicURL:      s.PublicURL,
	})
	if err != nil {
		return nil, err
	}
	return &App{Handler: handler, run: run}, nil
}

func newAssistant(s AISettings, trees *trees.Service) domain.Assistant {
	if s.Provider == "openai" {
		return assistant.OpenAI{
			BaseURL: s.BaseURL, APIKey: s.APIKey, Model: s.Model, Client: &http.Client{},
			Timeout: s.Timeout, Budget: s.ContextChars, Trees: trees,
		}
	}
	return assistant.Builtin{Trees: trees}
}

// pruneEvery is how often old escalation events are deleted; every replica prunes, which is
// harmless: the deletes are idempotent.
const pruneEvery = time.Hour

func prune(ctx context.Context, service *escalations.Log, retention time.Duration, log *slog.Logger) {
	if retention <= 0 {
		<-ctx.Done()
		return
	}
	tick := time.NewTicker(pruneEvery)
	defer tick.Stop()
	for {
		if n, err := service.Prune(ctx, retention); err != nil && ctx.Err() == nil {
			log.Warn("pruning escalation events failed; retrying at the next interval", "error", err)
		} else if n > 0 {
			log.Info("pruned escalation events", "accounts", n, "older_than", retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
