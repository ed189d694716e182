package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// accessTokenType marks access tokens, so that no other token this service might ever sign can be
// presented as one.
const accessTokenType = "access"

// TokenConfig is what the token issuer needs from the configuration.
type TokenConfig struct {
	Secret    []byte
	Issuer    string
	Audience  string
	AccessTTL time.Duration
}

// Tokens issues and verifies access tokens: HS256 JWTs, short-lived and stateless.
type Tokens struct {
	cfg    TokenConfig
	parser *jwt.Parser
	now    func() time.Time
}

// NewTokens returns a token issuer. now is the clock (time.Now outside tests).
func NewTokens(cfg TokenConfig, now func() time.Time) *Tokens {
	return &Tokens{
		cfg: cfg,
		// The algorithm is pinned: "none", RS256 with the secret as a public key, and every other
		// algorithm are rejected before the signature is looked at.
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithIssuer(cfg.Issuer),
			jwt.WithAudience(cfg.Audience),
			jwt.WithTimeFunc(now),
			jwt.WithLeeway(5*time.Second),
		),
		now: now,
	}
}

type accessClaims struct {
	jwt.RegisteredClaims
	AccountID string `json:"acc"`
	Role      string `json:"role"`
	Type      string `json:"typ"`
}

// AccessTTL is the lifetime of the access tokens this issuer signs.
func (t *Tokens) AccessTTL() time.Duration { return t.cfg.AccessTTL }

// Issue signs an access token for p.
func (t *Tokens) Issue(p domain.Principal) (string, error) {
	now := t.now()
	claims := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.cfg.Issuer,
			Subject:   p.UserID.String(),
			Audience:  jwt.ClaimStrings{t.cfg.Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(t.cfg.AccessTTL)),
			ID:        uuid.NewString(),
		},
		AccountID: p.AccountID.String(),
		Role:      string(p.Role),
		Type:      accessTokenType,
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.cfg.Secret)
	if err != nil {
		return "", fmt.Errorf("sign access token: %w", err)
	}
	return signed, nil
}

// Verify returns the principal of a valid access token, or EUnauthorized saying what is wrong
// with it.
func (t *Tokens) Verify(token string) (domain.Principal, error) {
	var claims accessClaims
	_, err := t.parser.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return t.cfg.Secret, nil })
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return domain.Principal{}, domain.Errorf(domain.EUnauthorized, "the access token has expired: refresh it or sign in again")
	case err != nil:
		return domain.Principal{}, domain.Errorf(domain.EUnauthorized, "the access token is invalid: sign in again")
	case claims.Type != accessTokenType:
		return domain.Principal{}, domain.Errorf(domain.EUnauthorized, "this is not an access token")
	}
	userID, errU := uuid.Parse(claims.Subject)
	accountID, errA := uuid.Parse(claims.AccountID)
	role, errR := domain.ParseRole(claims.Role)
	if errU != nil || errA != nil || errR != nil {
		return domain.Principal{}, domain.Errorf(domain.EUnauthorized, "the access token is invalid: sign in again")
	}
	return domain.Principal{UserID: userID, AccountID: accountID, Role: role, ExpiresAt: claims.ExpiresAt.Time}, nil
}

// newRefreshToken returns the opaque first refresh token of a sign-in; only its hash is stored.
func newRefreshToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate refresh token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// successorLabel separates the key that derives refresh-token successors from the signing key
// of access tokens, although both come from the one configured secret.
const successorLabel = "resolutionflow refresh-token successor v1"

// successor derives the token that token rotates to. Without the secret, a successor cannot be
// told from a random token, nor computed from its parent.
func (t *Tokens) successor(token string) string {
	key := hmac.New(sha256.New, t.cfg.Secret)
	key.Write([]byte(successorLabel))
	mac := hmac.New(sha256.New, key.Sum(nil))
	mac.Write([]byte(token))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// hashRefreshToken needs no salt or stretching: the token is 256 random bits, not a password.
func hashRefreshToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
