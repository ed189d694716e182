// Package contract loads the published OpenAPI document (api/openapi.yaml) for the server, which
// validates requests against it, and for the tests, which validate responses against it.
package contract

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/resolutionflow/resolutionflow/api"
)

// RequiredRoleKey is the operation extension naming the lowest role allowed to call it.
const RequiredRoleKey = "x-required-role"

var defineFormats = sync.OnceFunc(func() {
	// kin-openapi checks no string formats unless told to. RFC 9562 admits UUID versions 6–8
	// as well as those of RFC 4122.
	openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562))
	openapi3.DefineStringFormatValidator("email", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail))
})

// Load parses and validates the embedded contract.
func Load() (*openapi3.T, error) {
	defineFormats()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.Spec)
	if err != nil {
		return nil, fmt.Errorf("parse api/openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("api/openapi.yaml is not a valid OpenAPI document: %w", err)
	}
	return doc, nil
}

// Router matches requests to the contract's operations.
func Router(doc *openapi3.T) (routers.Router, error) {
	return gorillamux.NewRouter(doc)
}

// Operation describes one operation of the contract.
type Operation struct {
	Method       string
	Path         string // as in the contract: /api/v1/users/{id}
	ID           string
	Public       bool   // security: [] — no credentials needed
	RequiredRole string // from x-required-role; empty for public operations
	Op           *openapi3.Operation
}

// Operations lists every operation of doc.
func Operations(doc *openapi3.T) []Operation {
	var out []Operation
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			o := Operation{Method: method, Path: path, ID: op.OperationID, Op: op}
			sec := op.Security
			if sec == nil {
				sec = &doc.Security
			}
			o.Public = len(*sec) == 0
			if role, ok := op.Extensions[RequiredRoleKey].(string); ok {
				o.RequiredRole = role
			}
			out = append(out, o)
		}
	}
	return out
}

// EchoPath turns a contract path into Echo's route syntax: /users/{id} → /users/:id.
func EchoPath(path string) string {
	r := strings.NewReplacer("{", ":", "}", "")
	return r.Replace(path)
}
