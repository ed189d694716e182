package httpapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"

	"github.com/resolutionflow/resolutionflow/internal/apitest"
	"github.com/resolutionflow/resolutionflow/internal/contract"
	"github.com/resolutionflow/resolutionflow/internal/domain"
)

// opsEndpoints are deliberately public and answer no problem of their own.
var opsEndpoints = []string{"getHealth", "getReadiness", "getMetrics", "getOpenAPISpec", "getAPIDocs"}

// publicAPI are the /api/v1 operations callable without a token.
var publicAPI = []string{"register", "login", "loginForm", "refreshToken"}

// TestEveryOperationDeclaresSecurityAndProblems walks the contract: each operation is either
// deliberately public or secured with a valid x-required-role, and declares, as problem+json,
// every status the gate can answer for it.
func TestEveryOperationDeclaresSecurityAndProblems(t *testing.T) {
	t.Parallel()
	doc, err := contract.Load()
	if err != nil {
		t.Fatal(err)
	}
	ops := contract.Operations(doc)
	if len(ops) < 45 {
		t.Fatalf("the contract has %d operations; the whole API surface has at least 45", len(ops))
	}
	ids := map[string]bool{}
	for _, op := range ops {
		t.Run(op.ID, func(t *testing.T) {
			if op.ID == "" || ids[op.ID] {
				t.Fatalf("%s %s: missing or duplicate operationId", op.Method, op.Path)
			}
			ids[op.ID] = true
			isOps, isPublicAPI := slices.Contains(opsEndpoints, op.ID), slices.Contains(publicAPI, op.ID)
			switch {
			case op.Public && !isOps && !isPublicAPI:
				t.Fatal("public, but not on the list of deliberately public operations")
			case !op.Public && (isOps || isPublicAPI):
				t.Fatal("meant to be public, but requires a token")
			case !op.Public:
				if _, err := domain.ParseRole(op.RequiredRole); err != nil {
					t.Fatalf("secured without a valid %s: %v", contract.RequiredRoleKey, err)
				}
			}
			want := []string{"default"}
			if len(op.Op.Parameters) > 0 || len(doc.Paths.Value(op.Path).Parameters) > 0 || op.Op.RequestBody != nil {
				want = append(want, "400")
			}
			if !op.Public {
				want = append(want, "401")
			}
			if op.RequiredRole == "engineer" || op.RequiredRole == "admin" {
				want = append(want, "403")
			}
			if strings.Contains(op.Path, "{id}") {
				want = append(want, "404")
			}
			if op.Op.RequestBody != nil {
				want = append(want, "413", "415", "422")
			}
			for _, status := range want {
				r := op.Op.Responses.Value(status)
				if r == nil {
					t.Errorf("does not declare %s", status)
					continue
				}
				mt := r.Value.Content.Get("application/problem+json")
				if mt == nil || mt.Schema.Ref != "#/components/schemas/Problem" {
					t.Errorf("%s is not a Problem document", status)
				}
			}
			for status, r := range op.Op.Responses.Map() {
				if (strings.HasPrefix(status, "4") || strings.HasPrefix(status, "5")) && r.Value.Content.Get("application/problem+json") == nil {
					t.Errorf("error response %s is not problem+json", status)
				}
			}
		})
	}
}

// stubbed are the operations later issues build; until then they answer 501.
var stubbed = []string{"escalateAISession"}

// TestUnbuiltOperationsAnswerNotImplemented sends each operation of the areas not built yet a
// request the contract accepts, and expects 501 problem+json — not a 404, 400 or 500.
func TestUnbuiltOperationsAnswerNotImplemented(t *testing.T) {
	t.Parallel()
	s := apitest.NewServer(t)
	admin := s.Register("Stubs")
	doc, err := contract.Load()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, op := range contract.Operations(doc) {
		if !slices.Contains(stubbed, op.ID) {
			continue
		}
		n++
		path := strings.NewReplacer("{id}", uuid.NewString(), "{version}", "1").Replace(op.Path)
		if op.ID == "searchTrees" {
			path += "?q=vpn"
		}
		body, contentType := "", ""
		if rb := op.Op.RequestBody; rb != nil {
			contentType = "application/json"
			b, err := json.Marshal(minimal(rb.Value.Content.Get(contentType).Schema.Value))
			if err != nil {
				t.Fatal(err)
			}
			body = string(b)
		}
		t.Run(op.ID, func(t *testing.T) {
			decodeProblem(t, do(t, s, op.Method, path, admin.AccessToken, contentType, body), http.StatusNotImplemented)
		})
	}
	if n != len(stubbed) {
		t.Errorf("%d unbuilt operations were tried, want %d", n, len(stubbed))
	}
}

// minimal builds the smallest value the schema accepts: required properties only, minimum
// lengths and counts, the first enum value.
func minimal(s *openapi3.Schema) any {
	if len(s.AllOf) > 0 {
		merged := map[string]any{}
		for _, part := range s.AllOf {
			for k, v := range minimal(part.Value).(map[string]any) {
				merged[k] = v
			}
		}
		return merged
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	switch {
	case s.Type.Is("object"):
		out := map[string]any{}
		for _, name := range s.Required {
			out[name] = minimal(s.Properties[name].Value)
		}
		if len(out) < int(s.MinProps) {
			for name, p := range s.Properties {
				out[name] = minimal(p.Value)
				if len(out) >= int(s.MinProps) {
					break
				}
			}
		}
		return out
	case s.Type.Is("array"):
		items := make([]any, s.MinItems)
		for i := range items {
			items[i] = minimal(s.Items.Value)
		}
		return items
	case s.Type.Is("integer"), s.Type.Is("number"):
		if s.Min != nil {
			return *s.Min
		}
		return 1
	case s.Type.Is("boolean"):
		return false
	case s.Format == "uuid":
		return uuid.NewString()
	case s.Format == "email":
		return "someone@example.com"
	default:
		return strings.Repeat("x", max(int(s.MinLength), 1))
	}
}
