// Package demo seeds a demo account so that a newcomer sees a working product.
package demo

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/auth"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
	"github.com/resolutionflow/resolutionflow/internal/trees"
)

// AccountName is the demo account's name.
const AccountName = "Demo MSP"

// SignIn is one demo user. Password is empty when the user already existed: passwords are
// generated and shown only when a user is created, never stored in clear.
type SignIn struct {
	Email    string
	Role     domain.Role
	Password string
}

var people = []struct {
	email, name string
	role        domain.Role
}{
	{"admin@demo-msp.example", "Dana Admin", domain.RoleAdmin},
	{"engineer@demo-msp.example", "Eli Engineer", domain.RoleEngineer},
	{"viewer@demo-msp.example", "Val Viewer", domain.RoleViewer},
}

// Seed creates the demo account, its users and the demo trees unless they exist. It is
// idempotent: a second run changes nothing and returns the sign-ins without passwords, unless
// resetPasswords is set, in which case existing demo users get new passwords (and lose their
// refresh tokens).
func Seed(ctx context.Context, db *postgres.DB, resetPasswords bool) ([]SignIn, error) {
	out := make([]SignIn, len(people))
	hashes := make([]string, len(people))
	for i, p := range people {
		out[i] = SignIn{Email: p.email, Role: p.role, Password: rand.Text()}
		hash, err := auth.HashPassword(out[i].Password)
		if err != nil {
			return nil, err
		}
		hashes[i] = hash
	}
	err := db.InTx(ctx, func(q *dbq.Queries) error {
		admin, err := q.GetUserByEmail(ctx, people[0].email)
		accountID := admin.AccountID
		switch {
		case postgres.IsNoRows(err):
			acc, err := q.CreateAccount(ctx, AccountName)
			if err != nil {
				return fmt.Errorf("create demo account: %w", err)
			}
			accountID = acc.ID
		case err != nil:
			return fmt.Errorf("look up demo admin: %w", err)
		}
		for i, p := range people {
			existing, err := q.GetUserByEmail(ctx, p.email)
			if err == nil && resetPasswords {
				if err := resetPassword(ctx, q, existing, hashes[i]); err != nil {
					return err
				}
				continue
			}
			if err == nil {
				out[i].Password = ""
				continue
			}
			if !postgres.IsNoRows(err) {
				return fmt.Errorf("look up %s: %w", p.email, err)
			}
			if _, err := q.CreateUser(ctx, dbq.CreateUserParams{
				AccountID: accountID, Email: p.email, Name: p.name, Role: string(p.role), PasswordHash: hashes[i],
			}); err != nil {
				return fmt.Errorf("create %s: %w", p.email, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := seedTrees(ctx, db); err != nil {
		return nil, err
	}
	return out, nil
}

// seedTrees publishes each demo tree the demo account does not have yet, authored by the
// demo engineer.
func seedTrees(ctx context.Context, db *postgres.DB) error {
	author, err := db.GetUserByEmail(ctx, people[1].email)
	if err != nil {
		return fmt.Errorf("find demo author: %w", err)
	}
	p := domain.Principal{UserID: author.ID, AccountID: author.AccountID, Role: domain.RoleEngineer}
	service := trees.NewService(db)
	for _, t := range Trees {
		exists, err := db.HasTreeTitled(ctx, dbq.HasTreeTitledParams{AccountID: p.AccountID, Title: t.Title})
		if err != nil {
			return fmt.Errorf("look up demo tree %q: %w", t.Title, err)
		}
		if exists {
			continue
		}
		if _, err := service.Create(ctx, p, trees.Input{
			Title: t.Title, Description: t.Description, Category: t.Category, Tags: t.Tags,
			Status: domain.TreePublished, Definition: t.Definition,
		}); err != nil {
			return fmt.Errorf("create demo tree %q: %w", t.Title, err)
		}
	}
	return nil
}

func resetPassword(ctx context.Context, q *dbq.Queries, u dbq.User, hash string) error {
	if _, err := q.UpdateUser(ctx, dbq.UpdateUserParams{
		AccountID: u.AccountID, ID: u.ID, Name: u.Name, Role: u.Role, Active: u.Active, PasswordHash: hash,
	}); err != nil {
		return fmt.Errorf("reset password of %s: %w", u.Email, err)
	}
	if err := auth.RevokeSignIns(ctx, q, u.AccountID, u.ID); err != nil {
		return fmt.Errorf("revoke tokens of %s: %w", u.Email, err)
	}
	return nil
}
