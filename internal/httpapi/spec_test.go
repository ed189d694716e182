package httpapi_test

import (
	"slices"
	"strings"
	"testing"

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
