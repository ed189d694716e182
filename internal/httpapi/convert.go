package httpapi

import (
	"time"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/auth"
	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// Pure converters from domain values to the contract's types.

func toUser(u domain.User) oapi.User {
	return oapi.User{
		Id:               u.ID,
		AccountId:        u.AccountID,
		Email:            oapi.Email(u.Email),
		Name:             u.Name,
		Role:             oapi.Role(u.Role),
		Active:           u.Active,
		EscalationEmails: u.EscalationEmails,
		CreatedAt:        u.CreatedAt.UTC(),
		UpdatedAt:        u.UpdatedAt.UTC(),
	}
}

func toAccount(a domain.Account) oapi.Account {
	return oapi.Account{Id: a.ID, Name: a.Name, CreatedAt: a.CreatedAt.UTC()}
}

func toTokenPair(t auth.TokenPair) oapi.TokenPair {
	return oapi.TokenPair{
		AccessToken:  t.AccessToken,
		RefreshToken: &t.RefreshToken,
		TokenType:    oapi.Bearer,
		ExpiresIn:    int(t.ExpiresIn.Seconds()),
	}
}

// Page bounds, as the contract states them.
const (
	defaultLimit = 50
	maxLimit     = 200
)

// page applies the contract's defaults to optional paging parameters, which the gate has
// already range-checked.
func page(limit, offset *int32) (int32, int32) {
	l, o := int32(defaultLimit), int32(0)
	if limit != nil {
		l = min(*limit, maxLimit)
	}
	if offset != nil {
		o = *offset
	}
	return l, o
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
