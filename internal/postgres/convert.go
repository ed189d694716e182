package postgres

import (
	"github.com/resolutionflow/resolutionflow/gen/dbq"
	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// User converts a users row; the password hash stays behind.
func User(r dbq.User) domain.User {
	return domain.User{
		ID:               r.ID,
		AccountID:        r.AccountID,
		Email:            r.Email,
		Name:             r.Name,
		Role:             domain.Role(r.Role),
		Active:           r.Active,
		EscalationEmails: r.EscalationEmails,
		CreatedAt:        r.CreatedAt,
		UpdatedAt:        r.UpdatedAt,
	}
}

// Account converts an accounts row.
func Account(r dbq.Account) domain.Account {
	return domain.Account{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt}
}
