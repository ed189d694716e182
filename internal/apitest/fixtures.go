package apitest

import (
	"context"
	"crypto/rand"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
)

// Password is the password of every user the fixtures create.
const Password = "correct horse battery staple"

// Caller is a signed-in user of the test server.
type Caller struct {
	AccountID    uuid.UUID
	UserID       uuid.UUID
	Email        string
	Role         oapi.Role
	AccessToken  string
	RefreshToken string
	Client       *oapi.ClientWithResponses
}

// UniqueEmail returns an email no other test uses.
func UniqueEmail(who string) string {
	return who + "." + strings.ToLower(rand.Text()[:10]) + "@example.com"
}

// Register creates a new account and returns its admin, signed in.
func (s *Server) Register(accountName string) Caller {
	s.t.Helper()
	email := UniqueEmail("admin")
	resp, err := s.Client("").RegisterWithResponse(context.Background(), &oapi.RegisterParams{}, oapi.RegisterRequest{
		AccountName: accountName, Name: "Ada Admin", Email: oapi.Email(email), Password: Password,
	})
	if err != nil || resp.StatusCode() != http.StatusCreated {
		s.t.Fatalf("register %s: %v %d %s", accountName, err, resp.StatusCode(), resp.Body)
	}
	r := resp.JSON201
	return Caller{
		AccountID: r.Account.Id, UserID: r.User.Id, Email: email, Role: oapi.Admin,
		AccessToken: r.Tokens.AccessToken, RefreshToken: Deref(r.Tokens.RefreshToken),
		Client: s.Client(r.Tokens.AccessToken),
	}
}

// AddUser has admin create a user with role and signs that user in.
func (s *Server) AddUser(admin Caller, role oapi.Role) Caller {
	s.t.Helper()
	email := UniqueEmail(string(role))
	resp, err := admin.Client.CreateUserWithResponse(context.Background(), oapi.UserCreate{
		Email: oapi.Email(email), Name: "Test " + string(role), Role: role, Password: Password,
	})
	if err != nil || resp.StatusCode() != http.StatusCreated {
		s.t.Fatalf("create %s: %v %d %s", role, err, resp.StatusCode(), resp.Body)
	}
	c := s.Login(email, Password)
	c.UserID, c.AccountID, c.Role = resp.JSON201.Id, resp.JSON201.AccountId, role
	return c
}

// Login signs in with the JSON form and fails the test unless it succeeds.
func (s *Server) Login(email, password string) Caller {
	s.t.Helper()
	resp, err := s.Client("").LoginWithResponse(context.Background(), &oapi.LoginParams{}, oapi.LoginRequest{Email: email, Password: password})
	if err != nil || resp.StatusCode() != http.StatusOK {
		s.t.Fatalf("login %s: %v %d %s", email, err, resp.StatusCode(), resp.Body)
	}
	return Caller{
		Email: email, AccessToken: resp.JSON200.AccessToken, RefreshToken: Deref(resp.JSON200.RefreshToken),
		Client: s.Client(resp.JSON200.AccessToken),
	}
}

// Deref returns what p points at, or the zero value.
func Deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
