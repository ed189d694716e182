// Package archtest pins the architecture with tests, so that it holds by proof rather than by
// hope: which packages may import what (imports_test.go), that every query of db/queries on a
// tenant table is scoped to the caller's account (tenant_test.go), and that the contract's
// x-required-role and the services' own role checks agree (roles_test.go).
//
// It has no code of its own; `go test ./...` runs it with the rest of the suite.
package archtest
