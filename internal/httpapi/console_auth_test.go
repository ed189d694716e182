package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/apitest"
	"github.com/resolutionflow/resolutionflow/internal/app"
)

// Two tabs of the console refresh at the same moment: both present the token the first one
// rotates. Inside the reuse window the second gets the same successor instead of revoking
// the sign-in.
func TestConcurrentRefreshesShareOneSuccessor(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) {
		st.Now, st.RefreshReuseWindow = clock.Now, 10*time.Second
	}))
	admin := s.Register("Tabs")

	t.Run("concurrent refreshes of one token all get the same live successor", func(t *testing.T) {
		const tabs = 6
		got := make([]*oapi.RefreshTokenResponse, tabs)
		var wg sync.WaitGroup
		for i := range tabs {
			wg.Go(func() {
				got[i], _ = s.Client("").RefreshTokenWithResponse(context.Background(), &oapi.RefreshTokenParams{}, oapi.RefreshRequest{RefreshToken: admin.RefreshToken})
			})
		}
		wg.Wait()
		first := ""
		for i, r := range got {
			if r == nil || r.StatusCode() != http.StatusOK {
				t.Fatalf("tab %d: %+v, want 200", i, r)
			}
			tok := deref(r.JSON200.RefreshToken)
			if first == "" {
				first = tok
			}
			if tok != first || tok == admin.RefreshToken {
				t.Fatalf("tab %d got %q, tab 0 got %q: every tab must get the one successor", i, tok, first)
			}
		}
		next := refresh(t, s, first, http.StatusOK)
		t.Run("a late tab inside the window follows the chain to its live end", func(t *testing.T) {
			clock.Advance(5 * time.Second)
			if late := refresh(t, s, admin.RefreshToken, http.StatusOK); late.RefreshToken != next.RefreshToken {
				t.Errorf("late refresh got %q, want the live end of the chain %q", late.RefreshToken, next.RefreshToken)
			}
		})
		t.Run("after the window, reuse revokes the whole sign-in", func(t *testing.T) {
			clock.Advance(6 * time.Second)
			refresh(t, s, admin.RefreshToken, http.StatusUnauthorized)
			refresh(t, s, next.RefreshToken, http.StatusUnauthorized)
		})
	})

	t.Run("a window of zero turns the grace off", func(t *testing.T) {
		strict := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) { st.RefreshReuseWindow = 0 }))
		a := strict.Register("Strict")
		first := refresh(t, strict, a.RefreshToken, http.StatusOK)
		refresh(t, strict, a.RefreshToken, http.StatusUnauthorized)
		refresh(t, strict, first.RefreshToken, http.StatusUnauthorized)
	})
}

// withHeaders sets browser headers on a generated client's request.
func withHeaders(kv ...string) oapi.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		for i := 0; i+1 < len(kv); i += 2 {
			req.Header.Set(kv[i], kv[i+1])
		}
		return nil
	}
}

// refreshCookie finds the rf_refresh cookie a response sets.
func refreshCookie(t *testing.T, res *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range res.Cookies() {
		if c.Name == "rf_refresh" {
			return c
		}
	}
	t.Fatalf("no rf_refresh cookie in %q", res.Header.Values("Set-Cookie"))
	return nil
}

func TestConsoleSignInKeepsTheRefreshTokenInACookie(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	ctx := context.Background()
	admin := s.Register("Cookies")
	c := s.Client("")

	login, err := c.LoginWithResponse(ctx, &oapi.LoginParams{XTokenDelivery: ptr(oapi.LoginParamsXTokenDeliveryCookie)},
		oapi.LoginRequest{Email: admin.Email, Password: apitest.Password})
	if err != nil || login.StatusCode() != http.StatusOK {
		t.Fatalf("console sign-in: %v %d %s", err, login.StatusCode(), login.Body)
	}
	if login.JSON200.RefreshToken != nil || strings.Contains(string(login.Body), "refresh_token") {
		t.Fatalf("the body carries the refresh token, which page scripts could read: %s", login.Body)
	}
	cookie := refreshCookie(t, login.HTTPResponse)
	t.Run("the cookie is HttpOnly, Secure, SameSite=Strict and scoped to the auth paths", func(t *testing.T) {
		raw := login.HTTPResponse.Header.Get("Set-Cookie")
		if !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteStrictMode || cookie.Path != "/api/v1/auth" || cookie.MaxAge <= 0 {
			t.Errorf("Set-Cookie: %s", raw)
		}
	})

	viaCookie := &oapi.RefreshTokenParams{XTokenDelivery: ptr(oapi.RefreshTokenParamsXTokenDeliveryCookie), RfRefresh: &cookie.Value}
	noBody := func(params *oapi.RefreshTokenParams, editors ...oapi.RequestEditorFn) *oapi.RefreshTokenResponse {
		t.Helper()
		r, err := c.RefreshTokenWithBodyWithResponse(ctx, params, "application/json", strings.NewReader(""), editors...)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	t.Run("a cross-site page cannot refresh with the cookie", func(t *testing.T) {
		for name, headers := range map[string][]string{
			"another Origin":          {"Origin", "https://evil.example"},
			"Sec-Fetch-Site is cross": {"Sec-Fetch-Site", "cross-site"},
			"a sibling subdomain":     {"Sec-Fetch-Site", "same-site"},
			"an opaque Origin":        {"Origin", "null"},
		} {
			if r := noBody(viaCookie, withHeaders(headers...)); r.StatusCode() != http.StatusForbidden {
				t.Errorf("%s: %d %s, want 403", name, r.StatusCode(), r.Body)
			}
		}
	})
	t.Run("the cookie alone, without the console's header, is not accepted", func(t *testing.T) {
		if r := noBody(&oapi.RefreshTokenParams{RfRefresh: &cookie.Value}); r.StatusCode() != http.StatusUnauthorized {
			t.Errorf("cookie without X-Token-Delivery: %d, want 401", r.StatusCode())
		}
	})

	var rotated *http.Cookie
	t.Run("the console's own page refreshes by cookie and gets a new one", func(t *testing.T) {
		r := noBody(viaCookie, withHeaders("Origin", s.URL, "Sec-Fetch-Site", "same-origin"))
		if r.StatusCode() != http.StatusOK || r.JSON200.RefreshToken != nil {
			t.Fatalf("refresh by cookie: %d %s", r.StatusCode(), r.Body)
		}
		rotated = refreshCookie(t, r.HTTPResponse)
		if rotated.Value == cookie.Value {
			t.Error("the cookie did not rotate")
		}
		if meStatus(t, s, r.JSON200.AccessToken) != http.StatusOK {
			t.Error("the refreshed access token does not work")
		}
	})
	t.Run("behind a proxy that rewrites Host, a page of PUBLIC_URL's origin may refresh", func(t *testing.T) {
		l, _ := c.LoginWithResponse(ctx, &oapi.LoginParams{XTokenDelivery: ptr(oapi.LoginParamsXTokenDeliveryCookie)}, oapi.LoginRequest{Email: admin.Email, Password: apitest.Password})
		params := &oapi.RefreshTokenParams{XTokenDelivery: viaCookie.XTokenDelivery, RfRefresh: &refreshCookie(t, l.HTTPResponse).Value}
		if r := noBody(params, withHeaders("Origin", "http://resolutionflow.test", "Sec-Fetch-Site", "same-origin")); r.StatusCode() != http.StatusOK {
			t.Errorf("refresh from PUBLIC_URL's origin: %d %s", r.StatusCode(), r.Body)
		}
	})
	t.Run("sign-out revokes the cookie's sign-in and clears it", func(t *testing.T) {
		me := s.Login(admin.Email, apitest.Password)
		r, err := s.Client(me.AccessToken).LogoutWithBodyWithResponse(ctx,
			&oapi.LogoutParams{XTokenDelivery: ptr(oapi.LogoutParamsXTokenDeliveryCookie), RfRefresh: &rotated.Value},
			"application/json", strings.NewReader(""))
		if err != nil || r.StatusCode() != http.StatusNoContent {
			t.Fatalf("sign-out: %v %d %s", err, r.StatusCode(), r.Body)
		}
		if cleared := refreshCookie(t, r.HTTPResponse); cleared.Value != "" || cleared.MaxAge >= 0 {
			t.Errorf("the cookie is not cleared: %q", r.HTTPResponse.Header.Get("Set-Cookie"))
		}
		after := noBody(&oapi.RefreshTokenParams{XTokenDelivery: viaCookie.XTokenDelivery, RfRefresh: &rotated.Value})
		if after.StatusCode() != http.StatusUnauthorized {
			t.Errorf("refresh after sign-out: %d, want 401", after.StatusCode())
		}
	})
	t.Run("registration from the console also sets the cookie", func(t *testing.T) {
		r, err := c.RegisterWithResponse(ctx, &oapi.RegisterParams{XTokenDelivery: ptr(oapi.RegisterParamsXTokenDeliveryCookie)},
			oapi.RegisterRequest{AccountName: "Cookie jar", Name: "Cora", Email: oapi.Email(apitest.UniqueEmail("cora")), Password: apitest.Password})
		if err != nil || r.StatusCode() != http.StatusCreated || r.JSON201.Tokens.RefreshToken != nil {
			t.Fatalf("register: %v %d %s", err, r.StatusCode(), r.Body)
		}
		refreshCookie(t, r.HTTPResponse)
	})
}

func TestRefreshCookieDropsSecureOnlyOnLoopbackInDevMode(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) { st.DevMode = true }))
	admin := s.Register("Dev box")
	login := func(host string) *http.Cookie {
		r, err := s.Client("").LoginWithResponse(context.Background(), &oapi.LoginParams{XTokenDelivery: ptr(oapi.LoginParamsXTokenDeliveryCookie)},
			oapi.LoginRequest{Email: admin.Email, Password: apitest.Password},
			func(_ context.Context, req *http.Request) error { req.Host = host; return nil })
		if err != nil || r.StatusCode() != http.StatusOK {
			t.Fatalf("sign-in as %s: %v %d", host, err, r.StatusCode())
		}
		return refreshCookie(t, r.HTTPResponse)
	}
	for host, secure := range map[string]bool{
		"127.0.0.1:8080":           false,
		"localhost:5173":           false,
		"[::1]:8080":               false,
		"console.msp.example":      true,
		"10.0.0.7:8080":            true,
		"localhost.evil.example:1": true,
	} {
		if got := login(host).Secure; got != secure {
			t.Errorf("dev mode on %s: Secure = %v, want %v", host, got, secure)
		}
	}
}

// A tab refreshes with a token another tab just rotated while a third signs out with its
// successor: the refresh locks the token and then its successor, the sign-out the whole
// sign-in. Both take the user's sign-in lock first, so neither can deadlock into a 500 (the
// validating client fails the test on one).
func TestRefreshRacesSignOut(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t, apitest.WithSettings(func(st *app.Settings) { st.RefreshReuseWindow = 10 * time.Second }))
	ctx := context.Background()
	admin := s.Register("Deadlock")
	for range 30 {
		c := s.Login(admin.Email, apitest.Password)
		next := refresh(t, s, c.RefreshToken, http.StatusOK)
		var wg sync.WaitGroup
		wg.Go(func() {
			r, err := s.Client("").RefreshTokenWithResponse(ctx, &oapi.RefreshTokenParams{}, oapi.RefreshRequest{RefreshToken: c.RefreshToken})
			if err != nil || (r.StatusCode() != http.StatusOK && r.StatusCode() != http.StatusUnauthorized) {
				t.Errorf("refresh: %v %v", err, r)
			}
		})
		wg.Go(func() {
			r, err := s.Client(next.AccessToken).LogoutWithResponse(ctx, &oapi.LogoutParams{}, oapi.RefreshRequest{RefreshToken: next.RefreshToken})
			if err != nil || r.StatusCode() != http.StatusNoContent {
				t.Errorf("sign-out: %v %v", err, r)
			}
		})
		wg.Wait()
		refresh(t, s, next.RefreshToken, http.StatusUnauthorized)
	}
}
