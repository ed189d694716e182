package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"

	"github.com/resolutionflow/resolutionflow/internal/auth"
	"github.com/resolutionflow/resolutionflow/internal/contract"
	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// operationKey holds the matched operationId on the Echo context, for metrics and logs.
const operationKey = "operation"

// gate is the contract's doorkeeper. Before any handler runs it matches the request to an
// operation (404/405 otherwise), authenticates it unless the contract marks it public (401),
// checks the operation's x-required-role (403), limits and types the body (413/415), and
// validates parameters and body against the schema (400/422).
type gate struct {
	router  routers.Router
	ops     map[*openapi3.Operation]contract.Operation
	auth    *auth.Service
	maxBody int64
	options openapi3filter.Options
	// outside reports requests that are not the contract's to answer (the console's pages).
	outside func(*http.Request) bool
}

func newGate(doc *openapi3.T, authService *auth.Service, maxBody int64, outside func(*http.Request) bool) (*gate, error) {
	router, err := contract.Router(doc)
	if err != nil {
		return nil, fmt.Errorf("route the contract: %w", err)
	}
	g := &gate{router: router, ops: map[*openapi3.Operation]contract.Operation{}, auth: authService, maxBody: maxBody, outside: outside}
	for _, op := range contract.Operations(doc) {
		if !op.Public {
			if _, err := domain.ParseRole(op.RequiredRole); err != nil {
				return nil, fmt.Errorf("operation %s is secured but its %s is %q", op.ID, contract.RequiredRoleKey, op.RequiredRole)
			}
		}
		g.ops[op.Op] = op
	}
	g.options = openapi3filter.Options{
		MultiError: true,
		// The strict handlers bind the value that was validated, not a second, case-insensitive
		// decode of the raw body.
		KeepValidatedValue: true,
		// Credentials are checked by the gate itself, before the body is looked at, so that an
		// unauthenticated caller learns nothing about the schema.
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
	}
	return g, nil
}

func (g *gate) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		route, params, err := g.router.FindRoute(req)
		if errors.Is(err, routers.ErrMethodNotAllowed) {
			allowed := g.allowedMethods(req)
			c.Response().Header().Set(echo.HeaderAllow, strings.Join(allowed, ", "))
			return newProblem(http.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed on %s; use %s", req.Method, req.URL.Path, strings.Join(allowed, " or ")))
		}
		if err != nil && g.outside(req) {
			c.Set(operationKey, "console")
			return next(c)
		}
		if err != nil {
			return newProblem(http.StatusNotFound, fmt.Sprintf("there is no route %s %s; see /docs", req.Method, req.URL.Path))
		}
		op := g.ops[route.Operation]
		c.Set(operationKey, op.ID)
		if !op.Public {
			p, err := g.authenticate(req.Context(), req, op)
			if err != nil {
				return err
			}
			req = req.WithContext(withPrincipal(req.Context(), p))
			c.SetRequest(req)
		}
		if strings.Contains(req.Header.Get(echo.HeaderAccept), "text/event-stream") {
			req = req.WithContext(withEventStream(req.Context()))
			c.SetRequest(req)
		}
		if rb := route.Operation.RequestBody; rb != nil {
			if err := g.checkBody(req, rb.Value); err != nil {
				return err
			}
		}
		for k, v := range params {
			if unescaped, err := url.PathUnescape(v); err == nil {
				params[k] = unescaped
			}
		}
		input := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: &g.options}
		if err := openapi3filter.ValidateRequest(req.Context(), input); err != nil {
			return validationProblem(err)
		}
		return next(c)
	}
}

func (g *gate) authenticate(ctx context.Context, req *http.Request, op contract.Operation) (domain.Principal, error) {
	scheme, token, found := strings.Cut(req.Header.Get(echo.HeaderAuthorization), " ")
	if !found || !strings.EqualFold(scheme, "bearer") || token == "" {
		return domain.Principal{}, domain.Errorf(domain.EUnauthorized, "sign in first: send the access token as 'Authorization: Bearer <token>'")
	}
	p, err := g.auth.Authenticate(ctx, strings.TrimSpace(token))
	if err != nil {
		return domain.Principal{}, err
	}
	if !p.Role.AtLeast(domain.Role(op.RequiredRole)) {
		return domain.Principal{}, domain.Errorf(domain.EForbidden, "this operation needs the %s role; you are %s", op.RequiredRole, p.Role.Article())
	}
	return p, nil
}

// allowedMethods lists the methods the contract defines for the request's path.
func (g *gate) allowedMethods(req *http.Request) []string {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := req.Clone(req.Context())
		probe.Method = m
		if _, _, err := g.router.FindRoute(probe); err == nil {
			allowed = append(allowed, m)
		}
	}
	return allowed
}

// checkBody enforces the size limit and the content type before the body is parsed. The body is
// read here, through a limit, and handed on in memory.
func (g *gate) checkBody(req *http.Request, rb *openapi3.RequestBody) error {
	tooLarge := newProblem(http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", g.maxBody))
	if req.ContentLength > g.maxBody {
		return tooLarge
	}
	if req.Body == nil || req.Body == http.NoBody {
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(req.Body, g.maxBody+1))
	_ = req.Body.Close()
	if err != nil {
		return newProblem(http.StatusBadRequest, "the request body could not be read")
	}
	if int64(len(data)) > g.maxBody {
		return tooLarge
	}
	req.Body = io.NopCloser(bytes.NewReader(data))
	req.ContentLength = int64(len(data))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	if len(data) == 0 {
		return nil
	}
	mediaType, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err != nil || rb.Content.Get(mediaType) == nil {
		accepted := make([]string, 0, len(rb.Content))
		for ct := range rb.Content {
			accepted = append(accepted, ct)
		}
		sort.Strings(accepted)
		return newProblem(http.StatusUnsupportedMediaType,
			fmt.Sprintf("this operation accepts %s, not %q", strings.Join(accepted, ", "), req.Header.Get(echo.HeaderContentType)))
	}
	return nil
}

// validationProblem turns kin-openapi's errors into one problem: 400 when a parameter is bad or
// the body cannot be parsed, else 422 with a JSON pointer per schema violation.
func validationProblem(err error) *problem {
	var fields []problemError
	malformed := false
	for _, e := range flatten(err) {
		var reqErr *openapi3filter.RequestError
		if !errors.As(e, &reqErr) {
			if se, ok := errors.AsType[*openapi3.SchemaError](e); ok {
				fields = append(fields, schemaField(se))
				continue
			}
			malformed = true
			fields = append(fields, problemError{Detail: e.Error()})
			continue
		}
		switch {
		case reqErr.Parameter != nil:
			malformed = true
			fields = append(fields, problemError{
				Pointer: reqErr.Parameter.Name,
				Detail:  fmt.Sprintf("%s parameter %q: %s", reqErr.Parameter.In, reqErr.Parameter.Name, paramReason(reqErr)),
			})
		case errors.Is(reqErr.Err, openapi3filter.ErrInvalidRequired):
			malformed = true
			fields = append(fields, problemError{Detail: "the request body is required"})
		default:
			schemaErrs := schemaErrors(reqErr.Err)
			if len(schemaErrs) == 0 {
				malformed = true
				fields = append(fields, problemError{Detail: "the request body is not valid: " + bodyReason(reqErr)})
			}
			for _, se := range schemaErrs {
				fields = append(fields, schemaField(se))
			}
		}
	}
	if malformed {
		p := newProblem(http.StatusBadRequest, "the request is malformed")
		p.Errors = fields
		if len(fields) == 1 {
			p.Detail = fields[0].Detail
		}
		return p
	}
	p := newProblem(http.StatusUnprocessableEntity, "the request body is invalid: see errors for each problem")
	p.Errors = fields
	return p
}

// flatten expands nested MultiErrors. It looks at err itself, not its chain: a RequestError that
// wraps a MultiError must stay whole, since it says which parameter or body the errors concern.
func flatten(err error) []error {
	if me, ok := err.(openapi3.MultiError); ok { //nolint:errorlint // err itself, deliberately not its chain: see above
		var out []error
		for _, e := range me {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

func schemaErrors(err error) []*openapi3.SchemaError {
	var out []*openapi3.SchemaError
	for _, e := range flatten(err) {
		if se, ok := errors.AsType[*openapi3.SchemaError](e); ok {
			out = append(out, se)
		}
	}
	return out
}

func schemaField(se *openapi3.SchemaError) problemError {
	pointer := ""
	for _, part := range se.JSONPointer() {
		pointer += "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(part)
	}
	reason := se.Reason
	// kin-openapi reports an unknown property at its parent; point at the property itself.
	if m := unsupportedProperty.FindStringSubmatch(reason); m != nil {
		pointer += "/" + m[1]
		reason = "unknown field: remove it"
	}
	reason = withoutPattern(reason)
	if pointer == "" {
		pointer = "/"
	}
	return problemError{Pointer: pointer, Detail: reason}
}

// withoutPattern drops the regular expression kin-openapi appends to a format failure, which
// helps nobody.
func withoutPattern(reason string) string {
	if i := strings.Index(reason, " (string doesn't match pattern"); i > 0 {
		return reason[:i]
	}
	return reason
}

var unsupportedProperty = regexp.MustCompile(`^property "([^"]+)" is unsupported$`)

func paramReason(e *openapi3filter.RequestError) string {
	if se, ok := errors.AsType[*openapi3.SchemaError](e.Err); ok {
		return withoutPattern(se.Reason)
	}
	if e.Reason != "" {
		return e.Reason
	}
	if e.Err != nil {
		return e.Err.Error()
	}
	return "invalid"
}

func bodyReason(e *openapi3filter.RequestError) string {
	if pe, ok := errors.AsType[*openapi3filter.ParseError](e.Err); ok {
		return pe.Error()
	}
	if e.Err != nil {
		return e.Err.Error()
	}
	return e.Reason
}
