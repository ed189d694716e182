package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
)

// translating is the connection (a pool or a transaction) the generated queries run on: it turns
// database errors that mean the client's input could not be stored into domain errors at the
// source, so that no layer above needs to know PostgreSQL's error codes. The original error
// stays reachable with errors.As (IsUniqueViolation, say).
type translating struct{ db dbq.DBTX }

func (t translating) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := t.db.Exec(ctx, sql, args...)
	return tag, translate(err)
}

func (t translating) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := t.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, translate(err)
	}
	return translatingRows{rows}, nil
}

func (t translating) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return translatingRow{t.db.QueryRow(ctx, sql, args...)}
}

type translatingRow struct{ pgx.Row }

func (r translatingRow) Scan(dest ...any) error { return translate(r.Row.Scan(dest...)) }

type translatingRows struct{ pgx.Rows }

func (r translatingRows) Err() error { return translate(r.Rows.Err()) }

func translate(err error) error {
	if e := inputError(err); e != nil {
		return errors.Join(e, err)
	}
	return err
}
