// Package config reads the service's configuration from the environment, once, into a value.
package config

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultDatabaseURL is the local PostgreSQL every developer machine has.
const DefaultDatabaseURL = "postgres://postgres@localhost:5432/resolutionflow?sslmode=disable"

// Config is everything the binary can be told. Each component receives only the fields it uses.
type Config struct {
	DevMode              bool
	DatabaseURL          string
	HTTPAddr             string
	MigrateOnStart       bool
	JWTSecret            []byte
	JWTSecretIsEphemeral bool
	JWTIssuer            string
	JWTAudience          string
	AccessTokenTTL       time.Duration
	RefreshTokenTTL      time.Duration
	RefreshReuseWindow   time.Duration
	RequestTimeout       time.Duration
	ShutdownTimeout      time.Duration
	MaxBodyBytes         int64
	LoginMaxFailures     int
	LoginLockout         time.Duration
	LogLevel             string
	LogFormat            string
	EscalationBus        string
	SSEHeartbeat         time.Duration
	StreamMaxLifetime    time.Duration
	StreamsPerUser       int
	StreamsPerAccount    int
	EventRetention       time.Duration
	SMTPURL              string
	MailFrom             string
	MailDigestAfter      int
	MailDigestWindow     time.Duration
	PublicURL            string
	AIProvider           string
	AIBaseURL            string
	AIAPIKey             string
	AIModel              string
	AITimeout            time.Duration
	AIContextChars       int
	AICallsPerMinute     int
	AIMaxMessages        int
}

// minSecretLen follows RFC 7518 §3.2: an HS256 key must be at least 256 bits.
const minSecretLen = 32

// Load parses the environment through getenv. It reports every problem at once, so an operator
// fixes the configuration in one pass.
func Load(getenv func(string) string) (Config, error) {
	p := parser{getenv: getenv}
	c := Config{
		DevMode:            p.boolean("DEV_MODE", false),
		DatabaseURL:        p.str("DATABASE_URL", DefaultDatabaseURL),
		HTTPAddr:           p.str("HTTP_ADDR", "127.0.0.1:8080"),
		MigrateOnStart:     p.boolean("MIGRATE_ON_START", true),
		JWTIssuer:          p.str("JWT_ISSUER", "resolutionflow"),
		JWTAudience:        p.str("JWT_AUDIENCE", "resolutionflow-api"),
		AccessTokenTTL:     p.duration("ACCESS_TOKEN_TTL", 15*time.Minute),
		RefreshTokenTTL:    p.duration("REFRESH_TOKEN_TTL", 30*24*time.Hour),
		RefreshReuseWindow: p.duration("REFRESH_REUSE_WINDOW", 10*time.Second),
		RequestTimeout:     p.duration("REQUEST_TIMEOUT", 30*time.Second),
		ShutdownTimeout:    p.duration("SHUTDOWN_TIMEOUT", 20*time.Second),
		MaxBodyBytes:       int64(p.integer("MAX_BODY_BYTES", 1<<20)),
		LoginMaxFailures:   p.integer("LOGIN_MAX_FAILURES", 5),
		LoginLockout:       p.duration("LOGIN_LOCKOUT", 15*time.Minute),
		LogLevel:           p.oneOf("LOG_LEVEL", "info", "debug", "info", "warn", "error"),
		LogFormat:          p.oneOf("LOG_FORMAT", "json", "json", "text"),
		EscalationBus:      p.oneOf("ESCALATION_BUS", "memory", "memory", "postgres"),
		SSEHeartbeat:       p.duration("SSE_HEARTBEAT", 25*time.Second),
		StreamMaxLifetime:  p.duration("STREAM_MAX_LIFETIME", time.Hour),
		StreamsPerUser:     p.integer("STREAMS_PER_USER", 10),
		StreamsPerAccount:  p.integer("STREAMS_PER_ACCOUNT", 1000),
		EventRetention:     p.duration("EVENT_RETENTION", 7*24*time.Hour),
		SMTPURL:            p.str("SMTP_URL", ""),
		MailFrom:           p.str("MAIL_FROM", "ResolutionFlow <noreply@resolutionflow.invalid>"),
		MailDigestAfter:    p.integer("MAIL_DIGEST_AFTER", 5),
		MailDigestWindow:   p.duration("MAIL_DIGEST_WINDOW", 10*time.Minute),
		AIProvider:         p.oneOf("AI_PROVIDER", "builtin", "builtin", "openai"),
		AIBaseURL:          p.str("AI_BASE_URL", ""),
		AIAPIKey:           p.str("AI_API_KEY", ""),
		AIModel:            p.str("AI_MODEL", ""),
		AITimeout:          p.duration("AI_TIMEOUT", time.Minute),
		AIContextChars:     p.integer("AI_CONTEXT_CHARS", 24000),
		AICallsPerMinute:   p.integer("AI_CALLS_PER_MINUTE", 30),
		AIMaxMessages:      p.integer("AI_MAX_MESSAGES", 200),
	}
	c.PublicURL = p.str("PUBLIC_URL", "http://"+c.HTTPAddr)
	switch secret := getenv("JWT_SECRET"); {
	case secret != "":
		if len(secret) < minSecretLen {
			p.fail("JWT_SECRET must be at least %d bytes (for example: openssl rand -base64 48)", minSecretLen)
		}
		c.JWTSecret = []byte(secret)
	case c.DevMode:
		c.JWTSecret = ephemeralSecret()
		c.JWTSecretIsEphemeral = true
	default:
		p.fail("JWT_SECRET is required (at least %d bytes); set DEV_MODE=true to use an ephemeral one locally", minSecretLen)
	}
	p.positive("ACCESS_TOKEN_TTL", c.AccessTokenTTL)
	p.positive("REFRESH_TOKEN_TTL", c.RefreshTokenTTL)
	p.positive("REQUEST_TIMEOUT", c.RequestTimeout)
	if c.RefreshReuseWindow < 0 || c.RefreshReuseWindow > time.Minute {
		p.fail("REFRESH_REUSE_WINDOW must be between 0 (off) and 1m: it is how long a just-rotated refresh token still gets its successor")
	}
	p.positive("SHUTDOWN_TIMEOUT", c.ShutdownTimeout)
	p.positive("LOGIN_LOCKOUT", c.LoginLockout)
	p.positive("SSE_HEARTBEAT", c.SSEHeartbeat)
	p.positive("STREAM_MAX_LIFETIME", c.StreamMaxLifetime)
	if c.StreamsPerUser < 0 || c.StreamsPerAccount < 0 {
		p.fail("STREAMS_PER_USER and STREAMS_PER_ACCOUNT must be 0 (no cap) or more")
	}
	p.positive("EVENT_RETENTION", c.EventRetention)
	p.positive("MAIL_DIGEST_WINDOW", c.MailDigestWindow)
	if c.MailDigestAfter < 1 {
		p.fail("MAIL_DIGEST_AFTER must be at least 1: it is how many handoff emails one person gets in MAIL_DIGEST_WINDOW before the rest come as one digest")
	}
	p.positive("AI_TIMEOUT", c.AITimeout)
	if c.AIProvider == "openai" && (c.AIBaseURL == "" || c.AIAPIKey == "" || c.AIModel == "") {
		p.fail("AI_PROVIDER=openai needs AI_BASE_URL, AI_API_KEY and AI_MODEL")
	}
	if c.MaxBodyBytes < 1024 {
		p.fail("MAX_BODY_BYTES must be at least 1024")
	}
	if c.LoginMaxFailures < 1 {
		p.fail("LOGIN_MAX_FAILURES must be at least 1")
	}
	if err := errors.Join(p.problems...); err != nil {
		return Config{}, fmt.Errorf("invalid configuration:\n%w", err)
	}
	return c, nil
}

func ephemeralSecret() []byte {
	b := make([]byte, 48)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error.
	return []byte(base64.RawStdEncoding.EncodeToString(b))
}

type parser struct {
	getenv   func(string) string
	problems []error
}

func (p *parser) fail(format string, args ...any) {
	p.problems = append(p.problems, fmt.Errorf("  - "+format, args...))
}

func (p *parser) str(key, def string) string {
	if v := strings.TrimSpace(p.getenv(key)); v != "" {
		return v
	}
	return def
}

func (p *parser) boolean(key string, def bool) bool {
	v := p.getenv(key)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail("%s=%q is not a boolean (use true or false)", key, v)
		return def
	}
	return b
}

func (p *parser) integer(key string, def int) int {
	v := p.getenv(key)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.fail("%s=%q is not a whole number", key, v)
		return def
	}
	return n
}

func (p *parser) duration(key string, def time.Duration) time.Duration {
	v := p.getenv(key)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		p.fail("%s=%q is not a duration (for example 15m, 30s, 720h)", key, v)
		return def
	}
	return d
}

func (p *parser) positive(key string, d time.Duration) {
	if d <= 0 {
		p.fail("%s must be positive", key)
	}
}

func (p *parser) oneOf(key, def string, allowed ...string) string {
	v := p.str(key, def)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.fail("%s=%q must be one of %s", key, v, strings.Join(allowed, ", "))
	return def
}
