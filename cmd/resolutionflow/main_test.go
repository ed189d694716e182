package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/resolutionflow/resolutionflow/internal/testdb"
)

// shownPassword matches a generated password as printed (crypto/rand.Text: 26 base32 letters).
var shownPassword = regexp.MustCompile(`password [A-Z2-7]{26}`)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestInvalidConfigurationListsEveryProblem(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"serve"}, envOf(map[string]string{"ACCESS_TOKEN_TTL": "soon", "HTTP_ADDR": "x"}), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "JWT_SECRET") || !strings.Contains(err.Error(), "ACCESS_TOKEN_TTL") {
		t.Fatalf("run = %v, want both problems listed", err)
	}
}

func TestUnknownCommandPrintsUsage(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"launch"}, envOf(map[string]string{"DEV_MODE": "true"}), &out, &errOut); err == nil {
		t.Fatal("unknown command accepted")
	}
	if !strings.Contains(errOut.String(), "usage: resolutionflow") {
		t.Errorf("no usage printed: %q", errOut.String())
	}
}

func TestMigrateAndDemoAreIdempotent(t *testing.T) {
	t.Parallel()
	env := envOf(map[string]string{"DEV_MODE": "true", "DATABASE_URL": testdb.NewURL(t)})
	var out bytes.Buffer
	if err := run(t.Context(), []string{"migrate", "up"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "up to date") {
		t.Errorf("migrate up on a migrated database: %q", out.String())
	}
	out.Reset()
	if err := run(t.Context(), []string{"migrate", "status"}, env, &out, io.Discard); err != nil || !strings.Contains(out.String(), "00001_accounts_users.sql") {
		t.Fatalf("migrate status: %v %q", err, out.String())
	}

	out.Reset()
	if err := run(t.Context(), []string{"demo"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if n := len(shownPassword.FindAllString(out.String(), -1)); n != 3 {
		t.Fatalf("the first demo run shows %d passwords, want 3:\n%s", n, out.String())
	}
	out.Reset()
	if err := run(t.Context(), []string{"demo"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if shownPassword.MatchString(out.String()) || !strings.Contains(out.String(), "admin@demo-msp.example") {
		t.Fatalf("the second demo run must list the sign-ins without passwords:\n%s", out.String())
	}
	out.Reset()
	if err := run(t.Context(), []string{"demo", "-reset-passwords"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if n := len(shownPassword.FindAllString(out.String(), -1)); n != 3 {
		t.Fatalf("demo -reset-passwords shows %d passwords, want 3", n)
	}
}

func TestServeShutsDownGracefully(t *testing.T) {
	t.Parallel()
	env := envOf(map[string]string{"DEV_MODE": "true", "DATABASE_URL": testdb.NewURL(t), "HTTP_ADDR": "127.0.0.1:0"})
	ctx, cancel := context.WithCancel(t.Context())
	stdout, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, env, w, io.Discard)
		_ = w.Close()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no address printed: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	addr := regexp.MustCompile(`http://[0-9.:]+`).FindString(line)
	resp, err := http.Get(addr + "/readyz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("readyz on %s: %v", addr, err)
	}
	_ = resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after shutdown", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}
