package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/resolutionflow/resolutionflow/gen/oapi"
	"github.com/resolutionflow/resolutionflow/internal/apitest"
)

func TestEveryErrorIsAProblemWithItsRealStatus(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	admin := s.Register("Errors Inc")
	huge := `{"account_name":"` + strings.Repeat("x", 70<<10) + `"}`
	cases := []struct {
		name, method, path, token, contentType, body string
		status                                       int
		pointer                                      string
	}{
		{"unknown route", http.MethodGet, "/api/v1/nothing-here", "", "", "", http.StatusNotFound, ""},
		{"unknown route at the root", http.MethodPost, "/wp-admin", "", "", "", http.StatusNotFound, ""},
		{"missing file of the console", http.MethodGet, "/wp-login.php", "", "", "", http.StatusNotFound, ""},
		{"missing asset of the console", http.MethodGet, "/assets/index-0ld.js", "", "", "", http.StatusNotFound, ""},
		{"wrong method", http.MethodDelete, "/api/v1/auth/me", admin.AccessToken, "", "", http.StatusMethodNotAllowed, ""},
		{"no token", http.MethodGet, "/api/v1/users", "", "", "", http.StatusUnauthorized, ""},
		{"oversize body", http.MethodPost, "/api/v1/auth/register", "", "application/json", huge, http.StatusRequestEntityTooLarge, ""},
		{"unsupported media type", http.MethodPost, "/api/v1/auth/login/json", "", "text/plain", "email=a", http.StatusUnsupportedMediaType, ""},
		{"form where JSON is expected", http.MethodPost, "/api/v1/auth/register", "", "application/x-www-form-urlencoded", "a=b", http.StatusUnsupportedMediaType, ""},
		{"malformed JSON", http.MethodPost, "/api/v1/auth/login/json", "", "application/json", `{"email":`, http.StatusBadRequest, ""},
		{"missing body", http.MethodPost, "/api/v1/auth/login/json", "", "application/json", "", http.StatusBadRequest, ""},
		{"wrong JSON type", http.MethodPost, "/api/v1/auth/login/json", "", "application/json", `{"email":5,"password":"x"}`, http.StatusUnprocessableEntity, "/email"},
		{"missing field", http.MethodPost, "/api/v1/auth/login/json", "", "application/json", `{"email":"a@b.c"}`, http.StatusUnprocessableEntity, "/password"},
		{"bad email format", http.MethodPost, "/api/v1/auth/register", "", "application/json",
			`{"account_name":"A","name":"B","email":"not-an-email","password":"correct horse battery"}`, http.StatusUnprocessableEntity, "/email"},
		{"bad enum", http.MethodPost, "/api/v1/users", admin.AccessToken, "application/json",
			`{"email":"x@example.com","name":"X","role":"root","password":"correct horse battery"}`, http.StatusUnprocessableEntity, "/role"},
		{"empty patch", http.MethodPatch, "/api/v1/users/" + admin.UserID.String(), admin.AccessToken, "application/json", `{}`, http.StatusUnprocessableEntity, "/"},
		{"limit out of range", http.MethodGet, "/api/v1/users?limit=500", admin.AccessToken, "", "", http.StatusBadRequest, "limit"},
		{"limit not a number", http.MethodGet, "/api/v1/users?limit=ten", admin.AccessToken, "", "", http.StatusBadRequest, "limit"},
		{"id not a uuid", http.MethodGet, "/api/v1/users/42", admin.AccessToken, "", "", http.StatusBadRequest, "id"},
		{"NUL in a string", http.MethodPost, "/api/v1/auth/login/json", "", "application/json", `{"email":"a\u0000b","password":"x"}`, http.StatusUnprocessableEntity, ""},
		{"invalid UTF-8 in a form", http.MethodPost, "/api/v1/auth/login", "", "application/x-www-form-urlencoded", "username=%FF%FE&password=x", http.StatusUnprocessableEntity, ""},
		{"blank name", http.MethodPost, "/api/v1/auth/register", "", "application/json",
			`{"account_name":"   ","name":"B","email":"blank@example.com","password":"correct horse battery"}`, http.StatusUnprocessableEntity, "/account_name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := decodeProblem(t, do(t, s, c.method, c.path, c.token, c.contentType, c.body), c.status)
			if p.Detail == nil || *p.Detail == "" {
				t.Error("the problem does not say what is wrong")
			}
			if p.RequestId == nil || *p.RequestId == "" {
				t.Error("the problem has no request id")
			}
			if c.pointer != "" && !hasPointer(p, c.pointer) {
				t.Errorf("no error points at %q: %+v", c.pointer, *p.Errors)
			}
		})
	}
}

func TestWrongMethodNamesTheAllowedOnes(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	resp := do(t, s, http.MethodPut, "/api/v1/users", "", "", "")
	decodeProblem(t, resp, http.StatusMethodNotAllowed)
	if got := resp.Header.Get("Allow"); got != "GET, POST" {
		t.Errorf("Allow = %q, want GET, POST", got)
	}
}

func TestUnauthenticatedCallersLearnNothingAboutTheBody(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	resp := do(t, s, http.MethodPost, "/api/v1/users", "", "application/json", `{"role":"nope"}`)
	p := decodeProblem(t, resp, http.StatusUnauthorized)
	if p.Errors != nil {
		t.Errorf("a 401 lists body problems: %+v", *p.Errors)
	}
	if resp.Header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
}

// /ai-sessions/escalations sits beside /ai-sessions/{id}: both the validator and Echo must take
// the static route, or the queue would be validated as a conversation with id "escalations".
func TestStaticSegmentsWinOverParameters(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	admin := s.Register("Routes")
	for _, path := range []string{"/api/v1/ai-sessions/escalations", "/api/v1/ai-sessions/escalations/events", "/api/v1/trees/categories", "/api/v1/trees/search?q=vpn"} {
		if resp := do(t, s, http.MethodGet, path, admin.AccessToken, "", ""); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200 (not the {id} route)", path, resp.StatusCode)
		}
	}
	viewer := s.AddUser(admin, "viewer")
	// A viewer may read an ai-session but not the queue: a 403 proves the queue's rules applied.
	decodeProblem(t, do(t, s, http.MethodGet, "/api/v1/ai-sessions/escalations", viewer.AccessToken, "", ""), http.StatusForbidden)
}

// 403s name the caller's role in English: "you are an engineer", not "a engineer".
func TestForbiddenSaysWhoYouAre(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	admin := s.Register("Grammar")
	eng := s.AddUser(admin, oapi.Engineer)
	p := decodeProblem(t, do(t, s, http.MethodGet, "/api/v1/users", eng.AccessToken, "", ""), http.StatusForbidden)
	if !strings.Contains(deref(p.Detail), "you are an engineer") {
		t.Errorf("detail %q", deref(p.Detail))
	}
}
