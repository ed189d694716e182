// Package postgres adapts the domain to PostgreSQL: connection, migrations, transactions and the
// translation of PostgreSQL errors into domain errors.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/resolutionflow/resolutionflow/db"
	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// DB is the connection pool with the generated queries bound to it.
type DB struct {
	Pool *pgxpool.Pool
	*dbq.Queries
}

// Open connects to dsn. When create is set and the database does not exist, it is created first
// through the server's maintenance database, so that a newcomer needs no setup step.
func Open(ctx context.Context, dsn string, create bool) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	err = pool.Ping(ctx)
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && pgErr.Code == "3D000" && create {
		pool.Close()
		if err := createDatabase(ctx, dsn, cfg.ConnConfig.Database); err != nil {
			return nil, err
		}
		return Open(ctx, dsn, false)
	}
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database %q on %s:%d: %w", cfg.ConnConfig.Database, cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	return &DB{Pool: pool, Queries: dbq.New(translating{pool})}, nil
}

func createDatabase(ctx context.Context, dsn, name string) error {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return fmt.Errorf("database %q does not exist and DATABASE_URL is not a URL, so it cannot be created: create it by hand", name)
	}
	u.Path = "/postgres"
	conn, err := pgx.Connect(ctx, WithoutPoolSettings(u.String()))
	if err != nil {
		return fmt.Errorf("database %q does not exist; connecting to the maintenance database to create it: %w", name, err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && pgErr.Code == "42P04" {
		return nil // created concurrently by another process
	}
	if err != nil {
		return fmt.Errorf("create database %q: %w", name, err)
	}
	return nil
}

// WithoutPoolSettings drops the pool_* settings of a URL, which belong to pgxpool: a single
// connection refuses them.
func WithoutPoolSettings(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return dsn
	}
	query := u.Query()
	for k := range query {
		if strings.HasPrefix(k, "pool_") {
			query.Del(k)
		}
	}
	u.RawQuery = query.Encode()
	return u.String()
}

// Close releases the pool.
func (d *DB) Close() { d.Pool.Close() }

// Migrator returns the goose provider for the embedded migrations.
func Migrator(pool *pgxpool.Pool) (*goose.Provider, error) {
	migrations, err := fs.Sub(db.Migrations, "migrations")
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, stdlib.OpenDBFromPool(pool), migrations)
}

// Migrate applies every pending migration.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	p, err := Migrator(pool)
	if err != nil {
		return err
	}
	defer p.Close()
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// InTx runs fn in a transaction, committing when it returns nil. The rollback ignores the
// request's cancellation so that a client hanging up cannot leave a transaction open.
func (d *DB) InTx(ctx context.Context, fn func(q *dbq.Queries) error) (err error) {
	tx, err := d.Pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err := fn(dbq.New(translating{tx})); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// InTxV is InTx for a transaction that produces a value, so that the closure returns what it
// made instead of assigning variables captured from outside.
func InTxV[T any](ctx context.Context, d *DB, fn func(q *dbq.Queries) (T, error)) (T, error) {
	var out T
	err := d.InTx(ctx, func(q *dbq.Queries) error {
		var err error
		out, err = fn(q)
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// IsNoRows reports whether err means the query matched nothing.
func IsNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// IsUniqueViolation reports whether err is a unique violation of the named constraint or index.
func IsUniqueViolation(err error, constraint string) bool {
	pgErr, ok := errors.AsType[*pgconn.PgError](err)
	return ok && pgErr.Code == "23505" && strings.EqualFold(pgErr.ConstraintName, constraint)
}

// inputError recognises database errors that mean the client's input could not be stored — a
// NUL byte or invalid UTF-8 in a string, a value breaking a CHECK constraint — and describes
// them as EInvalid. Other errors return nil.
func inputError(err error) *domain.Error {
	pgErr, ok := errors.AsType[*pgconn.PgError](err)
	if !ok {
		return nil
	}
	switch pgErr.Code {
	case "22021", "22P05":
		return domain.Errorf(domain.EInvalid, "a text field contains a NUL character or invalid UTF-8: send plain UTF-8 text")
	case "23514":
		return domain.Errorf(domain.EInvalid, "a value is out of the allowed range (%s): check lengths and blank fields", pgErr.ConstraintName)
	case "22001":
		return domain.Errorf(domain.EInvalid, "a text field is longer than allowed")
	}
	return nil
}
