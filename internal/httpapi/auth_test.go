package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/apitest"
	"github.com/resolutionflow/resolutionflow/internal/app"
	"github.com/resolutionflow/resolutionflow/internal/auth"
	"github.com/resolutionflow/resolutionflow/internal/domain"
)

func TestSignInLifecycle(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Northwind IT")

	form, err := s.Client("").LoginFormWithFormdataBodyWithResponse(ctx, oapi.LoginForm{Username: admin.Email, Password: apitest.Password})
	if err != nil || form.StatusCode() != http.StatusOK {
		t.Fatalf("form login: %v %d %s", err, form.StatusCode(), form.Body)
	}
	if form.JSON200.TokenType != oapi.Bearer || form.JSON200.ExpiresIn != 900 {
		t.Errorf("form login answered token_type %q expires_in %d, want bearer 900", form.JSON200.TokenType, form.JSON200.ExpiresIn)
	}

	caller := s.Login(admin.Email, apitest.Password)
	me, err := caller.Client.GetMeWithResponse(ctx)
	if err != nil || me.StatusCode() != http.StatusOK {
		t.Fatalf("me: %v %d %s", err, me.StatusCode(), me.Body)
	}
	if me.JSON200.User.Id != admin.UserID || me.JSON200.Account.Name != "Northwind IT" || me.JSON200.User.Role != oapi.Admin {
		t.Errorf("me = %+v, want the registered admin of Northwind IT", me.JSON200)
	}

	refreshed := refresh(t, s, caller.RefreshToken, http.StatusOK)
	if refreshed.RefreshToken == caller.RefreshToken {
		t.Fatal("refresh returned the same refresh token; it must rotate")
	}
	if r, _ := s.Client(refreshed.AccessToken).GetMeWithResponse(ctx); r.StatusCode() != http.StatusOK {
		t.Errorf("the refreshed access token answers %d on /me", r.StatusCode())
	}

	logout, err := s.Client(refreshed.AccessToken).LogoutWithResponse(ctx, &oapi.LogoutParams{}, oapi.RefreshRequest{RefreshToken: refreshed.RefreshToken})
	if err == nil && logout.HTTPResponse.Header.Get("Set-Cookie") != "" {
		t.Errorf("an API client's sign-out set a cookie: %q", logout.HTTPResponse.Header.Get("Set-Cookie"))
	}
	if err != nil || logout.StatusCode() != http.StatusNoContent {
		t.Fatalf("logout: %v %d %s", err, logout.StatusCode(), logout.Body)
	}
	refresh(t, s, refreshed.RefreshToken, http.StatusUnauthorized)
}

func TestReusedRefreshTokenRevokesItsFamily(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) {
		st.Now, st.RefreshReuseWindow = clock.Now, 10*time.Second
	}))
	admin := s.Register("Contoso")
	other := s.Login(admin.Email, apitest.Password) // a second sign-in: its own family

	first := refresh(t, s, admin.RefreshToken, http.StatusOK)
	// The rotated token comes back after the reuse window (stolen and replayed): the whole
	// family dies, including the token the legitimate client holds now.
	clock.Advance(11 * time.Second)
	problem := refresh(t, s, admin.RefreshToken, http.StatusUnauthorized)
	if !strings.Contains(problem.Detail, "already used") {
		t.Errorf("reuse detail = %q, want it to say the token was already used", problem.Detail)
	}
	refresh(t, s, first.RefreshToken, http.StatusUnauthorized)
	// Another sign-in of the same user is a different family and keeps working.
	refresh(t, s, other.RefreshToken, http.StatusOK)
}

func TestRefreshTokenIsNotAnAccessToken(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	admin := s.Register("Fabrikam")
	r, err := s.Client(admin.RefreshToken).GetMeWithResponse(context.Background())
	if err != nil || r.StatusCode() != http.StatusUnauthorized {
		t.Fatalf("refresh token as bearer: %v %d, want 401", err, r.StatusCode())
	}
}

func TestRefreshTokenExpires(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) { st.RefreshTTL = time.Millisecond }))
	admin := s.Register("Tailspin")
	time.Sleep(5 * time.Millisecond) // past a 1 ms lifetime; no race: the deadline is in the row
	refresh(t, s, admin.RefreshToken, http.StatusUnauthorized)
}

func TestForgedAccessTokensAreRejected(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	admin := s.Register("Woodgrove")
	claims := func(mutate func(jwt.MapClaims)) jwt.MapClaims {
		now := time.Now()
		c := jwt.MapClaims{
			"iss": apitest.Issuer, "aud": []string{apitest.Audience}, "sub": admin.UserID.String(),
			"acc": admin.AccountID.String(), "role": "admin", "typ": "access",
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Minute).Unix(),
		}
		if mutate != nil {
			mutate(c)
		}
		return c
	}
	sign := func(method jwt.SigningMethod, key any, c jwt.MapClaims) string {
		tok, err := jwt.NewWithClaims(method, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	expired, err := auth.NewTokens(auth.TokenConfig{Secret: apitest.Secret, Issuer: apitest.Issuer, Audience: apitest.Audience, AccessTTL: time.Minute},
		func() time.Time { return time.Now().Add(-time.Hour) }).
		Issue(domain.Principal{UserID: admin.UserID, AccountID: admin.AccountID, Role: domain.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}

	if tok := sign(jwt.SigningMethodHS256, apitest.Secret, claims(nil)); meStatus(t, s, tok) != http.StatusOK {
		t.Fatal("a correctly forged token (test secret) must pass, or the cases below prove nothing")
	}
	cases := map[string]string{
		"expired":           expired,
		"bad signature":     sign(jwt.SigningMethodHS256, []byte("another-secret-that-is-32-bytes-long!!"), claims(nil)),
		"alg none":          sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil)),
		"HS512":             sign(jwt.SigningMethodHS512, apitest.Secret, claims(nil)),
		"wrong audience":    sign(jwt.SigningMethodHS256, apitest.Secret, claims(func(c jwt.MapClaims) { c["aud"] = []string{"partner-api"} })),
		"wrong issuer":      sign(jwt.SigningMethodHS256, apitest.Secret, claims(func(c jwt.MapClaims) { c["iss"] = "someone-else" })),
		"no expiry":         sign(jwt.SigningMethodHS256, apitest.Secret, claims(func(c jwt.MapClaims) { delete(c, "exp") })),
		"not an access typ": sign(jwt.SigningMethodHS256, apitest.Secret, claims(func(c jwt.MapClaims) { c["typ"] = "refresh" })),
		"unknown role":      sign(jwt.SigningMethodHS256, apitest.Secret, claims(func(c jwt.MapClaims) { c["role"] = "root" })),
		"garbage":           "not.a.jwt",
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			if got := meStatus(t, s, tok); got != http.StatusUnauthorized {
				t.Errorf("GET /auth/me with %s token = %d, want 401", name, got)
			}
		})
	}
}

func TestLoginFailuresLookAlikeAndAreThrottled(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) { st.LoginMaxFailures = 3 }))
	admin := s.Register("Litware")
	ctx := context.Background()
	login := func(email, password string) *oapi.LoginResponse {
		r, err := s.Client("").LoginWithResponse(ctx, &oapi.LoginParams{}, oapi.LoginRequest{Email: email, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	unknown := login("nobody@example.com", apitest.Password)
	wrong := login(admin.Email, "wrong password!")
	if unknown.StatusCode() != http.StatusUnauthorized || wrong.StatusCode() != http.StatusUnauthorized {
		t.Fatalf("unknown email %d, wrong password %d; want 401 for both", unknown.StatusCode(), wrong.StatusCode())
	}
	if *unknown.ApplicationproblemJSON401.Detail != *wrong.ApplicationproblemJSON401.Detail {
		t.Errorf("unknown email says %q but wrong password says %q: they must not differ",
			*unknown.ApplicationproblemJSON401.Detail, *wrong.ApplicationproblemJSON401.Detail)
	}
	login(admin.Email, "wrong password!")
	login(admin.Email, "wrong password!")
	locked := login(admin.Email, apitest.Password) // right password, but after 3 failures
	if locked.StatusCode() != http.StatusTooManyRequests {
		t.Fatalf("4th attempt = %d, want 429", locked.StatusCode())
	}
	if ra := locked.HTTPResponse.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("429 without a useful Retry-After (%q)", ra)
	}
	// The form endpoint shares the throttle.
	form, _ := s.Client("").LoginFormWithFormdataBodyWithResponse(ctx, oapi.LoginForm{Username: admin.Email, Password: apitest.Password})
	if form.StatusCode() != http.StatusTooManyRequests {
		t.Errorf("form login during lock-out = %d, want 429", form.StatusCode())
	}
	// Another email is not affected.
	other := s.AddUser(admin, oapi.Viewer)
	if r := login(other.Email, apitest.Password); r.StatusCode() != http.StatusOK {
		t.Errorf("another user's login = %d, want 200", r.StatusCode())
	}
}

func TestRegisterRejectsTakenEmailAndForbiddenFields(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	admin := s.Register("Adatum")
	ctx := context.Background()
	dup, err := s.Client("").RegisterWithResponse(ctx, &oapi.RegisterParams{}, oapi.RegisterRequest{
		AccountName: "Adatum 2", Name: "X", Email: oapi.Email(strings.ToUpper(admin.Email)), Password: apitest.Password,
	})
	if err != nil || dup.StatusCode() != http.StatusConflict {
		t.Fatalf("register with a taken email (other case) = %v %d, want 409", err, dup.StatusCode())
	}
	body := `{"account_name":"Evil","name":"Eve","email":"eve@example.com","password":"correct horse battery","role":"viewer","account_id":"` + admin.AccountID.String() + `","id":"` + uuid.NewString() + `"}`
	resp := do(t, s, http.MethodPost, "/api/v1/auth/register", "", "application/json", body)
	p := decodeProblem(t, resp, http.StatusUnprocessableEntity)
	for _, ptr := range []string{"/role", "/account_id", "/id"} {
		if !hasPointer(p, ptr) {
			t.Errorf("422 does not point at %s: %+v", ptr, p.Errors)
		}
	}
	if status := s.Login(admin.Email, apitest.Password); status.AccessToken == "" {
		t.Fatal("admin lost access")
	}
	if r, _ := s.Client("").LoginWithResponse(ctx, &oapi.LoginParams{}, oapi.LoginRequest{Email: "eve@example.com", Password: "correct horse battery"}); r.StatusCode() != http.StatusUnauthorized {
		t.Errorf("the rejected registration was written: login answered %d", r.StatusCode())
	}
}

func TestPasswordChangeRevokesRefreshTokens(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	admin := s.Register("Proseware")
	ctx := context.Background()
	wrong, _ := admin.Client.ChangePasswordWithResponse(ctx, oapi.PasswordChange{CurrentPassword: "not my password", NewPassword: "a brand new passphrase"})
	if wrong.StatusCode() != http.StatusUnprocessableEntity {
		t.Fatalf("change with a wrong current password = %d, want 422", wrong.StatusCode())
	}
	ok, err := admin.Client.ChangePasswordWithResponse(ctx, oapi.PasswordChange{CurrentPassword: apitest.Password, NewPassword: "a brand new passphrase"})
	if err != nil || ok.StatusCode() != http.StatusNoContent {
		t.Fatalf("change password: %v %d %s", err, ok.StatusCode(), ok.Body)
	}
	refresh(t, s, admin.RefreshToken, http.StatusUnauthorized)
	s.Login(admin.Email, "a brand new passphrase")
}

func TestPasswordLimitsAreCheckedBeforeHashing(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	for name, pw := range map[string]string{"too short": "short", "too long": strings.Repeat("x", 129)} {
		body := `{"account_name":"A","name":"B","email":"` + apitest.UniqueEmail("pw") + `","password":"` + pw + `"}`
		p := decodeProblem(t, do(t, s, http.MethodPost, "/api/v1/auth/register", "", "application/json", body), http.StatusUnprocessableEntity)
		if !hasPointer(p, "/password") {
			t.Errorf("%s password: 422 does not point at /password: %+v", name, p.Errors)
		}
	}
}

type refreshed struct {
	AccessToken, RefreshToken, Detail string
}

func refresh(t *testing.T, s *apitest.Server, token string, want int) refreshed {
	t.Helper()
	r, err := s.Client("").RefreshTokenWithResponse(context.Background(), &oapi.RefreshTokenParams{}, oapi.RefreshRequest{RefreshToken: token})
	if err != nil || r.StatusCode() != want {
		t.Fatalf("refresh = %v %d %s, want %d", err, r.StatusCode(), r.Body, want)
	}
	var out refreshed
	if r.JSON200 != nil {
		out.AccessToken, out.RefreshToken = r.JSON200.AccessToken, deref(r.JSON200.RefreshToken)
	}
	if r.ApplicationproblemJSON401 != nil && r.ApplicationproblemJSON401.Detail != nil {
		out.Detail = *r.ApplicationproblemJSON401.Detail
	}
	return out
}

func meStatus(t *testing.T, s *apitest.Server, token string) int {
	t.Helper()
	r, err := s.Client(token).GetMeWithResponse(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r.StatusCode()
}

// A burst of parallel guesses must not all pass the throttle before any failure is counted.
func TestParallelGuessesAreThrottled(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) { st.LoginMaxFailures = 3 }))
	admin := s.Register("Burst")
	statuses := parallelStatuses(t, 20, func() (int, error) {
		r, err := s.Client("").LoginWithResponse(context.Background(), &oapi.LoginParams{}, oapi.LoginRequest{Email: admin.Email, Password: "wrong password!"})
		if err != nil {
			return 0, err
		}
		return r.StatusCode(), nil
	})
	if statuses[http.StatusUnauthorized] > 3 || statuses[http.StatusTooManyRequests] < 17 {
		t.Errorf("20 parallel wrong passwords with a limit of 3: %v", statuses)
	}
}

// An admin who was deactivated or demoted keeps a valid-looking token for up to its lifetime;
// it must stop working at once, or the admin could restore themself.
func TestRemovedAdminsTokenStopsWorking(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	a := s.Register("Coup")
	b := s.AddUser(a, oapi.Admin)
	c := s.AddUser(a, oapi.Admin)

	if r, _ := b.Client.UpdateUserWithResponse(ctx, a.UserID, oapi.UserUpdate{Active: ptr(false)}); r.StatusCode() != http.StatusOK {
		t.Fatalf("deactivate a: %d", r.StatusCode())
	}
	if r, _ := a.Client.UpdateUserWithResponse(ctx, a.UserID, oapi.UserUpdate{Active: ptr(true)}); r.StatusCode() != http.StatusUnauthorized {
		t.Errorf("deactivated admin reactivates themself: %d, want 401", r.StatusCode())
	}
	if r, _ := b.Client.UpdateUserWithResponse(ctx, c.UserID, oapi.UserUpdate{Role: ptr(oapi.Viewer)}); r.StatusCode() != http.StatusOK {
		t.Fatalf("demote c: %d", r.StatusCode())
	}
	if r, _ := c.Client.UpdateUserWithResponse(ctx, c.UserID, oapi.UserUpdate{Role: ptr(oapi.Admin)}); r.StatusCode() != http.StatusForbidden {
		t.Errorf("demoted admin re-promotes themself: %d, want 403", r.StatusCode())
	}
	if r, _ := c.Client.GetMeWithResponse(ctx); r.StatusCode() != http.StatusOK || r.JSON200.User.Role != oapi.Viewer {
		t.Errorf("the demoted admin's token should still work as a viewer: %d", r.StatusCode())
	}
}

// Refreshing while an admin resets the password takes locks on the user and its tokens from
// both sides; it must never deadlock into a 500 (the validating client fails the test on one).
func TestRefreshRacesPasswordReset(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Races")
	for round := range 10 {
		v := s.AddUser(admin, oapi.Viewer)
		var wg sync.WaitGroup
		wg.Go(func() {
			_, _ = s.Client("").RefreshTokenWithResponse(ctx, &oapi.RefreshTokenParams{}, oapi.RefreshRequest{RefreshToken: v.RefreshToken})
		})
		wg.Go(func() {
			r, err := admin.Client.UpdateUserWithResponse(ctx, v.UserID, oapi.UserUpdate{Password: ptr("another passphrase " + string(rune('a'+round)))})
			if err != nil || r.StatusCode() != http.StatusOK {
				t.Errorf("reset: %v %d", err, r.StatusCode())
			}
		})
		wg.Wait()
	}
}
