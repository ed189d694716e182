// Package testdb gives each test its own PostgreSQL database, cloned from a template that is
// migrated once per migration set, so that tests run in parallel on real PostgreSQL.
//
// The server is TEST_DATABASE_URL when set (any database on it: the harness only creates and
// drops databases named rf_test_*), otherwise a throwaway container started with
// testcontainers-go.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/testcontainers/testcontainers-go"
	tcpostgres "github.com/testcontainers/testcontainers-go/modules/postgres"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/resolutionflow/resolutionflow/db"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
)

const (
	prefix = "rf_test_"
	// lockID serialises template creation across the test binaries `go test ./...` runs at once.
	lockID = 727_001
)

var (
	setupOnce sync.Once
	setupErr  error
	serverURL *url.URL
	template  string
)

// New returns a connection pool to a fresh, migrated database that is dropped when t ends.
func New(t testing.TB) *postgres.DB {
	t.Helper()
	dsn := NewURL(t)
	d, err := postgres.Open(t.Context(), dsn, false)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(d.Close)
	return d
}

// NewURL returns the URL of a fresh, migrated database that is dropped when t ends.
func NewURL(t testing.TB) string {
	t.Helper()
	setupOnce.Do(func() { setupErr = setup() })
	if setupErr != nil {
		t.Fatalf("testdb: %v", setupErr)
	}
	return create(t, template)
}

// NewEmptyURL returns the URL of a fresh database without any migration applied, for tests of
// the migrations themselves; it is dropped when t ends.
func NewEmptyURL(t testing.TB) string {
	t.Helper()
	setupOnce.Do(func() { setupErr = setup() })
	if setupErr != nil {
		t.Fatalf("testdb: %v", setupErr)
	}
	return create(t, "template0")
}

func create(t testing.TB, from string) string {
	t.Helper()
	ctx := context.Background()
	name := prefix + strings.ToLower(rand.Text()[:16])
	conn, err := pgx.Connect(ctx, serverURL.String())
	if err != nil {
		t.Fatalf("testdb: connect to the test server: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, from)); err != nil {
		t.Fatalf("testdb: create a database from %s: %v", from, err)
	}
	t.Cleanup(func() { drop(name) })
	u := *serverURL
	u.Path = "/" + name
	return u.String()
}

func drop(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, serverURL.String())
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}

func setup() error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	raw := os.Getenv("TEST_DATABASE_URL")
	if raw == "" {
		var err error
		if raw, err = startContainer(ctx); err != nil {
			return fmt.Errorf("TEST_DATABASE_URL is not set and no PostgreSQL container could be started (%v): "+
				"set TEST_DATABASE_URL=postgres://postgres@localhost:5432/postgres?sslmode=disable or start Docker", err)
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("TEST_DATABASE_URL is not a URL: %w", err)
	}
	serverURL = u
	template, err = templateName()
	if err != nil {
		return err
	}
	return ensureTemplate(ctx)
}

// templateName changes whenever a migration does, so a stale template is never cloned.
func templateName() (string, error) {
	h := sha256.New()
	var names []string
	err := fs.WalkDir(db.Migrations, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, path)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := fs.ReadFile(db.Migrations, n)
		if err != nil {
			return "", err
		}
		h.Write([]byte(n))
		h.Write(b)
	}
	return prefix + "tpl_" + hex.EncodeToString(h.Sum(nil))[:16], nil
}

func ensureTemplate(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, serverURL.String())
	if err != nil {
		return fmt.Errorf("connect to TEST_DATABASE_URL (%s): %w", serverURL.Redacted(), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockID); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockID) //nolint:errcheck
	sweepStale(ctx, conn)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", template).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	// Built under a temporary name and renamed when complete, so that a run killed halfway never
	// leaves a half-migrated template behind.
	building := template + "_building"
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)"); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		return fmt.Errorf("create template database: %w", err)
	}
	u := *serverURL
	u.Path = "/" + building
	pool, err := pgxpool.New(ctx, u.String())
	if err != nil {
		return err
	}
	err = postgres.Migrate(ctx, pool)
	pool.Close()
	if err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, template)); err != nil {
		return fmt.Errorf("publish template: %w", err)
	}
	return nil
}

// sweepStale drops templates of older migration sets and clones that killed runs left behind
// (clones older than an hour; a live run's clones are minutes old at most).
func sweepStale(ctx context.Context, conn *pgx.Conn) {
	rows, err := conn.Query(ctx, `
		SELECT datname FROM pg_database
		WHERE datname LIKE 'rf\_test\_%' AND datname <> $1
		  AND (datname LIKE 'rf\_test\_tpl\_%'
		       OR (pg_stat_file('base/' || oid || '/PG_VERSION', true)).modification < now() - interval '1 hour')`, template)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, n := range names {
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)")
	}
}

func startContainer(ctx context.Context) (string, error) {
	c, err := tcpostgres.Run(ctx, "postgres:15-alpine",
		tcpostgres.WithDatabase("postgres"),
		testcontainers.WithCmdArgs("-c", "fsync=off", "-c", "synchronous_commit=off"),
		testcontainers.WithWaitStrategy(wait.ForLog("database system is ready to accept connections").WithOccurrence(2).WithStartupTimeout(time.Minute)),
	)
	if err != nil {
		return "", err
	}
	dsn, err := c.ConnectionString(ctx, "sslmode=disable")
	if err != nil {
		return "", errors.Join(err, c.Terminate(ctx))
	}
	// The container lives as long as the test binary; Ryuk removes it when the process exits.
	return dsn, nil
}
