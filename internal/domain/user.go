package domain

import (
	"time"

	"github.com/google/uuid"
)

// Role is what a user may do within an account. Roles are ordered: each includes the ones below.
type Role string

const (
	RoleViewer   Role = "viewer"
	RoleEngineer Role = "engineer"
	RoleAdmin    Role = "admin"
)

var roleRank = map[Role]int{RoleViewer: 1, RoleEngineer: 2, RoleAdmin: 3}

// ParseRole returns EInvalid for a string that is not a role.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if _, ok := roleRank[r]; !ok {
		return "", Errorf(EInvalid, "unknown role %q: use admin, engineer or viewer", s)
	}
	return r, nil
}

// AtLeast reports whether r includes min.
func (r Role) AtLeast(min Role) bool { return roleRank[r] >= roleRank[min] && roleRank[r] > 0 }

// Principal is the authenticated caller. Every tenant-scoped operation takes its account from
// here, never from the request.
type Principal struct {
	UserID    uuid.UUID
	AccountID uuid.UUID
	Role      Role
	// ExpiresAt is when the credential the caller presented expires (zero when unknown); a
	// long-lived stream ends then.
	ExpiresAt time.Time
}

// OwnOnly is the owner a caller's reads of sessions and conversations are limited to: nil for
// engineers and admins, who see the account's; the caller's own id for viewers.
func (p Principal) OwnOnly() *uuid.UUID {
	if p.Role.AtLeast(RoleEngineer) {
		return nil
	}
	return &p.UserID
}

// Account is an MSP: the tenant boundary.
type Account struct {
	ID        uuid.UUID
	Name      string
	CreatedAt time.Time
}

// User belongs to exactly one account.
type User struct {
	ID        uuid.UUID
	AccountID uuid.UUID
	Email     string
	Name      string
	Role      Role
	Active    bool
	// EscalationEmails is whether the user wants an email for each new handoff.
	EscalationEmails bool
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Password length limits. The maximum is checked before hashing so that a huge input cannot
// make the server spend memory and time on it.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

// CheckNewPassword returns EInvalid, naming the field, for a password outside the limits.
func CheckNewPassword(field, password string) error {
	n := len([]rune(password))
	if n < MinPasswordLen || n > MaxPasswordLen {
		return &Error{
			Code:    EInvalid,
			Message: "the password does not meet the rules",
			Fields: []FieldError{{
				Pointer: "/" + field,
				Detail:  "a password must have 12 to 128 characters",
			}},
		}
	}
	return nil
}

// LastAdminError is returned when a change would leave an account without an active admin.
func LastAdminError() error {
	return Errorf(EConflict, "this is the account's last active admin: promote another user to admin first")
}

// Article is the role with its indefinite article, for messages: "an engineer", "a viewer".
func (r Role) Article() string {
	if r == RoleAdmin || r == RoleEngineer {
		return "an " + string(r)
	}
	return "a " + string(r)
}
