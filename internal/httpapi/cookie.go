package httpapi

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/auth"
	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// The browser console keeps its refresh token in an HttpOnly cookie, so that no script on the
// page can read it; API clients keep it in JSON bodies. X-Token-Delivery: cookie picks the first.
const (
	refreshCookieName = "rf_refresh"
	// refreshCookiePath scopes the cookie to the sign-in operations: no other request carries it.
	refreshCookiePath = "/api/v1/auth"
)

// requestSite is what the cookie rules need to know about where a request comes from.
type requestSite struct {
	host      string // the Host header
	origin    string // the Origin header, if any
	fetchSite string // the Sec-Fetch-Site header, if any
	tls       bool
}

func siteOf(r *http.Request) requestSite {
	return requestSite{host: r.Host, origin: r.Header.Get("Origin"), fetchSite: r.Header.Get("Sec-Fetch-Site"), tls: r.TLS != nil}
}

type siteKey struct{}

func withSite(ctx context.Context, s requestSite) context.Context {
	return context.WithValue(ctx, siteKey{}, s)
}

func site(ctx context.Context) requestSite {
	s, _ := ctx.Value(siteKey{}).(requestSite)
	return s
}

// crossSite reports whether a request comes from a page of another site. Browsers send
// Sec-Fetch-Site and Origin on every POST; a request with neither comes from no browser page
// (curl, a test), which cannot ride on a victim's cookie. The page's origin must be the host the
// request was sent to, or PUBLIC_URL's (behind a proxy that rewrites the Host header).
func crossSite(s requestSite, publicHost string) bool {
	switch s.fetchSite {
	case "", "same-origin", "none":
	default:
		return true
	}
	if s.origin == "" {
		return false
	}
	u, err := url.Parse(s.origin)
	if err != nil || u.Host == "" {
		return true
	}
	return !strings.EqualFold(u.Host, s.host) && !strings.EqualFold(u.Host, publicHost)
}

// secureCookie is false only where a Secure cookie could not be stored: plain http on a loopback
// address, in development mode. Behind a TLS-terminating proxy the request arrives as plain
// http too, so anything but loopback keeps Secure.
func secureCookie(devMode bool, s requestSite) bool {
	if !devMode || s.tls {
		return true
	}
	host, _, err := net.SplitHostPort(s.host)
	if err != nil {
		host = s.host
	}
	if strings.EqualFold(host, "localhost") {
		return false
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip == nil || !ip.IsLoopback()
}

func (h *handlers) refreshCookie(ctx context.Context, value string, maxAge int) *string {
	c := http.Cookie{
		Name: refreshCookieName, Value: value, Path: refreshCookiePath, MaxAge: maxAge,
		HttpOnly: true, Secure: secureCookie(h.devMode, site(ctx)), SameSite: http.SameSiteStrictMode,
	}
	v := c.String()
	return &v
}

// deliver puts a token pair where the caller asked for its refresh token: in the body, or in the
// cookie and nowhere else.
func (h *handlers) deliver(ctx context.Context, pair auth.TokenPair, viaCookie bool) (oapi.TokenPair, *string) {
	body := toTokenPair(pair)
	if !viaCookie {
		return body, nil
	}
	body.RefreshToken = nil
	return body, h.refreshCookie(ctx, pair.RefreshToken, int(h.auth.RefreshTTL().Seconds()))
}

// clearedRefreshCookie removes the cookie from the browser.
func (h *handlers) clearedRefreshCookie(ctx context.Context) *string {
	return h.refreshCookie(ctx, "", -1)
}

// presentedRefresh returns the refresh token of a refresh or sign-out: from the body for API
// clients, or from the cookie for the console, which must be on the console's own site. The
// X-Token-Delivery header is itself the guard against cross-site requests: a page of another
// origin cannot send a custom header without a CORS preflight, which this service refuses.
func (h *handlers) presentedRefresh(ctx context.Context, viaCookie bool, body *oapi.RefreshRequest, cookie *string) (string, error) {
	if !viaCookie {
		if body == nil || body.RefreshToken == "" {
			return "", domain.Errorf(domain.EUnauthorized, `send the refresh token as {"refresh_token": "..."}, or sign in again`)
		}
		return body.RefreshToken, nil
	}
	if crossSite(site(ctx), h.publicHost) {
		return "", domain.Errorf(domain.EForbidden, "the sign-in cookie is only accepted from the console's own site")
	}
	if cookie == nil || *cookie == "" {
		return "", domain.Errorf(domain.EUnauthorized, "you are not signed in on this browser (no sign-in cookie): sign in")
	}
	return *cookie, nil
}
