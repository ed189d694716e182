// Package auth signs users in and out: password hashing, access and refresh tokens, account
// registration and sign-in throttling.
package auth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/domain"
	"github.com/resolutionflow/resolutionflow/internal/postgres"
)

// Service is the sign-in use cases.
type Service struct {
	db          *postgres.DB
	tokens      *Tokens
	principals  *Principals
	throttle    *Throttle
	maxFailures int
	refreshTTL  time.Duration
	reuseWindow time.Duration
	now         func() time.Time
	access      Access
	// dummyHash is verified against when the email is unknown, so that an unknown email takes
	// as long to refuse as a wrong password.
	dummyHash string
}

// Settings tunes the sign-in use cases.
type Settings struct {
	RefreshTTL time.Duration
	// ReuseWindow is how long after its rotation a refresh token still gets back its successor
	// instead of revoking its family: two tabs that refresh at the same moment both present the
	// same token, and the second must not sign the first out. Zero turns the window off.
	ReuseWindow time.Duration
	// MaxFailures is how many failed sign-ins one email may have from one client per throttle
	// window; from all clients together it may have four times as many.
	MaxFailures int
	Now         func() time.Time
	// Access ends a user's live streams when they sign out or change their password.
	Access Access
}

// Access is told, in the transaction of a change, that a user's access changed, and once it is
// committed, so that the user's live streams end on every replica before anything committed
// later reaches them.
type Access interface {
	Revoke(ctx context.Context, q *dbq.Queries, account, user uuid.UUID) (domain.EscalationEvent, error)
	Announce(account uuid.UUID, e domain.EscalationEvent)
}

// NewService wires the sign-in use cases.
func NewService(db *postgres.DB, tokens *Tokens, principals *Principals, throttle *Throttle, s Settings) (*Service, error) {
	dummy, err := HashPassword("not-a-password-of-anyone")
	if err != nil {
		return nil, err
	}
	return &Service{
		db: db, tokens: tokens, principals: principals, throttle: throttle, maxFailures: s.MaxFailures,
		refreshTTL: s.RefreshTTL, reuseWindow: s.ReuseWindow, now: s.Now, access: s.Access, dummyHash: dummy,
	}, nil
}

// TokenPair is what a successful sign-in or refresh returns.
type TokenPair struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    time.Duration
}

// Registration is a new account with its first admin, signed in.
type Registration struct {
	Account domain.Account
	User    domain.User
	Tokens  TokenPair
}

// RegisterInput is what a new account needs. There is no role: the first user is always admin.
type RegisterInput struct {
	AccountName string
	Name        string
	Email       string
	Password    string
}

var (
	errBadCredentials = domain.Errorf(domain.EUnauthorized, "the email or password is wrong")
	errBadRefresh     = domain.Errorf(domain.EUnauthorized, "the refresh token is invalid or expired: sign in again")
	errRefreshReused  = domain.Errorf(domain.EUnauthorized, "the refresh token was already used, so every token of its sign-in has been revoked: sign in again")
	errUnknownCaller  = domain.Errorf(domain.EUnauthorized, "your user no longer exists or was deactivated: ask an admin of your account")
)

// Register creates an account and its first admin and signs them in. It returns EConflict when
// the email is taken.
func (s *Service) Register(ctx context.Context, in RegisterInput) (Registration, error) {
	if err := domain.CheckNewPassword("password", in.Password); err != nil {
		return Registration{}, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return Registration{}, err
	}
	var reg Registration
	err = s.db.InTx(ctx, func(q *dbq.Queries) error {
		acc, err := q.CreateAccount(ctx, strings.TrimSpace(in.AccountName))
		if err != nil {
			return fmt.Errorf("create account: %w", err)
		}
		u, err := q.CreateUser(ctx, dbq.CreateUserParams{
			AccountID:    acc.ID,
			Email:        strings.TrimSpace(in.Email),
			Name:         strings.TrimSpace(in.Name),
			Role:         string(domain.RoleAdmin),
			PasswordHash: hash,
		})
		if postgres.IsUniqueViolation(err, "users_email_key") {
			return domain.Errorf(domain.EConflict, "a user with this email already exists: sign in instead")
		}
		if err != nil {
			return fmt.Errorf("create admin: %w", err)
		}
		reg.Account, reg.User = postgres.Account(acc), postgres.User(u)
		reg.Tokens.RefreshToken, err = s.startRefreshFamily(ctx, q, u)
		return err
	})
	if err != nil {
		return Registration{}, err
	}
	reg.Tokens, err = s.withAccessToken(reg.User, reg.Tokens.RefreshToken)
	return reg, err
}

// Login checks an email and password. Every failure says the same thing, whether the email is
// unknown, the user deactivated or the password wrong; after too many failures for one email
// from one address it returns EThrottled.
func (s *Service) Login(ctx context.Context, email, password, clientAddr string) (TokenPair, error) {
	who := strings.ToLower(strings.TrimSpace(email))
	limits := []Limit{
		{Key: "login|" + who + "|" + clientBucket(clientAddr), Max: s.maxFailures},
		{Key: "login|" + who, Max: 4 * s.maxFailures},
	}
	if wait := s.throttle.Begin(limits...); wait > 0 {
		return TokenPair{}, &domain.Error{
			Code:       domain.EThrottled,
			Message:    "too many failed sign-ins for this email: wait before trying again",
			RetryAfter: wait,
		}
	}
	row, err := s.db.GetUserByEmail(ctx, strings.TrimSpace(email))
	if err != nil && !postgres.IsNoRows(err) {
		return TokenPair{}, fmt.Errorf("find user: %w", err)
	}
	hash := s.dummyHash
	if err == nil {
		hash = row.PasswordHash
	}
	ok, verr := VerifyPassword(password, hash)
	if verr != nil {
		return TokenPair{}, fmt.Errorf("verify password of user %s: %w", row.ID, verr)
	}
	if err != nil || !ok || !row.Active {
		return TokenPair{}, errBadCredentials
	}
	s.throttle.Succeed(limits...)
	var refresh string
	err = s.db.InTx(ctx, func(q *dbq.Queries) error {
		var err error
		refresh, err = s.startRefreshFamily(ctx, q, row)
		return err
	})
	if err != nil {
		return TokenPair{}, err
	}
	return s.withAccessToken(postgres.User(row), refresh)
}

// Refresh rotates a refresh token. A token that was already rotated is evidence of theft: its
// whole family is revoked (and stays revoked even though the call fails), unless it was rotated
// within the reuse window, in which case it gets back the successor it was rotated to (or that
// successor's own successor, if it was rotated too), so that concurrent refreshes of one sign-in
// all end up holding the same live token.
func (s *Service) Refresh(ctx context.Context, token string) (TokenPair, error) {
	type rotation struct {
		user   dbq.User
		next   string
		reused bool
	}
	r, err := postgres.InTxV(ctx, s.db, func(q *dbq.Queries) (rotation, error) {
		rt, err := lockPresented(ctx, q, token)
		if err != nil {
			return rotation{}, err
		}
		switch {
		case rt.RevokedAt != nil:
			return rotation{}, errBadRefresh
		case rt.RotatedAt != nil && s.withinReuseWindow(*rt.RotatedAt):
			next, live, err := s.liveSuccessor(ctx, q, token)
			if err != nil {
				return rotation{}, err
			}
			user, err := s.activeOwner(ctx, q, live)
			return rotation{user: user, next: next}, err
		case rt.RotatedAt != nil:
			return rotation{reused: true}, q.RevokeRefreshTokenFamily(ctx, dbq.RevokeRefreshTokenFamilyParams{AccountID: rt.AccountID, FamilyID: rt.FamilyID})
		case !s.now().Before(rt.ExpiresAt):
			return rotation{}, errBadRefresh
		}
		user, err := s.activeOwner(ctx, q, rt)
		if err != nil {
			return rotation{}, err
		}
		if err := q.MarkRefreshTokenRotated(ctx, dbq.MarkRefreshTokenRotatedParams{AccountID: rt.AccountID, ID: rt.ID, RotatedAt: s.now()}); err != nil {
			return rotation{}, fmt.Errorf("rotate refresh token: %w", err)
		}
		next := s.successor(token)
		return rotation{user: user, next: next}, s.storeRefresh(ctx, q, user, rt.FamilyID, next)
	})
	if err != nil {
		return TokenPair{}, err
	}
	if r.reused {
		return TokenPair{}, errRefreshReused
	}
	return s.withAccessToken(postgres.User(r.user), r.next)
}

// lockPresented finds a presented refresh token and locks it, after taking its user's sign-in
// lock (see LockSignIns). EUnauthorized when there is no such token.
func lockPresented(ctx context.Context, q *dbq.Queries, token string) (dbq.RefreshToken, error) {
	found, err := q.FindRefreshToken(ctx, hashRefreshToken(token))
	if postgres.IsNoRows(err) {
		return dbq.RefreshToken{}, errBadRefresh
	}
	if err != nil {
		return dbq.RefreshToken{}, fmt.Errorf("find refresh token: %w", err)
	}
	if err := q.LockSignIns(ctx, found.UserID); err != nil {
		return dbq.RefreshToken{}, fmt.Errorf("lock sign-ins: %w", err)
	}
	rt, err := q.LockRefreshToken(ctx, found.TokenHash)
	if err != nil {
		return dbq.RefreshToken{}, fmt.Errorf("lock refresh token: %w", err)
	}
	return rt, nil
}

// RevokeSignIns revokes every refresh token of a user in the caller's transaction, under the
// user's sign-in lock: after a password change or deactivation, no sign-in of theirs survives.
func RevokeSignIns(ctx context.Context, q *dbq.Queries, account, user uuid.UUID) error {
	if err := q.LockSignIns(ctx, user); err != nil {
		return fmt.Errorf("lock sign-ins: %w", err)
	}
	if err := q.RevokeUserRefreshTokens(ctx, dbq.RevokeUserRefreshTokensParams{AccountID: account, UserID: user}); err != nil {
		return fmt.Errorf("revoke refresh tokens: %w", err)
	}
	return nil
}

// maxSuccessorHops bounds the walk from a rotated token to the live end of its chain: within one
// reuse window a sign-in is rotated a few times at most.
const maxSuccessorHops = 8

func (s *Service) withinReuseWindow(rotatedAt time.Time) bool {
	return s.reuseWindow > 0 && s.now().Sub(rotatedAt) <= s.reuseWindow
}

// liveSuccessor walks from a rotated token to the token its chain ends in, which must be live.
// A successor is derived from its parent (see successor), so it can be handed out again without
// ever storing a token in clear.
func (s *Service) liveSuccessor(ctx context.Context, q *dbq.Queries, token string) (string, dbq.RefreshToken, error) {
	for range maxSuccessorHops {
		token = s.successor(token)
		rt, err := q.LockRefreshToken(ctx, hashRefreshToken(token))
		if postgres.IsNoRows(err) {
			// Rotated by a build that did not derive successors, or under another secret.
			return "", dbq.RefreshToken{}, errBadRefresh
		}
		if err != nil {
			return "", dbq.RefreshToken{}, fmt.Errorf("find successor refresh token: %w", err)
		}
		switch {
		case rt.RevokedAt != nil || !s.now().Before(rt.ExpiresAt):
			return "", dbq.RefreshToken{}, errBadRefresh
		case rt.RotatedAt == nil:
			return token, rt, nil
		}
	}
	return "", dbq.RefreshToken{}, errBadRefresh
}

// activeOwner returns the user a refresh token belongs to, who must still be active.
func (s *Service) activeOwner(ctx context.Context, q *dbq.Queries, rt dbq.RefreshToken) (dbq.User, error) {
	user, err := q.GetUser(ctx, dbq.GetUserParams{AccountID: rt.AccountID, ID: rt.UserID})
	if err != nil {
		return dbq.User{}, fmt.Errorf("find user of refresh token: %w", err)
	}
	if !user.Active {
		return dbq.User{}, errUnknownCaller
	}
	return user, nil
}

// Logout revokes the sign-in a refresh token belongs to. It is idempotent: an unknown or already
// revoked token, or one of another user, changes nothing.
// The user's live streams end with it; those of their other sign-ins reconnect at once.
func (s *Service) Logout(ctx context.Context, p domain.Principal, token string) error {
	revoked, err := postgres.InTxV(ctx, s.db, func(q *dbq.Queries) (*domain.EscalationEvent, error) {
		rt, err := lockPresented(ctx, q, token)
		if domain.ErrorCode(err) == domain.EUnauthorized {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if rt.AccountID != p.AccountID || rt.UserID != p.UserID {
			return nil, nil
		}
		if err := q.RevokeRefreshTokenFamily(ctx, dbq.RevokeRefreshTokenFamilyParams{AccountID: p.AccountID, FamilyID: rt.FamilyID}); err != nil {
			return nil, fmt.Errorf("revoke the sign-in: %w", err)
		}
		e, err := s.access.Revoke(ctx, q, p.AccountID, p.UserID)
		return &e, err
	})
	if err == nil && revoked != nil {
		s.access.Announce(p.AccountID, *revoked)
	}
	return err
}

// Me returns the caller and their account. It returns EUnauthorized when the user was
// deactivated since the token was issued.
func (s *Service) Me(ctx context.Context, p domain.Principal) (domain.Account, domain.User, error) {
	u, err := s.db.GetUser(ctx, dbq.GetUserParams{AccountID: p.AccountID, ID: p.UserID})
	if postgres.IsNoRows(err) || (err == nil && !u.Active) {
		return domain.Account{}, domain.User{}, errUnknownCaller
	}
	if err != nil {
		return domain.Account{}, domain.User{}, fmt.Errorf("get user: %w", err)
	}
	acc, err := s.db.GetAccount(ctx, p.AccountID)
	if err != nil {
		return domain.Account{}, domain.User{}, fmt.Errorf("get account: %w", err)
	}
	return postgres.Account(acc), postgres.User(u), nil
}

// UpdateMe changes the caller's own name and email preference; nil fields keep their value.
func (s *Service) UpdateMe(ctx context.Context, p domain.Principal, name *string, escalationEmails *bool) (domain.Account, domain.User, error) {
	if name != nil {
		trimmed := strings.TrimSpace(*name)
		name = &trimmed
	}
	if _, err := s.db.UpdateUserPreferences(ctx, dbq.UpdateUserPreferencesParams{
		AccountID: p.AccountID, ID: p.UserID, Name: name, EscalationEmails: escalationEmails,
	}); postgres.IsNoRows(err) {
		return domain.Account{}, domain.User{}, errUnknownCaller
	} else if err != nil {
		return domain.Account{}, domain.User{}, fmt.Errorf("update preferences: %w", err)
	}
	return s.Me(ctx, p)
}

// ChangePassword sets the caller's password after checking the current one, and revokes every
// refresh token of the caller. Wrong current passwords are throttled like sign-ins. It returns
// EConflict if the password was changed by someone else meanwhile.
func (s *Service) ChangePassword(ctx context.Context, p domain.Principal, current, next string) error {
	if err := domain.CheckNewPassword("new_password", next); err != nil {
		return err
	}
	limit := Limit{Key: "password-change|" + p.UserID.String(), Max: s.maxFailures}
	if wait := s.throttle.Begin(limit); wait > 0 {
		return &domain.Error{Code: domain.EThrottled, Message: "too many wrong passwords: wait before trying again", RetryAfter: wait}
	}
	u, err := s.db.GetUser(ctx, dbq.GetUserParams{AccountID: p.AccountID, ID: p.UserID})
	if postgres.IsNoRows(err) || (err == nil && !u.Active) {
		return errUnknownCaller
	}
	if err != nil {
		return fmt.Errorf("get user: %w", err)
	}
	ok, err := VerifyPassword(current, u.PasswordHash)
	if err != nil {
		return fmt.Errorf("verify password of user %s: %w", u.ID, err)
	}
	if !ok {
		return &domain.Error{Code: domain.EInvalid, Message: "the current password is wrong",
			Fields: []domain.FieldError{{Pointer: "/current_password", Detail: "does not match your password"}}}
	}
	s.throttle.Succeed(limit)
	hash, err := HashPassword(next)
	if err != nil {
		return err
	}
	revoked, err := postgres.InTxV(ctx, s.db, func(q *dbq.Queries) (domain.EscalationEvent, error) {
		locked, err := q.LockUserForUpdate(ctx, dbq.LockUserForUpdateParams{AccountID: p.AccountID, ID: p.UserID})
		if err != nil {
			return domain.EscalationEvent{}, fmt.Errorf("lock user: %w", err)
		}
		// The hash was checked outside the transaction, to keep argon2 out of the lock; an
		// unchanged hash proves nobody set another password in between.
		if locked.PasswordHash != u.PasswordHash {
			return domain.EscalationEvent{}, domain.Errorf(domain.EConflict, "your password was changed meanwhile: sign in again")
		}
		if _, err := q.UpdateUser(ctx, dbq.UpdateUserParams{
			AccountID: p.AccountID, ID: p.UserID, Name: locked.Name, Role: locked.Role, Active: locked.Active, PasswordHash: hash,
		}); err != nil {
			return domain.EscalationEvent{}, fmt.Errorf("update password: %w", err)
		}
		if err := RevokeSignIns(ctx, q, p.AccountID, p.UserID); err != nil {
			return domain.EscalationEvent{}, err
		}
		return s.access.Revoke(ctx, q, p.AccountID, p.UserID)
	})
	if err == nil {
		s.access.Announce(p.AccountID, revoked)
	}
	return err
}

// Confirm re-checks a principal against the user as it is now (within the cache's freshness):
// EUnauthorized when deactivated, and the current role.
func (s *Service) Confirm(ctx context.Context, p domain.Principal) (domain.Principal, error) {
	return s.principals.Confirm(ctx, p)
}

// Authenticate verifies an access token and confirms its user is still active, with the role
// the user has now.
func (s *Service) Authenticate(ctx context.Context, token string) (domain.Principal, error) {
	p, err := s.tokens.Verify(token)
	if err != nil {
		return domain.Principal{}, err
	}
	return s.principals.Confirm(ctx, p)
}

// startRefreshFamily issues the first refresh token of a sign-in; its successors are derived
// from it as it rotates.
func (s *Service) startRefreshFamily(ctx context.Context, q *dbq.Queries, u dbq.User) (string, error) {
	token, err := newRefreshToken()
	if err != nil {
		return "", err
	}
	return token, s.storeRefresh(ctx, q, u, uuid.New(), token)
}

func (s *Service) storeRefresh(ctx context.Context, q *dbq.Queries, u dbq.User, family uuid.UUID, token string) error {
	err := q.CreateRefreshToken(ctx, dbq.CreateRefreshTokenParams{
		AccountID: u.AccountID, UserID: u.ID, FamilyID: family, TokenHash: hashRefreshToken(token), ExpiresAt: s.now().Add(s.refreshTTL),
	})
	if err != nil {
		return fmt.Errorf("store refresh token: %w", err)
	}
	return nil
}

// successor is the token a refresh token rotates to: an HMAC of it under a key only the server
// holds. Deriving it, rather than drawing it at random, is what lets a token presented again
// within the reuse window get back the same successor although only hashes are stored.
func (s *Service) successor(token string) string {
	return s.tokens.successor(token)
}

// RefreshTTL is how long a refresh token lives, for the cookie that carries it.
func (s *Service) RefreshTTL() time.Duration { return s.refreshTTL }

// AccessTTL is how long an access token lives.
func (s *Service) AccessTTL() time.Duration { return s.tokens.AccessTTL() }

func (s *Service) withAccessToken(u domain.User, refresh string) (TokenPair, error) {
	access, err := s.tokens.Issue(domain.Principal{UserID: u.ID, AccountID: u.AccountID, Role: u.Role})
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{AccessToken: access, RefreshToken: refresh, ExpiresIn: s.tokens.AccessTTL()}, nil
}
