// Package db embeds the goose migrations, the single owner of the schema (sqlc reads them too).
package db

import "embed"

// Migrations holds db/migrations/*.sql.
//
//go:embed migrations/*.sql
var Migrations embed.FS
