package config

import (
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"JWT_SECRET": strings.Repeat("s", 32)}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != DefaultDatabaseURL || c.AccessTokenTTL != 15*time.Minute || c.RefreshReuseWindow != 10*time.Second || !c.MigrateOnStart || c.DevMode || c.JWTSecretIsEphemeral {
		t.Errorf("defaults = %+v", c)
	}
}

func TestMissingSecretIsFatalOutsideDevMode(t *testing.T) {
	t.Parallel()
	if _, err := Load(env(nil)); err == nil || !strings.Contains(err.Error(), "JWT_SECRET is required") {
		t.Fatalf("Load without JWT_SECRET = %v, want an error naming it", err)
	}
	c, err := Load(env(map[string]string{"DEV_MODE": "true"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.JWTSecretIsEphemeral || len(c.JWTSecret) < 32 {
		t.Errorf("dev mode secret: ephemeral %v, %d bytes", c.JWTSecretIsEphemeral, len(c.JWTSecret))
	}
}

func TestLoadListsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := Load(env(map[string]string{
		"JWT_SECRET":           "short",
		"ACCESS_TOKEN_TTL":     "forever",
		"DEV_MODE":             "maybe",
		"MAX_BODY_BYTES":       "12",
		"LOG_LEVEL":            "loud",
		"REQUEST_TIMEOUT":      "-1s",
		"REFRESH_REUSE_WINDOW": "1h",
	}))
	if err == nil {
		t.Fatal("invalid configuration accepted")
	}
	for _, want := range []string{"JWT_SECRET", "ACCESS_TOKEN_TTL", "DEV_MODE", "MAX_BODY_BYTES", "LOG_LEVEL", "REQUEST_TIMEOUT", "REFRESH_REUSE_WINDOW"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not mention %s:\n%v", want, err)
		}
	}
}

func TestOpenAIProviderNeedsItsSettings(t *testing.T) {
	t.Parallel()
	_, err := Load(env(map[string]string{"DEV_MODE": "true", "AI_PROVIDER": "openai", "AI_MODEL": "m"}))
	if err == nil || !strings.Contains(err.Error(), "AI_BASE_URL, AI_API_KEY and AI_MODEL") {
		t.Fatalf("Load = %v, want the missing provider settings named", err)
	}
	c, err := Load(env(map[string]string{"DEV_MODE": "true", "AI_PROVIDER": "openai", "AI_MODEL": "m", "AI_BASE_URL": "http://127.0.0.1:9/v1", "AI_API_KEY": "k"}))
	if err != nil || c.AIProvider != "openai" || c.AITimeout != time.Minute {
		t.Errorf("Load = %+v, %v", c, err)
	}
}
