// Package users is user management within an account: the admin's use cases.
package users

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/auth"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
)

// Service manages the users of the caller's account. Every method takes the account from the
// principal; a user of another account is reported as ENotFound, exactly like a missing one.
type Service struct {
	db         *postgres.DB
	principals *auth.Principals
	access     auth.Access
}

// NewService returns the user management use cases; principals learns of every change, and
// access of every change to what a user may do, so that their live streams end.
func NewService(db *postgres.DB, principals *auth.Principals, access auth.Access) *Service {
	return &Service{db: db, principals: principals, access: access}
}

// Filter narrows a listing; nil fields do not filter.
type Filter struct {
	Role   *domain.Role
	Active *bool
	Limit  int32
	Offset int32
}

// List returns a page of the account's users and the number matching the filter.
func (s *Service) List(ctx context.Context, p domain.Principal, f Filter) ([]domain.User, int64, error) {
	if err := requireAdmin(p); err != nil {
		return nil, 0, err
	}
	var role *string
	if f.Role != nil {
		r := string(*f.Role)
		role = &r
	}
	rows, err := s.db.ListUsers(ctx, dbq.ListUsersParams{AccountID: p.AccountID, Role: role, Active: f.Active, MaxRows: f.Limit, SkipRows: f.Offset})
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	total, err := s.db.CountUsers(ctx, dbq.CountUsersParams{AccountID: p.AccountID, Role: role, Active: f.Active})
	if err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	out := make([]domain.User, len(rows))
	for i, r := range rows {
		out[i] = postgres.User(r)
	}
	return out, total, nil
}

// NewUser is what an admin provides to add a user.
type NewUser struct {
	Email    string
	Name     string
	Role     domain.Role
	Password string
}

// Create adds a user to the caller's account. It returns EConflict when the email is taken.
func (s *Service) Create(ctx context.Context, p domain.Principal, in NewUser) (domain.User, error) {
	if err := requireAdmin(p); err != nil {
		return domain.User{}, err
	}
	if err := domain.CheckNewPassword("password", in.Password); err != nil {
		return domain.User{}, err
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return domain.User{}, err
	}
	row, err := s.db.CreateUser(ctx, dbq.CreateUserParams{
		AccountID:    p.AccountID,
		Email:        strings.TrimSpace(in.Email),
		Name:         strings.TrimSpace(in.Name),
		Role:         string(in.Role),
		PasswordHash: hash,
	})
	if postgres.IsUniqueViolation(err, "users_email_key") {
		return domain.User{}, domain.Errorf(domain.EConflict, "a user with this email already exists")
	}
	if err != nil {
		return domain.User{}, fmt.Errorf("create user: %w", err)
	}
	return postgres.User(row), nil
}

// Get returns a user of the caller's account, or ENotFound.
func (s *Service) Get(ctx context.Context, p domain.Principal, id uuid.UUID) (domain.User, error) {
	if err := requireAdmin(p); err != nil {
		return domain.User{}, err
	}
	row, err := s.db.GetUser(ctx, dbq.GetUserParams{AccountID: p.AccountID, ID: id})
	if postgres.IsNoRows(err) {
		return domain.User{}, errNotFound(id)
	}
	if err != nil {
		return domain.User{}, fmt.Errorf("get user: %w", err)
	}
	return postgres.User(row), nil
}

// Patch changes the fields that are set.
type Patch struct {
	Name     *string
	Role     *domain.Role
	Active   *bool
	Password *string
}

// Update applies a patch to a user of the caller's account. It returns ENotFound for a user
// outside the account, and EConflict when the change would leave the account without an active
// admin. Deactivating a user or setting a password revokes all of the user's refresh tokens.
func (s *Service) Update(ctx context.Context, p domain.Principal, id uuid.UUID, patch Patch) (domain.User, error) {
	if err := requireAdmin(p); err != nil {
		return domain.User{}, err
	}
	var hash string
	if patch.Password != nil {
		if err := domain.CheckNewPassword("password", *patch.Password); err != nil {
			return domain.User{}, err
		}
		var err error
		if hash, err = auth.HashPassword(*patch.Password); err != nil {
			return domain.User{}, err
		}
	}
	var (
		updated dbq.User
		revoked *domain.EscalationEvent
	)
	err := s.db.InTx(ctx, func(q *dbq.Queries) error {
		// Admins are locked before the user, in every transaction, so that two admins demoting
		// each other serialise instead of both succeeding (or deadlocking).
		admins, err := q.LockActiveAdmins(ctx, p.AccountID)
		if err != nil {
			return fmt.Errorf("lock admins: %w", err)
		}
		// The caller's token may predate their own demotion or deactivation: the locked
		// admins are the truth.
		if !slices.Contains(admins, p.UserID) {
			return domain.Errorf(domain.EForbidden, "you are no longer an active admin of this account")
		}
		row, err := q.LockUserForUpdate(ctx, dbq.LockUserForUpdateParams{AccountID: p.AccountID, ID: id})
		if postgres.IsNoRows(err) {
			return errNotFound(id)
		}
		if err != nil {
			return fmt.Errorf("lock user: %w", err)
		}
		next := apply(row, patch, hash)
		wasAdmin := row.Active && row.Role == string(domain.RoleAdmin)
		staysAdmin := next.Active && next.Role == string(domain.RoleAdmin)
		if wasAdmin && !staysAdmin && len(admins) == 1 && slices.Contains(admins, id) {
			return domain.LastAdminError()
		}
		updated, err = q.UpdateUser(ctx, next)
		if err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if !next.Active || patch.Password != nil {
			if err := auth.RevokeSignIns(ctx, q, p.AccountID, id); err != nil {
				return err
			}
		}
		if next.Role != row.Role || next.Active != row.Active || patch.Password != nil {
			e, err := s.access.Revoke(ctx, q, p.AccountID, id)
			if err != nil {
				return err
			}
			revoked = &e
		}
		return nil
	})
	if err != nil {
		return domain.User{}, err
	}
	s.principals.Forget(id)
	if revoked != nil {
		s.access.Announce(p.AccountID, *revoked)
	}
	return postgres.User(updated), nil
}

// Deactivate is Update with active=false: users are never erased, since their sessions and
// handoffs keep naming them.
func (s *Service) Deactivate(ctx context.Context, p domain.Principal, id uuid.UUID) error {
	inactive := false
	_, err := s.Update(ctx, p, id, Patch{Active: &inactive})
	return err
}

func apply(row dbq.User, patch Patch, hash string) dbq.UpdateUserParams {
	next := dbq.UpdateUserParams{
		AccountID: row.AccountID, ID: row.ID, Name: row.Name, Role: row.Role, Active: row.Active, PasswordHash: row.PasswordHash,
	}
	if patch.Name != nil {
		next.Name = strings.TrimSpace(*patch.Name)
	}
	if patch.Role != nil {
		next.Role = string(*patch.Role)
	}
	if patch.Active != nil {
		next.Active = *patch.Active
	}
	if patch.Password != nil {
		next.PasswordHash = hash
	}
	return next
}

func requireAdmin(p domain.Principal) error {
	if !p.Role.AtLeast(domain.RoleAdmin) {
		return domain.Errorf(domain.EForbidden, "managing users needs the admin role")
	}
	return nil
}

func errNotFound(id uuid.UUID) error {
	return domain.Errorf(domain.ENotFound, "user %s does not exist in your account", id)
}
